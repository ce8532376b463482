// Finds special-token text inside a prompt before the normal tokenizer runs,
// as llama.cpp's tokenizer_st_partition does: each special token, longest
// text first, cuts the remaining plain-text fragments around its matches.
// Control and unknown tokens count only with parse_special; user-defined
// tokens always do (Hugging Face's added tokens behave so).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace lantern {

class Vocab;

struct Fragment {
  int32_t token = -1;  // >= 0: this fragment is that special token
  size_t offset = 0;   // otherwise plain text [offset, offset + length)
  size_t length = 0;
  bool is_token() const { return token >= 0; }
};

std::vector<Fragment> split_special_tokens(const Vocab& vocab, std::string_view text, bool parse_special);

}  // namespace lantern
