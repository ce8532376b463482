// The buffers whose sizes are products of header values (the KV cache:
// block_count x n_ctx x KV width; the activations: max_batch x the widths),
// checked against the backend's MemoryBudget before any is made. Each factor
// is capped on its own (ModelConfig), their product was not: a 9 MB header
// could ask for a 16 GiB KV cache.
#pragma once
#include <cstdint>

#include "backend/backend.h"
#include "model/model_config.h"

namespace lantern {

// Bytes of the KV cache: keys and values for every layer and position.
uint64_t kv_cache_bytes(const ModelConfig& c, int32_t n_ctx, uint32_t bytes_per_value);
// Bytes of the activation scratch LlamaModel makes for batches of max_batch rows.
uint64_t activation_bytes(const ModelConfig& c, int32_t max_batch);

// Throws std::runtime_error naming the setting to lower ("KV cache for n_ctx
// 4096 needs 16 GiB (...); the limit is 8 GiB (...), lower n_ctx (at most
// 2000 fits)") when the KV cache and activations exceed the budget, or one
// buffer the device's largest.
void check_memory_budget(const ModelConfig& c, int32_t n_ctx, int32_t max_batch, const MemoryBudget& budget);

}  // namespace lantern
