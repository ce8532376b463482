// The vocabulary behind both tokenizers: token texts, scores and attributes,
// BPE merge ranks, the special token ids and flags, all settled the way
// llama.cpp's vocab loader settles them (its defaults per model, its fix-ups
// of token attributes by name, its end-of-generation set).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/pretokenizer.h"
#include "tokenizer/text_index.h"

namespace lantern {

class GgufFile;

// What the tokenizers read from the tokenizer.ggml.* keys (and general.name),
// before any defaults are applied. Build one by hand in tests.
struct VocabData {
  std::string model;         // tokenizer.ggml.model: "llama" or "gpt2"
  std::string pre;           // tokenizer.ggml.pre ("" when absent)
  std::string general_name;  // general.name: llama.cpp keys a Phi-3 quirk on it
  std::vector<std::string> tokens;
  std::vector<float> scores;         // empty: all 0
  std::vector<int32_t> token_types;  // TokenType values; empty: all Normal
  std::vector<std::string> merges;   // "left right", best first (gpt2)
  std::optional<int64_t> bos_id, eos_id, eot_id, eom_id, unk_id, sep_id, pad_id;
  std::optional<int64_t> fim_pad_id, fim_rep_id, fim_sep_id;
  std::optional<bool> add_bos, add_eos, add_space_prefix;
};

// Reads VocabData from GGUF metadata. Throws std::runtime_error naming the
// key when one is missing or has the wrong type. (vocab_gguf.cpp)
VocabData read_vocab_data(const GgufFile& gguf);

enum class VocabModel { Spm, Bpe };

// Token attribute bits (llama.cpp's llama_token_attr).
namespace token_attr {
enum : uint32_t {
  Undefined = 0,
  Unknown = 1u << 0,
  Unused = 1u << 1,
  Normal = 1u << 2,
  Control = 1u << 3,
  UserDefined = 1u << 4,
  Byte = 1u << 5,
  LStrip = 1u << 7,  // special-token matching eats whitespace to the left
  RStrip = 1u << 8,  // ... and to the right
};
}  // namespace token_attr

struct SpecialIds {
  int32_t bos = -1, eos = -1, eot = -1, eom = -1, unk = -1, sep = -1, pad = -1;
};

class Vocab {
 public:
  // Throws std::runtime_error naming the problem (unknown model, lengths that
  // disagree, duplicate tokens, an empty vocabulary).
  explicit Vocab(VocabData data);  // moves the token and merge strings out
  Vocab(const Vocab&) = delete;  // the indexes point into the vectors below
  Vocab& operator=(const Vocab&) = delete;

  VocabModel model() const { return model_; }
  const std::string& model_name() const { return model_name_; }
  int32_t size() const { return static_cast<int32_t>(texts_.size()); }
  bool valid(int32_t id) const { return id >= 0 && id < size(); }
  const std::string& text(int32_t id) const { return texts_[id]; }
  float score(int32_t id) const { return scores_[id]; }
  uint32_t attr(int32_t id) const { return attrs_[id]; }
  bool has_attr(int32_t id, uint32_t bits) const { return (attrs_[id] & bits) != 0; }

  int32_t find(std::string_view text) const { return ids_.find(text); }  // -1 when absent
  // SPM byte fallback: the <0xXX> token, else a token that is the raw byte; -1 if neither.
  int32_t byte_token(uint8_t b) const { return byte_tokens_[b]; }
  // Rank of merging left+right (lower merges first), -1 if they never merge.
  // `scratch` is reused to avoid an allocation per lookup.
  int32_t merge_rank(std::string_view left, std::string_view right, std::string& scratch) const;

  const SpecialIds& special() const { return special_; }
  bool add_bos() const { return add_bos_; }
  bool add_eos() const { return add_eos_; }
  bool add_space_prefix() const { return add_space_prefix_; }
  const PreTokenizerConfig& pre() const { return pre_; }
  const std::string& pre_name() const { return pre_name_; }
  bool is_eog(int32_t id) const;
  const std::vector<int32_t>& eog_ids() const { return eog_; }
  // Control, user-defined and unknown tokens, longest text first: the order
  // in which text is searched for them.
  const std::vector<int32_t>& special_tokens() const { return special_tokens_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  void load_tokens(VocabData& data);
  void load_merges(VocabData& data);
  void load_special_ids(const VocabData& data);
  void detect_special_tokens_by_text();
  void build_eog_set();
  void build_special_token_list(const VocabData& data);
  void set_attr(const std::string& text, uint32_t bits, bool on);

  VocabModel model_ = VocabModel::Spm;
  std::string model_name_;
  std::string pre_name_;
  PreTokenizerConfig pre_;
  std::vector<std::string> texts_;
  std::vector<float> scores_;
  std::vector<uint32_t> attrs_;
  TextIndex ids_;                          // token text -> id
  std::vector<std::string> merge_texts_;   // "left right"
  std::vector<int32_t> merge_ranks_;       // rank of merge_texts_[i]
  TextIndex merge_index_;
  int32_t byte_tokens_[256];
  SpecialIds special_;
  int32_t fim_pad_ = -1, fim_rep_ = -1, fim_sep_ = -1;
  bool add_bos_ = false, add_eos_ = false, add_space_prefix_ = false;
  std::vector<int32_t> eog_;  // sorted
  std::vector<int32_t> special_tokens_;
  std::vector<std::string> warnings_;
};

}  // namespace lantern
