// SentencePiece-style BPE over scores (tokenizer.ggml.model "llama"), as
// llama.cpp runs it: start from single UTF-8 characters, repeatedly merge the
// adjacent pair whose joined text is the highest-scoring token (leftmost on
// ties), then spell any leftover symbol that is not a token as byte tokens.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace lantern {

class Vocab;

// `text` must already have spaces replaced by U+2581 (and the optional
// leading space added). Appends the ids to `out`.
void spm_encode(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out);

}  // namespace lantern
