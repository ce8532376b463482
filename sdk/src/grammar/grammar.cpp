#include "grammar/grammar.h"


namespace lantern::grammar {

namespace {

std::string set_key(const ByteSet& s) {
  std::string k(32, '\0');
  for (int b = 0; b < 256; ++b) {
    if (s[b]) k[b / 8] = static_cast<char>(k[b / 8] | (1 << (b % 8)));
  }
  return k;
}

}  // namespace

GrammarBuilder::GrammarBuilder(const GrammarLimits& limits) : limits_(limits) {}

uint32_t GrammarBuilder::rule(const std::string& name) {
  if (auto it = names_.find(name); it != names_.end()) return it->second;
  if (g_.rule_names.size() >= limits_.max_rules) {
    throw GrammarError("grammar has more than " + std::to_string(limits_.max_rules) + " rules");
  }
  names_[name] = static_cast<uint32_t>(g_.rule_names.size());
  g_.rule_names.push_back(name);
  pending_.emplace_back();
  defined_.push_back(false);
  return static_cast<uint32_t>(g_.rule_names.size() - 1);
}

uint32_t GrammarBuilder::fresh_rule(const std::string& base) {
  if (g_.rule_names.size() >= limits_.max_rules) {
    throw GrammarError("grammar has more than " + std::to_string(limits_.max_rules) + " rules");
  }
  // Numbered past every rule so far; a source rule of the same name would
  // be a different id anyway (names are only for messages).
  std::string name = base + "_" + std::to_string(g_.rule_names.size());
  g_.rule_names.push_back(name);
  pending_.emplace_back();
  defined_.push_back(false);
  return static_cast<uint32_t>(g_.rule_names.size() - 1);
}

bool GrammarBuilder::defined(uint32_t rule) const { return rule < defined_.size() && defined_[rule]; }

void GrammarBuilder::add_alternative(uint32_t rule, const std::vector<Element>& seq) {
  element_count_ += seq.size() + 1;
  if (element_count_ > limits_.max_elements) {
    throw GrammarError("grammar has more than " + std::to_string(limits_.max_elements) + " elements");
  }
  pending_.at(rule).push_back(seq);
  defined_[rule] = true;
}

Element GrammarBuilder::bytes(const ByteSet& set) {
  std::string key = set_key(set);
  if (auto it = sets_.find(key); it != sets_.end()) return Element{Element::Bytes, it->second};
  sets_[key] = static_cast<uint32_t>(g_.byte_sets.size());
  g_.byte_sets.push_back(set);
  return Element{Element::Bytes, static_cast<uint32_t>(g_.byte_sets.size() - 1)};
}

Grammar GrammarBuilder::build(uint32_t root) && {
  const size_t n = g_.rule_names.size();
  if (root >= n) throw GrammarError("grammar has no start rule");
  for (size_t r = 0; r < n; ++r) {
    if (!defined_[r]) throw GrammarError("rule '" + g_.rule_names[r] + "' is used but never defined");
  }
  // Nullable and productive rules, by fixpoint.
  std::vector<bool> nullable(n, false), productive(n, false);
  auto elem_nullable = [&](const Element& e) { return e.kind == Element::Rule && nullable[e.value]; };
  auto elem_productive = [&](const Element& e) {
    return e.kind == Element::Bytes ? g_.byte_sets[e.value].any() : productive[e.value];
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t r = 0; r < n; ++r) {
      for (const auto& alt : pending_[r]) {
        bool all_null = true, all_prod = true;
        for (const Element& e : alt) {
          all_null = all_null && elem_nullable(e);
          all_prod = all_prod && elem_productive(e);
        }
        if (all_null && !nullable[r]) nullable[r] = changed = true;
        if (all_prod && !productive[r]) productive[r] = changed = true;
      }
    }
  }
  if (!productive[root]) throw GrammarError("rule '" + g_.rule_names[root] + "' matches no string");
  // Left recursion: a rule reaching itself through elements that can all
  // match nothing would make the matcher expand forever.
  std::vector<std::vector<uint32_t>> left(n);
  for (size_t r = 0; r < n; ++r) {
    for (const auto& alt : pending_[r]) {
      for (const Element& e : alt) {
        if (e.kind != Element::Rule) break;
        left[r].push_back(e.value);
        if (!nullable[e.value]) break;
      }
    }
  }
  std::vector<uint8_t> color(n, 0);  // 0 new, 1 on the path, 2 done
  for (size_t start = 0; start < n; ++start) {
    if (color[start]) continue;
    // Iterative DFS: grammars from schemas can be deep.
    std::vector<std::pair<uint32_t, size_t>> path{{static_cast<uint32_t>(start), 0}};
    color[start] = 1;
    while (!path.empty()) {
      auto& [r, i] = path.back();
      if (i == left[r].size()) {
        color[r] = 2;
        path.pop_back();
        continue;
      }
      uint32_t next = left[r][i++];
      if (color[next] == 1) {
        throw GrammarError("rule '" + g_.rule_names[next] +
                           "' is left-recursive: it can reach itself without matching a byte");
      }
      if (color[next] == 0) {
        color[next] = 1;
        path.push_back({next, 0});
      }
    }
  }
  g_.alternatives.assign(n, {});
  for (size_t r = 0; r < n; ++r) {
    for (const auto& alt : pending_[r]) {
      g_.alternatives[r].push_back(static_cast<uint32_t>(g_.elements.size()));
      g_.elements.insert(g_.elements.end(), alt.begin(), alt.end());
      g_.elements.push_back(Element{Element::End, 0});
    }
  }
  g_.root = root;
  return std::move(g_);
}

}  // namespace lantern::grammar
