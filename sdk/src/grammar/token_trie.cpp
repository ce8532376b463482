#include "grammar/token_trie.h"

#include <algorithm>
#include <numeric>

#include "tokenizer/tokenizer.h"

namespace lantern::grammar {

TokenTrie::TokenTrie(const Tokenizer& tokenizer, const std::vector<int32_t>& rendered) {
  std::vector<std::string> texts(static_cast<size_t>(tokenizer.n_vocab()));
  for (int32_t id = 0; id < tokenizer.n_vocab(); ++id) texts[static_cast<size_t>(id)] = tokenizer.token_to_piece(id);
  for (int32_t id : rendered)
    if (id >= 0 && id < tokenizer.n_vocab()) texts[static_cast<size_t>(id)] = tokenizer.token_to_piece(id, /*render_special=*/true);
  build(std::move(texts));
}

TokenTrie::TokenTrie(const std::vector<std::string>& texts) { build(texts); }

void TokenTrie::build(std::vector<std::string> texts) {
  n_vocab_ = static_cast<int32_t>(texts.size());
  texts_ = std::move(texts);
  std::vector<int32_t> order;
  for (int32_t id = 0; id < n_vocab_; ++id) {
    const std::string& t = texts_[static_cast<size_t>(id)];
    if (!t.empty() && t.size() <= kMaxTokenBytes) order.push_back(id);
  }
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return texts_[static_cast<size_t>(a)] < texts_[static_cast<size_t>(b)];
  });
  nodes_.push_back(Node{0, 0, 0, 0, 0});
  ids_.reserve(order.size());
  std::vector<int32_t> open{0};  // open[d]: the node of the current prefix of length d
  const std::string* prev = nullptr;
  for (int32_t id : order) {
    const std::string& t = texts_[static_cast<size_t>(id)];
    size_t common = 0;
    if (prev) {
      while (common < prev->size() && common < t.size() && (*prev)[common] == t[common]) ++common;
    }
    // Close the nodes deeper than the shared prefix: their subtrees end here.
    while (open.size() > common + 1) {
      nodes_[static_cast<size_t>(open.back())].skip = static_cast<int32_t>(nodes_.size());
      open.pop_back();
    }
    for (size_t d = common; d < t.size(); ++d) {
      const auto first = static_cast<int32_t>(ids_.size());
      nodes_.push_back(Node{static_cast<uint8_t>(t[d]), static_cast<uint16_t>(d + 1), 0, first, first});
      open.push_back(static_cast<int32_t>(nodes_.size() - 1));
    }
    Node& end = nodes_[static_cast<size_t>(open.back())];
    if (end.last != static_cast<int32_t>(ids_.size())) end.first = static_cast<int32_t>(ids_.size());
    ids_.push_back(id);
    end.last = static_cast<int32_t>(ids_.size());
    max_depth_ = std::max(max_depth_, t.size());
    prev = &t;
  }
  for (int32_t n : open) nodes_[static_cast<size_t>(n)].skip = static_cast<int32_t>(nodes_.size());
}

}  // namespace lantern::grammar
