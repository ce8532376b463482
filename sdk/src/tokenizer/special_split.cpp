#include "tokenizer/special_split.h"

#include <string>

#include "tokenizer/vocab.h"

namespace lantern {

namespace {

bool is_c_space(char c) {  // isspace() in the C locale
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Cuts one plain-text fragment around every match of `needle`, appending the
// pieces to `out`.
void cut_fragment(std::string_view text, const Fragment& frag, int32_t id, std::string_view needle,
                  uint32_t attr, std::vector<Fragment>& out) {
  size_t offset = frag.offset;
  size_t length = frag.length;
  while (true) {
    const size_t match = text.substr(0, offset + length).find(needle, offset);
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

std::vector<Fragment> split_special_tokens(const Vocab& vocab, std::string_view text, bool parse_special) {
  std::vector<Fragment> fragments;
  if (text.empty()) return fragments;
  fragments.push_back({-1, 0, text.size()});

  std::vector<Fragment> next;
  for (const int32_t id : vocab.special_tokens()) {
    const uint32_t attr = vocab.attr(id);
    if (!parse_special && (attr & (token_attr::Control | token_attr::Unknown))) continue;
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
        cut_fragment(text, f, id, needle, attr, next);
      }
    }
    fragments.swap(next);
  }
  return fragments;
}

}  // namespace lantern
