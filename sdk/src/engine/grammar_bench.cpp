#include "engine/grammar_bench.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "grammar/token_mask.h"

namespace lantern {

namespace {

using Clock = std::chrono::steady_clock;

double us_since(Clock::time_point t0) { return std::chrono::duration<double, std::micro>(Clock::now() - t0).count(); }

nlohmann::ordered_json summary(std::vector<double> us) {
  if (us.empty()) return {};
  double sum = 0;
  for (double u : us) sum += u;
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[std::min(us.size() - 1, static_cast<size_t>(q * static_cast<double>(us.size())))]; };
  return {{"mean_us", sum / static_cast<double>(us.size())}, {"p50_us", at(0.5)}, {"p99_us", at(0.99)}, {"max_us", us.back()}};
}

}  // namespace

nlohmann::ordered_json bench_grammar_masks(Engine& engine, const std::string& gbnf, const std::string& text) {
  const Tokenizer& tk = engine.tokenizer();
  const std::vector<int32_t> ids = tk.encode(text, /*add_special=*/false, /*parse_special=*/false);
  // The first grammar builds the vocabulary's trie: timed apart.
  auto t0 = Clock::now();
  engine.grammars().get("root ::= \"x\"");
  const double trie_ms = us_since(t0) / 1000;
  t0 = Clock::now();
  std::shared_ptr<grammar::CompiledGrammar> compiled = engine.grammars().get(gbnf);
  const double compile_ms = us_since(t0) / 1000;
  nlohmann::ordered_json out{{"tokens", ids.size()}, {"vocab", tk.n_vocab()}, {"trie_ms", trie_ms}, {"compile_ms", compile_ms}};
  size_t forced = 0, allowed_sum = 0;
  for (const char* pass : {"cold", "warm"}) {
    grammar::GrammarConstraint c(compiled);
    grammar::TokenBitmask mask;
    std::vector<double> us;
    for (int32_t id : ids) {
      const auto t = Clock::now();
      allowed_sum += c.fill_mask(mask);
      us.push_back(us_since(t));
      if (!grammar::mask_has(mask, id)) {
        throw std::runtime_error("grammar bench: the text's token " + std::to_string(id) + " ('" + tk.token_to_piece(id) +
                                 "') is not allowed; is the text a sentence of the grammar?");
      }
      if (std::string(pass) == "cold") forced += c.forced_bytes().size();
      c.accept(id);
    }
    out[pass] = summary(us);
  }
  out["contexts"] = compiled->cached_positions();
  out["mean_allowed"] = ids.empty() ? 0.0 : static_cast<double>(allowed_sum) / (2.0 * static_cast<double>(ids.size()));
  out["forced_bytes"] = forced;
  return out;
}

}  // namespace lantern
