#include "tokenizer/bpe_encoder.h"

#include <algorithm>
#include <queue>
#include <string>

#include "tokenizer/byte_unicode.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab.h"

namespace lantern {

namespace {

struct Symbol {
  int prev;
  int next;
  size_t offset;
  size_t size;  // 0 once merged into its left neighbour
};

struct Candidate {
  int left;
  int right;
  int32_t rank;
  size_t size;  // bytes of left + right when queued: stale if they changed
};

// Lowest rank first; among equal ranks the leftmost pair.
struct CandidateOrder {
  bool operator()(const Candidate& a, const Candidate& b) const {
    return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
  }
};

class BpeWordSession {
 public:
  BpeWordSession(const Vocab& vocab, std::string_view word) : vocab_(vocab), word_(word) {}

  void run(std::vector<int32_t>& out) {
    for (size_t offset = 0; offset < word_.size();) {
      const size_t len = std::min(utf8::sequence_length(static_cast<uint8_t>(word_[offset])),
                                  word_.size() - offset);
      const int index = static_cast<int>(symbols_.size());
      symbols_.push_back({index - 1, offset + len == word_.size() ? -1 : index + 1, offset, len});
      offset += len;
    }
    for (int i = 1; i < static_cast<int>(symbols_.size()); ++i) try_queue(i - 1, i);

    while (!queue_.empty()) {
      const Candidate c = queue_.top();
      queue_.pop();
      Symbol& left = symbols_[c.left];
      Symbol& right = symbols_[c.right];
      if (left.size == 0 || right.size == 0 || left.size + right.size != c.size) continue;
      left.size += right.size;
      right.size = 0;
      left.next = right.next;
      if (right.next >= 0) symbols_[right.next].prev = c.left;
      try_queue(left.prev, c.left);
      try_queue(c.left, left.next);
    }

    for (const Symbol& s : symbols_) {
      if (s.size > 0) emit(s, out);
    }
  }

 private:
  std::string_view text_of(const Symbol& s) const { return word_.substr(s.offset, s.size); }

  void try_queue(int left, int right) {
    if (left < 0 || right < 0) return;
    const int32_t rank = vocab_.merge_rank(text_of(symbols_[left]), text_of(symbols_[right]), scratch_);
    if (rank < 0) return;
    queue_.push({left, right, rank, symbols_[left].size + symbols_[right].size});
  }

  // A symbol that is no token (possible when merges and tokens disagree) is
  // spelt with single-byte tokens where they exist, as llama.cpp does.
  void emit(const Symbol& s, std::vector<int32_t>& out) {
    scratch_.assign(text_of(s));
    const int32_t id = vocab_.find(scratch_);
    if (id >= 0) {
      out.push_back(id);
      return;
    }
    const std::string text = scratch_;
    for (const char ch : text) {
      scratch_.assign(1, ch);
      const int32_t byte_id = vocab_.find(scratch_);
      if (byte_id >= 0) out.push_back(byte_id);
    }
  }

  const Vocab& vocab_;
  std::string_view word_;
  std::vector<Symbol> symbols_;
  std::priority_queue<Candidate, std::vector<Candidate>, CandidateOrder> queue_;
  std::string scratch_;
};

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
  BpeWordSession(vocab, word).run(out);
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
