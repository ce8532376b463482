// The Tokenizer behind from_gguf: one Vocab, encoded with SPM or byte-level
// BPE as tokenizer.ggml.model says, special tokens split out first.
#pragma once
#include <utility>

#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

namespace lantern {

struct Fragment;

class VocabTokenizer final : public Tokenizer {
 public:
  explicit VocabTokenizer(VocabData data) : vocab_(std::move(data)) {}

  std::vector<int32_t> encode(std::string_view text, bool add_special, bool parse_special) const override;
  std::vector<int32_t> encode_chat(std::string_view text, bool add_special,
                                   const std::vector<TextRange>& literal) const override;
  std::vector<std::string> guarded_special_texts() const override;
  std::string token_to_piece(int32_t id, bool render_special) const override;
  std::string detokenize(const std::vector<int32_t>& ids, bool remove_special,
                         bool render_special) const override;

  int32_t n_vocab() const override { return vocab_.size(); }
  const std::string& token_text(int32_t id) const override;
  TokenType token_type(int32_t id) const override;
  int32_t bos() const override { return vocab_.special().bos; }
  int32_t eos() const override { return vocab_.special().eos; }
  int32_t eot() const override { return vocab_.special().eot; }
  int32_t unk() const override { return vocab_.special().unk; }
  int32_t pad() const override { return vocab_.special().pad; }
  bool add_bos() const override { return vocab_.add_bos(); }
  bool add_eos() const override { return vocab_.add_eos(); }
  bool is_eog(int32_t id) const override { return vocab_.is_eog(id); }
  int32_t find_token(std::string_view text) const override { return vocab_.find(text); }
  const std::vector<std::string>& warnings() const override { return vocab_.warnings(); }

  const Vocab& vocab() const { return vocab_; }

 private:
  std::vector<int32_t> encode_fragments(std::string_view text, const std::vector<Fragment>& fragments,
                                        bool add_special) const;
  Vocab vocab_;
};

}  // namespace lantern
