#include "kv/kv_cache.h"

#include <stdexcept>

namespace lantern {

int32_t KvCache::reuse_prefix(const std::vector<int32_t>& prompt) {
  size_t common = 0;
  while (common < tokens_.size() && common < prompt.size() && tokens_[common] == prompt[common]) ++common;
  if (common == prompt.size() && common > 0) --common;
  tokens_.resize(common);
  return static_cast<int32_t>(common);
}

void KvCache::append(const int32_t* tokens, int32_t n) {
  if (n < 0 || size() + n > n_ctx_) throw std::out_of_range("kv cache: append past the context");
  tokens_.insert(tokens_.end(), tokens, tokens + n);
}

void KvCache::truncate(int32_t n) {
  if (n < 0) throw std::out_of_range("kv cache: negative size");
  if (n < size()) tokens_.resize(n);
}

}  // namespace lantern
