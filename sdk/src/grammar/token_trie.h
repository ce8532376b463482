// A vocabulary's token texts (the bytes each token stands for) as a trie laid
// out in preorder, so walking every token against a grammar is one linear
// pass that skips a whole subtree when its prefix is refused: tokens sharing
// a prefix share its matching work. Built once per tokenizer.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lantern {
class Tokenizer;
}

namespace lantern::grammar {

class TokenTrie {
 public:
  struct Node {
    uint8_t byte;     // the byte this node adds to its parent's prefix
    uint16_t depth;   // prefix length (root: 0)
    int32_t skip;     // index of the first node after this node's subtree
    int32_t first;    // tokens whose text ends here: ids_[first, last)
    int32_t last;
  };
  // Tokens with an empty text (control tokens) are not in the trie; texts
  // longer than kMaxTokenBytes are left out too (no real vocabulary has one).
  static constexpr size_t kMaxTokenBytes = 1024;
  // `rendered`: control tokens that join the trie by their text (a tool
  // call's "[TOOL_CALLS]" marker the grammar writes).
  explicit TokenTrie(const Tokenizer& tokenizer, const std::vector<int32_t>& rendered = {});
  // From texts directly (tests): id i has texts[i].
  explicit TokenTrie(const std::vector<std::string>& texts);

  const std::vector<Node>& nodes() const { return nodes_; }  // nodes_[0] is the root
  const int32_t* ids(const Node& n) const { return ids_.data() + n.first; }
  int32_t n_vocab() const { return n_vocab_; }
  const std::string& text(int32_t id) const { return texts_[static_cast<size_t>(id)]; }
  size_t max_depth() const { return max_depth_; }

 private:
  void build(std::vector<std::string> texts);

  int32_t n_vocab_ = 0;
  std::vector<std::string> texts_;
  std::vector<Node> nodes_;
  std::vector<int32_t> ids_;
  size_t max_depth_ = 0;
};

}  // namespace lantern::grammar
