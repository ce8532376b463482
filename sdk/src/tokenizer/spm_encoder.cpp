#include "tokenizer/spm_encoder.h"

#include <algorithm>
#include <string>

#include "tokenizer/symbol_merge.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab.h"

namespace lantern {

namespace {

// A final symbol is a token, or a single character that is not: then its bytes.
void spm_emit(const Vocab& vocab, std::string_view piece, std::string& scratch, std::vector<int32_t>& out) {
  scratch.assign(piece);
  const int32_t id = vocab.find(scratch);
  if (id >= 0) {
    out.push_back(id);
    return;
  }
  const bool has_all_bytes = std::all_of(scratch.begin(), scratch.end(), [&](char ch) {
    return vocab.byte_token(static_cast<uint8_t>(ch)) >= 0;
  });
  if (!has_all_bytes) {
    // A vocabulary without byte fallback: the character is unknown.
    if (vocab.special().unk >= 0) out.push_back(vocab.special().unk);
    return;
  }
  for (const char ch : scratch) out.push_back(vocab.byte_token(static_cast<uint8_t>(ch)));
}

}  // namespace

void spm_encode(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out) {
  // Highest score of the merged token first.
  std::string scratch;
  const auto symbols = merge_symbols(text, [&](std::string_view l, std::string_view r) -> std::optional<double> {
    scratch.assign(l.data(), l.size() + r.size());  // adjacent in the text
    const int32_t id = vocab.find(scratch);
    if (id < 0) return std::nullopt;
    return static_cast<double>(vocab.score(id));
  });
  for (const MergeSymbol& s : symbols)
    if (s.size > 0) spm_emit(vocab, text.substr(s.offset, s.size), scratch, out);
}

}  // namespace lantern
