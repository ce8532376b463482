#include "tokenizer/bpe_encoder.h"

#include <algorithm>
#include <string>

#include "tokenizer/byte_unicode.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/symbol_merge.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab.h"

namespace lantern {

namespace {

// A symbol that is no token (possible when merges and tokens disagree) is
// spelt with single-byte tokens where they exist, as llama.cpp does.
void bpe_emit(const Vocab& vocab, std::string_view piece, std::string& scratch, std::vector<int32_t>& out) {
  scratch.assign(piece);
  const int32_t id = vocab.find(scratch);
  if (id >= 0) {
    out.push_back(id);
    return;
  }
  for (const char ch : piece) {
    scratch.assign(1, ch);
    const int32_t byte_id = vocab.find(scratch);
    if (byte_id >= 0) out.push_back(byte_id);
  }
}

}  // namespace

void bpe_encode_word(const Vocab& vocab, std::string_view word, std::vector<int32_t>& out) {
  if (word.empty()) return;
  if (vocab.pre().ignore_merges) {
    const int32_t id = vocab.find(word);
    if (id >= 0) {
      out.push_back(id);
      return;
    }
  }
  // Lowest merge rank first.
  std::string scratch;
  const auto symbols = merge_symbols(word, [&](std::string_view l, std::string_view r) -> std::optional<double> {
    const int32_t rank = vocab.merge_rank(l, r, scratch);
    if (rank < 0) return std::nullopt;
    return -static_cast<double>(rank);
  });
  for (const MergeSymbol& s : symbols)
    if (s.size > 0) bpe_emit(vocab, word.substr(s.offset, s.size), scratch, out);
}

void bpe_encode(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out) {
  const std::vector<uint32_t> cpts = utf8::decode_all_lenient(text);
  const std::vector<size_t> lengths = pre_tokenize_lengths(cpts, vocab.pre().kind);
  std::string word;
  std::string bytes;
  size_t pos = 0;
  for (const size_t len : lengths) {
    bytes.clear();
    for (size_t i = pos; i < pos + len; ++i) utf8::append(bytes, cpts[i]);
    pos += len;
    word.clear();
    for (const char ch : bytes) word += byte_unicode::byte_to_utf8(static_cast<uint8_t>(ch));
    bpe_encode_word(vocab, word, out);
  }
}

}  // namespace lantern
