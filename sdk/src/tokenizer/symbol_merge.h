// The merge loop both BPE flavours share (as llama.cpp's SPM and BPE
// sessions do): the text is split into UTF-8 characters kept as a linked list
// of symbols, and the adjacent pair with the highest priority (ties: the
// leftmost) is merged until no adjacent pair is a known merge. The encoders
// differ only in how they rank a pair (SPM: the merged token's score; BPE:
// minus the merge's rank) and in how they spell the final symbols.
#pragma once
#include <algorithm>
#include <cstddef>
#include <optional>
#include <queue>
#include <string_view>
#include <vector>

#include "tokenizer/utf8.h"

namespace lantern {

struct MergeSymbol {
  int prev;
  int next;
  size_t offset;  // into the text
  size_t size;    // bytes; 0 once merged into its left neighbour
};

// pair_priority(left, right) -> std::optional<double>: nullopt when the two
// adjacent pieces do not merge. Returns the symbols; those of size 0 were
// merged away, the rest spell the text in order.
template <class PairPriority>
std::vector<MergeSymbol> merge_symbols(std::string_view text, PairPriority&& pair_priority) {
  struct Candidate {
    int left;
    int right;
    double priority;
    size_t size;  // bytes of left + right when queued: stale if they changed
  };
  struct Order {
    bool operator()(const Candidate& a, const Candidate& b) const {
      return a.priority < b.priority || (a.priority == b.priority && a.left > b.left);
    }
  };
  std::vector<MergeSymbol> symbols;
  std::priority_queue<Candidate, std::vector<Candidate>, Order> queue;
  for (size_t offset = 0; offset < text.size();) {
    const size_t len = std::min(utf8::sequence_length(static_cast<uint8_t>(text[offset])), text.size() - offset);
    const int index = static_cast<int>(symbols.size());
    symbols.push_back({index - 1, offset + len == text.size() ? -1 : index + 1, offset, len});
    offset += len;
  }
  auto try_queue = [&](int left, int right) {
    if (left < 0 || right < 0) return;
    const MergeSymbol& l = symbols[left];
    const MergeSymbol& r = symbols[right];
    const std::optional<double> p = pair_priority(text.substr(l.offset, l.size), text.substr(r.offset, r.size));
    if (p) queue.push({left, right, *p, l.size + r.size});
  };
  for (int i = 1; i < static_cast<int>(symbols.size()); ++i) try_queue(i - 1, i);
  while (!queue.empty()) {
    const Candidate c = queue.top();
    queue.pop();
    MergeSymbol& left = symbols[c.left];
    MergeSymbol& right = symbols[c.right];
    if (left.size == 0 || right.size == 0 || left.size + right.size != c.size) continue;
    left.size += right.size;
    right.size = 0;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = c.left;
    try_queue(left.prev, c.left);
    try_queue(c.left, left.next);
  }
  return symbols;
}

}  // namespace lantern
