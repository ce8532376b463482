#include "tokenizer/vocab_tokenizer.h"

#include <algorithm>

#include "tokenizer/bpe_encoder.h"
#include "tokenizer/detokenizer.h"
#include "tokenizer/special_split.h"
#include "tokenizer/spm_encoder.h"

namespace lantern {

namespace {

// SentencePiece writes spaces as U+2581.
std::string escape_spaces(std::string_view text, bool space_prefix) {
  std::string out;
  out.reserve(text.size() + 8);
  if (space_prefix) out += "\xE2\x96\x81";
  for (const char c : text) {
    if (c == ' ') {
      out += "\xE2\x96\x81";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::vector<int32_t> VocabTokenizer::encode(std::string_view text, bool add_special,
                                            bool parse_special) const {
  return encode_fragments(text, split_special_tokens(vocab_, text, parse_special), add_special);
}

std::vector<int32_t> VocabTokenizer::encode_chat(std::string_view text, bool add_special,
                                                 const std::vector<TextRange>& literal) const {
  return encode_fragments(text, split_special_tokens(vocab_, text, literal), add_special);
}

std::vector<std::string> VocabTokenizer::guarded_special_texts() const {
  std::vector<std::string> out;
  for (const int32_t id : vocab_.special_tokens()) {  // longest first
    if (is_guarded_special(vocab_, id) && !vocab_.text(id).empty()) out.push_back(vocab_.text(id));
  }
  // BOS/EOS/EOG tokens of a normal type are not in special_tokens()
  for (const int32_t id : {vocab_.special().bos, vocab_.special().eos}) {
    if (vocab_.valid(id) && !vocab_.text(id).empty()) out.push_back(vocab_.text(id));
  }
  for (const int32_t id : vocab_.eog_ids()) {
    if (vocab_.valid(id) && !vocab_.text(id).empty()) out.push_back(vocab_.text(id));
  }
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<int32_t> VocabTokenizer::encode_fragments(std::string_view text, const std::vector<Fragment>& fragments,
                                                      bool add_special) const {
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 4);
  const SpecialIds& special = vocab_.special();
  if (add_special && vocab_.add_bos() && special.bos >= 0) out.push_back(special.bos);

  // SPM: text that starts the prompt or follows a special token gets the
  // space prefix, as SentencePiece sees each such piece as a new text.
  bool after_special = true;
  for (const Fragment& f : fragments) {
    if (f.is_token()) {
      out.push_back(f.token);
      after_special = true;
      continue;
    }
    const std::string_view piece = text.substr(f.offset, f.length);
    if (vocab_.model() == VocabModel::Spm) {
      spm_encode(vocab_, escape_spaces(piece, vocab_.add_space_prefix() && after_special), out);
    } else {
      bpe_encode(vocab_, piece, out);
    }
    after_special = false;
  }

  if (add_special && vocab_.add_eos() && special.eos >= 0) out.push_back(special.eos);
  return out;
}

std::string VocabTokenizer::token_to_piece(int32_t id, bool render_special) const {
  return token_piece(vocab_, id, render_special);
}

std::string VocabTokenizer::detokenize(const std::vector<int32_t>& ids, bool remove_special,
                                       bool render_special) const {
  return lantern::detokenize(vocab_, ids, remove_special, render_special);
}

const std::string& VocabTokenizer::token_text(int32_t id) const {
  static const std::string kNone;
  return vocab_.valid(id) ? vocab_.text(id) : kNone;
}

TokenType VocabTokenizer::token_type(int32_t id) const {
  if (!vocab_.valid(id)) return TokenType::Undefined;
  const uint32_t a = vocab_.attr(id);
  // Attributes after llama.cpp's fix-ups (e.g. "<|endoftext|>" made control).
  if (a & token_attr::Control) return TokenType::Control;
  if (a & token_attr::UserDefined) return TokenType::UserDefined;
  if (a & token_attr::Unknown) return TokenType::Unknown;
  if (a & token_attr::Byte) return TokenType::Byte;
  if (a & token_attr::Unused) return TokenType::Unused;
  if (a & token_attr::Normal) return TokenType::Normal;
  return TokenType::Undefined;
}

}  // namespace lantern
