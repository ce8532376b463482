// Token ids back to bytes, as llama.cpp's token_to_piece and detokenize do:
// SPM pieces turn U+2581 into spaces and <0xXX> tokens into bytes; byte-level
// BPE pieces map GPT-2's byte alphabet back to bytes; control and unknown
// tokens are empty unless rendered.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lantern {

class Vocab;

// The bytes of one token ("" for an id outside the vocabulary).
std::string token_piece(const Vocab& vocab, int32_t id, bool render_special);

// Joins pieces. The first piece loses one leading space when the vocabulary
// adds a space prefix (a leading BOS, dropped by remove_special, cancels
// that); remove_special also drops a BOS/EOS that add_bos/add_eos put there.
// Byte-level vocabularies with clean_spaces then tidy " ," " 's" and the like.
std::string detokenize(const Vocab& vocab, const std::vector<int32_t>& ids, bool remove_special,
                       bool render_special);

// clean_up_tokenization_spaces, llama.cpp's three passes.
std::string clean_up_spaces(const std::string& text);

}  // namespace lantern
