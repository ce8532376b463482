// The building blocks of the pre-tokenizers. Each splitter refines a list of
// pieces (lengths in code points, covering the whole text) into smaller
// pieces, never crossing a piece boundary: that is how llama.cpp applies a
// sequence of regexes, each to the pieces the previous one produced.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tokenizer/unicode_props.h"

namespace lantern::pretok {

using Lengths = std::vector<size_t>;

struct Text {
  const std::vector<uint32_t>& cpts;
  const std::vector<unicode::CodepointFlags>& flags;  // flags[i] of cpts[i]
};

// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
Lengths split_gpt2(const Text& text, const Lengths& pieces);

// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,max_digits}|
//  ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
// max_digits is 3 for Llama-3, 1 for Qwen2. marks_are_letters reads \p{L} as
// [\p{L}\p{M}] (and [^\s\p{L}\p{N}] as [^\s\p{L}\p{M}\p{N}]), as Qwen3.5 does.
Lengths split_llama3(const Text& text, const Lengths& pieces, size_t max_digits,
                     bool marks_are_letters = false);

// A regex of one character class repeated min_run..max_run times: every match
// (leftmost, longest) becomes a piece and so does every gap between matches.
enum class CharClass {
  Punctuation,            // [\p{P}\$\+<=>\^~\|]
  PunctuationBacktick,    // [\p{P}\$\+<=>\^~\|`]
  Number,                 // \p{N}
  AsciiDigit,             // [0-9]
};
Lengths isolate(const Text& text, const Lengths& pieces, CharClass cls, size_t min_run,
                size_t max_run);

}  // namespace lantern::pretok
