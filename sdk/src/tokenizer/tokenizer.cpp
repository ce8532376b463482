#include "tokenizer/tokenizer.h"

#include "tokenizer/vocab.h"
#include "tokenizer/vocab_tokenizer.h"

namespace lantern {

std::unique_ptr<Tokenizer> Tokenizer::from_gguf(const GgufFile& gguf) {
  return std::make_unique<VocabTokenizer>(read_vocab_data(gguf));  // moved, not copied
}

std::unique_ptr<Tokenizer> Tokenizer::from_vocab_data(const VocabData& data) {
  return std::make_unique<VocabTokenizer>(data);
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool render_special) const {
  return detokenize(ids, /*remove_special=*/false, render_special);
}

std::string Tokenizer::detokenize(const std::vector<int32_t>& ids, bool /*remove_special*/,
                                  bool render_special) const {
  std::string text;
  for (const int32_t id : ids) text += token_to_piece(id, render_special);
  return text;
}

const std::vector<std::string>& Tokenizer::warnings() const {
  static const std::vector<std::string> kNone;
  return kNone;
}

}  // namespace lantern
