#include "tokenizer/vocab.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdio>
#include <initializer_list>
#include <stdexcept>

#include "tokenizer/tokenizer.h"

namespace lantern {

namespace {

uint32_t attr_from_type(int32_t type) {
  switch (static_cast<TokenType>(type)) {
    case TokenType::Normal: return token_attr::Normal;
    case TokenType::Unknown: return token_attr::Unknown;
    case TokenType::Control: return token_attr::Control;
    case TokenType::UserDefined: return token_attr::UserDefined;
    case TokenType::Unused: return token_attr::Unused;
    case TokenType::Byte: return token_attr::Byte;
    default: return token_attr::Undefined;
  }
}

// Token texts llama.cpp recognises when the GGUF does not name the id.
const std::initializer_list<const char*> kEotTexts = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
    "<EOT>", "_<EOT>", "[EOT]", "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>",
    "<end_of_utterance>"};
const std::initializer_list<const char*> kEomTexts = {"<|eom_id|>"};
const std::initializer_list<const char*> kFimPreTexts = {
    "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "begin\xEF\xBD\x9C>",
    "<PRE>", "\xE2\x96\x81<PRE>", "<|code_prefix|>", "<|prefix|>"};
const std::initializer_list<const char*> kFimSufTexts = {
    "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81hole\xEF\xBD\x9C>",
    "<SUF>", "\xE2\x96\x81<SUF>", "<|code_suffix|>", "<|suffix|>"};
const std::initializer_list<const char*> kFimMidTexts = {
    "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "end\xEF\xBD\x9C>",
    "<MID>", "\xE2\x96\x81<MID>", "<|code_middle|>", "<|middle|>"};
const std::initializer_list<const char*> kFimPadTexts = {"<|fim_pad|>", "<fim-pad>", "<fim_pad>",
                                                         "<PAD>", "[PAD]"};
const std::initializer_list<const char*> kFimRepTexts = {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>",
                                                         "<REPO>", "<reponame>"};
const std::initializer_list<const char*> kFimSepTexts = {"<|file_sep|>"};
// Tokens that end generation, by text (llama.cpp's list).
const std::initializer_list<const char*> kEogTexts = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
    "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
    "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
    "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>", "[e~["};

std::string lower_ascii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Vocab::Vocab(VocabData data) {
  model_name_ = data.model;
  if (data.model == "llama") {
    model_ = VocabModel::Spm;
    special_ = SpecialIds{};
    special_.bos = 1;
    special_.eos = 2;
    special_.unk = 0;
    add_space_prefix_ = true;
    add_bos_ = true;
    add_eos_ = false;
    pre_.kind = PreTokenizerKind::Default;  // unused by SPM
    pre_.clean_spaces = false;
  } else if (data.model == "gpt2") {
    model_ = VocabModel::Bpe;
    special_ = SpecialIds{};
    special_.bos = 11;  // llama.cpp's (odd) defaults for gpt2 vocabularies
    special_.eos = 11;
    pre_name_ = data.pre;
    pre_ = pre_tokenizer_config(data.pre);
    if (!pre_.warning.empty()) warnings_.push_back(pre_.warning);
    add_space_prefix_ = false;
    add_bos_ = pre_.add_bos;
    add_eos_ = false;
  } else {
    throw std::runtime_error("unsupported tokenizer model '" + data.model +
                             "' (tokenizer.ggml.model): Lantern reads 'llama' (SentencePiece) "
                             "and 'gpt2' (byte-level BPE) vocabularies");
  }
  if (data.add_space_prefix) add_space_prefix_ = *data.add_space_prefix;

  load_tokens(data);
  if (model_ == VocabModel::Bpe) load_merges(data);
  load_special_ids(data);
  detect_special_tokens_by_text();
  build_eog_set();
  build_special_token_list(data);

  for (int b = 0; b < 256; ++b) {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "<0x%02X>", b);
    int32_t id = find(hex);
    if (id < 0) id = find(std::string(1, static_cast<char>(b)));
    byte_tokens_[b] = id;
  }
}

void Vocab::load_tokens(VocabData& data) {
  const size_t n = data.tokens.size();
  if (n == 0) throw std::runtime_error("tokenizer.ggml.tokens is empty");
  if (n > static_cast<size_t>(INT32_MAX)) throw std::runtime_error("tokenizer.ggml.tokens is too long");
  const auto check_length = [n](size_t got, const char* key) {
    if (got != 0 && got != n) {
      throw std::runtime_error(std::string(key) + " has " + std::to_string(got) +
                               " entries but tokenizer.ggml.tokens has " + std::to_string(n));
    }
  };
  check_length(data.scores.size(), "tokenizer.ggml.scores");
  check_length(data.token_types.size(), "tokenizer.ggml.token_type");

  texts_.reserve(n);
  scores_.assign(n, 0.0f);
  attrs_.assign(n, token_attr::Normal);
  for (size_t i = 0; i < n; ++i) {
    // Empty texts get llama.cpp's stand-in name so they stay unique and findable.
    std::string& text = data.tokens[i];
    texts_.push_back(text.empty() ? "[EMPTY_" + std::to_string(i) + "]" : std::move(text));
    if (!data.scores.empty()) scores_[i] = data.scores[i];
    if (!data.token_types.empty()) attrs_[i] = attr_from_type(data.token_types[i]);
  }
  int32_t duplicate = -1;
  ids_.build(texts_, &duplicate);
  if (duplicate >= 0) {
    throw std::runtime_error("tokenizer.ggml.tokens has the token '" + texts_[duplicate] + "' twice (ids " +
                             std::to_string(ids_.find(texts_[duplicate])) + " and " +
                             std::to_string(duplicate) + ")");
  }
}

void Vocab::load_merges(VocabData& data) {
  merge_texts_.reserve(data.merges.size());
  merge_ranks_.reserve(data.merges.size());
  for (size_t i = 0; i < data.merges.size(); ++i) {
    std::string& m = data.merges[i];
    // "left right", split at the first space after the first byte; the
    // first rank of a repeated pair wins (TextIndex keeps the first).
    if (m.size() < 3 || m.find(' ', 1) == std::string::npos) continue;
    merge_texts_.push_back(std::move(m));
    merge_ranks_.push_back(static_cast<int32_t>(i));
  }
  merge_index_.build(merge_texts_);
}

int32_t Vocab::merge_rank(std::string_view left, std::string_view right, std::string& scratch) const {
  scratch.assign(left);
  scratch.push_back(' ');
  scratch.append(right);
  const int32_t i = merge_index_.find(scratch);
  return i < 0 ? -1 : merge_ranks_[i];
}

void Vocab::load_special_ids(const VocabData& data) {
  const auto apply = [&](const char* key, const std::optional<int64_t>& value, int32_t& id) {
    if (id >= size()) {
      warnings_.push_back(std::string("default ") + key + " = " + std::to_string(id) +
                          " is past the vocabulary: disabled");
      id = -1;
    }
    if (!value) return;
    if (*value < 0 || *value >= size()) {
      warnings_.push_back(std::string("bad special token id ") + key + " = " + std::to_string(*value) +
                          " (vocabulary has " + std::to_string(size()) + " tokens): using " +
                          std::to_string(id));
      return;
    }
    id = static_cast<int32_t>(*value);
  };
  apply("tokenizer.ggml.bos_token_id", data.bos_id, special_.bos);
  apply("tokenizer.ggml.eos_token_id", data.eos_id, special_.eos);
  apply("tokenizer.ggml.eot_token_id", data.eot_id, special_.eot);
  apply("tokenizer.ggml.eom_token_id", data.eom_id, special_.eom);
  apply("tokenizer.ggml.unknown_token_id", data.unk_id, special_.unk);
  apply("tokenizer.ggml.seperator_token_id", data.sep_id, special_.sep);
  apply("tokenizer.ggml.padding_token_id", data.pad_id, special_.pad);
  apply("tokenizer.ggml.fim_pad_token_id", data.fim_pad_id, fim_pad_);
  apply("tokenizer.ggml.fim_rep_token_id", data.fim_rep_id, fim_rep_);
  apply("tokenizer.ggml.fim_sep_token_id", data.fim_sep_id, fim_sep_);
  if (data.add_bos) add_bos_ = *data.add_bos;
  if (data.add_eos) add_eos_ = *data.add_eos;
}

void Vocab::detect_special_tokens_by_text() {
  // Ids the GGUF left out are found by well-known texts; such tokens are
  // control tokens whatever their stored type says.
  // When several listed texts exist (Phi-3 has "<|end|>" and "<|endoftext|>"),
  // the one listed first wins: llama.cpp's pick depends on hash order, and
  // the list puts the end-of-turn markers first.
  int32_t fim_pre = -1, fim_suf = -1, fim_mid = -1;
  const auto detect = [&](int32_t& slot, std::initializer_list<const char*> names) {
    if (slot != -1) return;
    for (const char* name : names) {
      const int32_t id = find(name);
      if (id >= 0) {
        slot = id;
        attrs_[id] |= token_attr::Control;
        return;
      }
    }
  };
  detect(special_.eot, kEotTexts);
  detect(special_.eom, kEomTexts);
  detect(fim_pre, kFimPreTexts);
  detect(fim_suf, kFimSufTexts);
  detect(fim_mid, kFimMidTexts);
  detect(fim_pad_, kFimPadTexts);
  detect(fim_rep_, kFimRepTexts);
  detect(fim_sep_, kFimSepTexts);
  // Control tokens named "...unused..." are placeholders.
  for (int32_t id = 0; id < size(); ++id) {
    if ((attrs_[id] & token_attr::Control) && texts_[id].find("unused") != std::string::npos) {
      attrs_[id] |= token_attr::Unused;
    }
  }
}

void Vocab::build_eog_set() {
  std::vector<int32_t> eog;
  for (int32_t id : {fim_pad_, fim_rep_, fim_sep_}) {
    if (id >= 0) eog.push_back(id);
  }
  for (const char* text : kEogTexts) {
    const int32_t id = find(text);
    if (id >= 0) {
      eog.push_back(id);
      attrs_[id] |= token_attr::Control;
    }
  }
  // gpt-oss' channel markers are always rendered.
  for (const char* t : {"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"}) {
    const int32_t id = find(t);
    if (id >= 0) attrs_[id] = token_attr::UserDefined;
  }
  for (int32_t id : {special_.eos, special_.eot, special_.eom}) {
    if (id >= 0) eog.push_back(id);
  }
  std::sort(eog.begin(), eog.end());
  eog.erase(std::unique(eog.begin(), eog.end()), eog.end());

  const auto eog_has = [&](const char* text) {
    const int32_t id = find(text);
    return id >= 0 && std::binary_search(eog.begin(), eog.end(), id) ? id : -1;
  };
  const auto erase = [&](int32_t id, uint32_t new_attr) {
    eog.erase(std::find(eog.begin(), eog.end(), id));
    attrs_[id] = new_attr;
  };
  // o200k_harmony / solar-open: "<|end|>" ends a message, not generation.
  const int32_t end_id = eog_has("<|end|>");
  const bool has_call = eog_has("<|call|>") >= 0 || eog_has("<|calls|>") >= 0;
  if (end_id >= 0 && has_call && (eog_has("<|return|>") >= 0 || eog_has("<|flush|>") >= 0)) {
    erase(end_id, token_attr::UserDefined);
  }
  // gemma4 / paddleocr: "</s>" is text when "<|tool_response>" exists.
  const int32_t s_id = eog_has("</s>");
  if (s_id >= 0 && eog_has("<|tool_response>") >= 0) erase(s_id, token_attr::Normal);
  eog_ = std::move(eog);
}

void Vocab::build_special_token_list(const VocabData& data) {
  const uint32_t special_bits = token_attr::Control | token_attr::UserDefined | token_attr::Unknown;
  for (int32_t id = 0; id < size(); ++id) {
    if (attrs_[id] & special_bits) special_tokens_.push_back(id);
  }
  std::stable_sort(special_tokens_.begin(), special_tokens_.end(), [&](int32_t a, int32_t b) {
    return texts_[a].size() > texts_[b].size();
  });
  // Phi-3 eats the whitespace after its special tokens (llama.cpp keys this on the name).
  const std::string name = lower_ascii(data.general_name);
  if (name.find("phi-3") != std::string::npos || name.find("phi3") != std::string::npos) {
    for (int32_t id : special_tokens_) attrs_[id] |= token_attr::RStrip;
    set_attr("</s>", token_attr::RStrip, true);
    for (const char* t : {"<unk>", "<s>", "<|endoftext|>"}) set_attr(t, token_attr::RStrip, false);
  }
}

void Vocab::set_attr(const std::string& text, uint32_t bits, bool on) {
  const int32_t id = find(text);
  if (id < 0) return;
  attrs_[id] = on ? (attrs_[id] | bits) : (attrs_[id] & ~bits);
}

bool Vocab::is_eog(int32_t id) const { return std::binary_search(eog_.begin(), eog_.end(), id); }

}  // namespace lantern
