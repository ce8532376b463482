// The byte-level BPE pre-tokenizer: splits text into words before merges run,
// as the regex named by tokenizer.ggml.pre would (GPT-2, Llama-3, Qwen2, ...).
// The regexes use \p{L}/\p{N}, which std::regex cannot do, so each is a
// hand-written scanner over code points (pretokenizer_splitters.cpp) that
// yields exactly the pieces llama.cpp's splitter yields.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lantern {

enum class PreTokenizerKind {
  Default,    // llama.cpp's "default": punctuation runs, GPT-2 regex, digit runs, digit triples
  Gpt2,       // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
  Llama3,     // (?i:'s|...)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
  Qwen2,      // as Llama3 with \p{N} (single digits)
  Qwen35,     // as Qwen2 with [\p{L}\p{M}] for \p{L}
  StarCoder,  // each \p{N} alone, then the GPT-2 regex
  Falcon,     // punctuation runs (with `), the GPT-2 regex, digit triples
};
const char* pre_tokenizer_kind_name(PreTokenizerKind kind);

// What tokenizer.ggml.pre implies, as llama.cpp's vocab loader sets it.
struct PreTokenizerConfig {
  PreTokenizerKind kind = PreTokenizerKind::Gpt2;
  bool ignore_merges = false;  // a word that is itself a token skips the merges
  bool clean_spaces = true;    // decoding drops the space in " ," " 's" ... (clean_up_tokenization_spaces)
  bool add_bos = false;        // add_bos default when tokenizer.ggml.add_bos_token is absent
  std::string warning;         // non-empty when the name was missing or unknown
};
// Unknown names fall back to the GPT-2 regex (llama.cpp refuses them) and say so in `warning`.
PreTokenizerConfig pre_tokenizer_config(std::string_view pre_name);

// Splits code points into words; returns each word's length in code points.
std::vector<size_t> pre_tokenize_lengths(const std::vector<uint32_t>& cpts, PreTokenizerKind kind);
// Splits UTF-8 text (read leniently, bad bytes as U+FFFD) into words.
std::vector<std::string> pre_tokenize(std::string_view text, PreTokenizerKind kind);

}  // namespace lantern
