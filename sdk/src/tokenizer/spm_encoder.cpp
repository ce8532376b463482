#include "tokenizer/spm_encoder.h"

#include <algorithm>
#include <queue>
#include <string>

#include "tokenizer/utf8.h"
#include "tokenizer/vocab.h"

namespace lantern {

namespace {

struct Symbol {
  int prev;
  int next;
  size_t offset;  // into the text
  size_t size;    // bytes; 0 once merged into its left neighbour
};

struct Candidate {
  int left;
  int right;
  float score;
  size_t size;  // bytes of left + right when queued: stale if they changed
};

// Highest score first; among equal scores the leftmost pair.
struct CandidateOrder {
  bool operator()(const Candidate& a, const Candidate& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

class SpmSession {
 public:
  SpmSession(const Vocab& vocab, std::string_view text) : vocab_(vocab), text_(text) {}

  void run(std::vector<int32_t>& out) {
    for (size_t offset = 0; offset < text_.size();) {
      const size_t len = std::min(utf8::sequence_length(static_cast<uint8_t>(text_[offset])),
                                  text_.size() - offset);
      const int index = static_cast<int>(symbols_.size());
      symbols_.push_back({index - 1, offset + len == text_.size() ? -1 : index + 1, offset, len});
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

    if (symbols_.empty()) return;
    for (int i = 0; i != -1; i = symbols_[i].next) emit(symbols_[i], out);
  }

 private:
  void try_queue(int left, int right) {
    if (left < 0 || right < 0) return;
    const Symbol& l = symbols_[left];
    scratch_.assign(text_.data() + l.offset, l.size + symbols_[right].size);
    const int32_t id = vocab_.find(scratch_);
    if (id < 0) return;
    queue_.push({left, right, vocab_.score(id), scratch_.size()});
  }

  // A final symbol is a token, or a single character that is not: then its bytes.
  void emit(const Symbol& s, std::vector<int32_t>& out) {
    scratch_.assign(text_.data() + s.offset, s.size);
    const int32_t id = vocab_.find(scratch_);
    if (id >= 0) {
      out.push_back(id);
      return;
    }
    const bool has_all_bytes = std::all_of(scratch_.begin(), scratch_.end(), [&](char ch) {
      return vocab_.byte_token(static_cast<uint8_t>(ch)) >= 0;
    });
    if (!has_all_bytes) {
      // A vocabulary without byte fallback: the character is unknown.
      if (vocab_.special().unk >= 0) out.push_back(vocab_.special().unk);
      return;
    }
    for (const char ch : scratch_) out.push_back(vocab_.byte_token(static_cast<uint8_t>(ch)));
  }

  const Vocab& vocab_;
  std::string_view text_;
  std::vector<Symbol> symbols_;
  std::priority_queue<Candidate, std::vector<Candidate>, CandidateOrder> queue_;
  std::string scratch_;
};

}  // namespace

void spm_encode(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out) {
  SpmSession(vocab, text).run(out);
}

}  // namespace lantern
