#include "tokenizer/special_split.h"

#include <algorithm>
#include <string>

#include "tokenizer/vocab.h"

namespace lantern {

namespace {

bool is_c_space(char c) {  // isspace() in the C locale
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Whether [at, at + len) overlaps one of `ranges` (sorted and disjoint).
bool overlaps(const std::vector<TextRange>* ranges, size_t at, size_t len) {
  if (ranges == nullptr) return false;
  auto it = std::partition_point(ranges->begin(), ranges->end(),
                                 [at](const TextRange& r) { return r.offset + r.length <= at; });
  return it != ranges->end() && it->offset < at + len;
}

// Cuts one plain-text fragment around every match of `needle`, appending the
// pieces to `out`. Matches overlapping `avoid` are not cuts.
void cut_fragment(std::string_view text, const Fragment& frag, int32_t id, std::string_view needle,
                  uint32_t attr, const std::vector<TextRange>* avoid, std::vector<Fragment>& out) {
  size_t offset = frag.offset;
  size_t length = frag.length;
  while (true) {
    size_t match = text.substr(0, offset + length).find(needle, offset);
    while (match != std::string_view::npos && overlaps(avoid, match, needle.size())) {
      match = text.substr(0, offset + length).find(needle, match + 1);
    }
    if (match == std::string_view::npos) {
      if (length > 0) out.push_back({-1, offset, length});
      return;
    }
    size_t left_length = match - offset;
    if (attr & token_attr::LStrip) {
      while (left_length > 0 && is_c_space(text[offset + left_length - 1])) --left_length;
    }
    if (left_length > 0) out.push_back({-1, offset, left_length});
    out.push_back({id, 0, 0});

    size_t right_offset = match + needle.size();
    const size_t end = offset + length;
    if (right_offset >= end) return;
    if (attr & token_attr::RStrip) {
      while (right_offset < end && is_c_space(text[right_offset])) ++right_offset;
    }
    offset = right_offset;
    length = end - right_offset;
  }
}

}  // namespace

bool is_guarded_special(const Vocab& vocab, int32_t id) {
  const SpecialIds& sp = vocab.special();
  return vocab.has_attr(id, token_attr::Control | token_attr::Unknown) || id == sp.bos || id == sp.eos ||
         vocab.is_eog(id);
}

namespace {

std::vector<Fragment> split(const Vocab& vocab, std::string_view text, bool parse_special,
                            const std::vector<TextRange>* literal) {
  std::vector<Fragment> fragments;
  if (text.empty()) return fragments;
  fragments.push_back({-1, 0, text.size()});

  std::vector<Fragment> next;
  for (const int32_t id : vocab.special_tokens()) {
    const uint32_t attr = vocab.attr(id);
    if (!parse_special && (attr & (token_attr::Control | token_attr::Unknown))) continue;
    const std::vector<TextRange>* avoid = literal != nullptr && is_guarded_special(vocab, id) ? literal : nullptr;
    const std::string& needle = vocab.text(id);
    // Cheap test first: most special tokens never occur in a given prompt.
    bool occurs = false;
    for (const Fragment& f : fragments) {
      if (!f.is_token() && text.substr(f.offset, f.length).find(needle) != std::string_view::npos) {
        occurs = true;
        break;
      }
    }
    if (!occurs) continue;

    next.clear();
    for (const Fragment& f : fragments) {
      if (f.is_token()) {
        next.push_back(f);
      } else {
        cut_fragment(text, f, id, needle, attr, avoid, next);
      }
    }
    fragments.swap(next);
  }
  return fragments;
}

}  // namespace

std::vector<Fragment> split_special_tokens(const Vocab& vocab, std::string_view text, bool parse_special) {
  return split(vocab, text, parse_special, nullptr);
}

std::vector<Fragment> split_special_tokens(const Vocab& vocab, std::string_view text,
                                           const std::vector<TextRange>& literal) {
  return split(vocab, text, true, literal.empty() ? nullptr : &literal);
}

}  // namespace lantern
