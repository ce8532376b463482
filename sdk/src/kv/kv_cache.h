// Which tokens the backend's KV storage holds, position by position, so a new
// request that starts with the same tokens (the next turn of a chat) reuses
// them instead of computing them again. The keys and values themselves live
// in the backend (host memory or GPU buffers).
#pragma once
#include <cstdint>
#include <vector>

namespace lantern {

class KvCache {
 public:
  explicit KvCache(int32_t n_ctx) : n_ctx_(n_ctx) {}
  int32_t capacity() const { return n_ctx_; }
  int32_t size() const { return static_cast<int32_t>(tokens_.size()); }
  const std::vector<int32_t>& tokens() const { return tokens_; }

  // Keeps the longest cached prefix of `prompt`, but always leaves at least
  // one prompt token to evaluate (its logits start the generation). Returns
  // the number of positions kept.
  int32_t reuse_prefix(const std::vector<int32_t>& prompt);
  void append(const int32_t* tokens, int32_t n);  // after the backend stored them
  void truncate(int32_t n);
  void clear() { tokens_.clear(); }

 private:
  int32_t n_ctx_;
  std::vector<int32_t> tokens_;
};

}  // namespace lantern
