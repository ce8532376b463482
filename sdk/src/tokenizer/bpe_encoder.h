// Byte-level BPE (tokenizer.ggml.model "gpt2"), as llama.cpp runs it: split
// the text into words with the pre-tokenizer, spell each word's bytes in
// GPT-2's byte alphabet, then repeatedly merge the adjacent pair with the
// best (lowest) merge rank, leftmost on ties.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace lantern {

class Vocab;

// Appends the ids of `text` (raw UTF-8, read leniently) to `out`.
void bpe_encode(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out);

// One word already in the byte alphabet (e.g. "Ġhello").
void bpe_encode_word(const Vocab& vocab, std::string_view word, std::vector<int32_t>& out);

}  // namespace lantern
