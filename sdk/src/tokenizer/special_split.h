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

#include "tokenizer/tokenizer.h"  // TextRange

namespace lantern {

class Vocab;

struct Fragment {
  int32_t token = -1;  // >= 0: this fragment is that special token
  size_t offset = 0;   // otherwise plain text [offset, offset + length)
  size_t length = 0;
  bool is_token() const { return token >= 0; }
};

std::vector<Fragment> split_special_tokens(const Vocab& vocab, std::string_view text, bool parse_special);

// Tokens that must come only from a template's own text, never from a chat
// message: control and unknown tokens (which need parse_special), and BOS,
// EOS and end-of-generation tokens whatever their type (some vocabularies
// mark "</s>" user-defined, which plain text would otherwise produce).
bool is_guarded_special(const Vocab& vocab, int32_t id);

// As split_special_tokens with parse_special on, except that a guarded token
// (above) is not taken where its match overlaps one of `literal` (byte
// ranges of text that came from a caller, e.g. message content): there it
// stays text. Other special tokens match everywhere, as without parse_special.
std::vector<Fragment> split_special_tokens(const Vocab& vocab, std::string_view text,
                                           const std::vector<TextRange>& literal);

}  // namespace lantern
