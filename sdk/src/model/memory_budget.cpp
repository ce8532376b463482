#include "model/memory_budget.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "gguf/byte_size.h"

namespace lantern {

namespace {

// One position of one layer's keys (or values).
uint64_t kv_row_bytes(const ModelConfig& c, uint32_t bytes_per_value) {
  return static_cast<uint64_t>(c.kv_dim()) * bytes_per_value;
}

std::string at_most(uint64_t fits) {
  return fits ? "lower n_ctx (at most " + std::to_string(fits) + " fits)" : "not even n_ctx 1 fits: the model is too large for it";
}
}  // namespace

uint64_t kv_cache_bytes(const ModelConfig& c, int32_t n_ctx, uint32_t bytes_per_value) {
  // Each factor is below 2^24, 2^20 (kv_dim) and 2^10 (layers): no overflow.
  return 2 * static_cast<uint64_t>(c.n_layer) * static_cast<uint64_t>(n_ctx) * kv_row_bytes(c, bytes_per_value);
}

uint64_t activation_bytes(const ModelConfig& c, int32_t max_batch) {
  // x, h, o (n_embd); q, attn (q_dim); k, v (kv_dim); gate, up, ffn (n_ff); logits (n_vocab); last row.
  const uint64_t row = 3ull * c.n_embd + 2ull * c.q_dim() + 2ull * c.kv_dim() + 3ull * c.n_ff + c.n_vocab;
  return 4 * (static_cast<uint64_t>(max_batch) * row + c.n_embd);
}

void check_memory_budget(const ModelConfig& c, int32_t n_ctx, int32_t max_batch, const MemoryBudget& b) {
  const uint64_t kv = kv_cache_bytes(c, n_ctx, b.kv_bytes_per_value);
  const uint64_t acts = activation_bytes(c, max_batch);
  const std::string limit = "the limit is " + byte_size(b.total_bytes) + " (" + b.source + ")";
  if (acts > b.total_bytes) {
    throw std::runtime_error("model: activations for max_batch " + std::to_string(max_batch) + " need " + byte_size(acts) +
                             " (widths n_embd " + std::to_string(c.n_embd) + ", n_ff " + std::to_string(c.n_ff) + ", n_vocab " +
                             std::to_string(c.n_vocab) + "); " + limit + ", lower max_batch");
  }
  const uint64_t per_position = kv_cache_bytes(c, 1, b.kv_bytes_per_value);
  if (kv > b.total_bytes - acts) {
    throw std::runtime_error("model: KV cache for n_ctx " + std::to_string(n_ctx) + " needs " + byte_size(kv) + " (block_count " +
                             std::to_string(c.n_layer) + " x n_ctx " + std::to_string(n_ctx) + " x KV width " + std::to_string(c.kv_dim()) + " x " +
                             std::to_string(b.kv_bytes_per_value) + " bytes, keys and values); with " + byte_size(acts) +
                             " of activations " + limit + ", " + at_most((b.total_bytes - acts) / per_position));
  }
  if (!b.max_buffer_bytes) return;
  // The WebGPU backend keeps each layer's keys (and values) in a buffer of its own.
  const uint64_t layer = static_cast<uint64_t>(n_ctx) * kv_row_bytes(c, b.kv_bytes_per_value);
  if (layer > b.max_buffer_bytes) {
    throw std::runtime_error("model: one layer's keys for n_ctx " + std::to_string(n_ctx) + " need " + byte_size(layer) +
                             " (n_ctx x KV width " + std::to_string(c.kv_dim()) + " x " + std::to_string(b.kv_bytes_per_value) +
                             " bytes), over the device's largest buffer of " + byte_size(b.max_buffer_bytes) + ", " +
                             at_most(b.max_buffer_bytes / kv_row_bytes(c, b.kv_bytes_per_value)));
  }
  const uint64_t widest = 4ull * max_batch * std::max({c.n_embd, c.q_dim(), c.n_ff, c.n_vocab});
  if (widest > b.max_buffer_bytes) {
    throw std::runtime_error("model: an activation buffer for max_batch " + std::to_string(max_batch) + " needs " +
                             byte_size(widest) + ", over the device's largest buffer of " +
                             byte_size(b.max_buffer_bytes) + ", lower max_batch");
  }
}

}  // namespace lantern
