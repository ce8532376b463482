// Text <-> token ids from GGUF metadata alone (tokenizer.ggml.*), matching
// llama.cpp's llama-vocab: the "llama" model (SentencePiece BPE with scores and
// byte fallback) and the "gpt2" model (byte-level BPE with merges and the
// pre-tokenizer chosen by tokenizer.ggml.pre).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lantern {

class GgufFile;
struct VocabData;

// A byte range of a text.
struct TextRange {
  size_t offset = 0;
  size_t length = 0;
};

enum class TokenType : int32_t {
  Undefined = 0, Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6,
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  // Throws std::runtime_error naming the key when the metadata is missing or
  // inconsistent (e.g. scores and tokens of different lengths, unknown model).
  static std::unique_ptr<Tokenizer> from_gguf(const GgufFile& gguf);
  // The same from metadata already read (vocab.h), e.g. a vocabulary built in a test.
  static std::unique_ptr<Tokenizer> from_vocab_data(const VocabData& data);

  // add_special: add BOS/EOS as tokenizer.ggml.add_bos_token / add_eos_token say
  // (llama.cpp defaults per model when absent). parse_special: text such as
  // "<|im_start|>" becomes its control token; otherwise it is plain text.
  virtual std::vector<int32_t> encode(std::string_view text, bool add_special,
                                      bool parse_special) const = 0;
  // A rendered chat prompt: as encode(text, add_special, true), except that
  // bytes in `literal` (sorted, disjoint ranges of text a caller sent, such
  // as message content) never yield a guarded special token: control and
  // unknown tokens, BOS, EOS and end-of-generation tokens stay plain text
  // there. Only the template's own text can open or close a turn.
  virtual std::vector<int32_t> encode_chat(std::string_view text, bool add_special,
                                           const std::vector<TextRange>& literal) const = 0;
  // The texts of those guarded tokens, longest first.
  virtual std::vector<std::string> guarded_special_texts() const = 0;
  // The bytes a token stands for (may be part of a UTF-8 character). Control
  // tokens give "" unless render_special.
  virtual std::string token_to_piece(int32_t id, bool render_special = false) const = 0;
  // As llama.cpp's detokenize with remove_special = false: the first piece
  // loses the space an SPM vocabulary's space prefix put there, and
  // byte-level vocabularies with clean_spaces tidy " ," " 's" and the like.
  std::string decode(const std::vector<int32_t>& ids, bool render_special = false) const;
  // llama.cpp's detokenize: remove_special also drops the BOS/EOS that
  // add_bos/add_eos would have added.
  virtual std::string detokenize(const std::vector<int32_t>& ids, bool remove_special,
                                 bool render_special) const;

  virtual int32_t n_vocab() const = 0;
  virtual const std::string& token_text(int32_t id) const = 0;  // as stored in the vocab
  virtual TokenType token_type(int32_t id) const = 0;
  virtual int32_t bos() const = 0;  // -1 when none
  virtual int32_t eos() const = 0;
  virtual bool add_bos() const = 0;
  virtual bool add_eos() const { return false; }
  virtual int32_t eot() const { return -1; }  // end of turn, -1 when none
  virtual int32_t unk() const { return -1; }
  virtual int32_t pad() const { return -1; }
  // End of generation: eos, eot, eom and other tokens llama.cpp treats as EOG.
  virtual bool is_eog(int32_t id) const = 0;
  // Looks up a token by its exact vocab text (e.g. "<|im_end|>"); -1 when absent.
  virtual int32_t find_token(std::string_view text) const = 0;
  // Things the loader accepted but that may make ids differ from the model's
  // own tokenizer (an unknown tokenizer.ggml.pre, a bad special id, ...).
  virtual const std::vector<std::string>& warnings() const;
};

// Joins token pieces into text without ever emitting half a UTF-8 character:
// bytes of an incomplete trailing sequence wait for the next push. Invalid
// bytes come out as U+FFFD, as a browser's TextDecoder would (one per maximal
// invalid subpart; unlike TextDecoder, a leading U+FEFF is kept).
class Utf8Stream {
 public:
  std::string push(std::string_view bytes);
  std::string flush();  // what is still held, invalid tails as U+FFFD
  size_t pending() const { return held_.size(); }

 private:
  std::string held_;
};

}  // namespace lantern
