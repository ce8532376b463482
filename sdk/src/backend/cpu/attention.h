// Attention of one query head over one cached key/value head (keys 0..n-1,
// `stride` elements between consecutive positions). The CPU backend splits
// (token, head) pairs over threads and calls these. A score s is q.k * scale,
// then, where softcap > 0, softcap * tanh(s / softcap) (gemma2), computed as
// llama.cpp's flash attention does: softcap * tanh(q.k * (scale / softcap)).
#pragma once
#include <cstdint>

namespace lantern {

// llama.cpp's CPU flash attention over an fp16 cache, step for step: the
// query rounded to fp16, one pass of online softmax, the value accumulator
// kept in fp16 (rounded after every update), normalised at the end. Where the
// build has AVX-512 the head is split as GGML's AVX-512 vector code splits it
// (64-wide steps with four accumulators, leftovers in scalar double), so the
// rounding matches llama.cpp's here. scratch: 2 * head_dim floats.
void attend_head_f16(const float* q, const uint16_t* k, const uint16_t* v, int64_t stride, int32_t n_keys,
                     int32_t head_dim, float scale, float softcap, float* out, float* scratch);

// llama.cpp's tiled CPU flash attention, the path it takes for batches of
// at least kAttentionTile queries: f32 queries, keys and values widened to
// f32 a tile of kAttentionTile keys at a time, scores and value sums as f32
// matrix products, online softmax per key tile with a vector e^x. Computes
// n_rows (<= kAttentionTile) consecutive queries of n_heads query heads that
// share one key/value head (head h's query and output at h * head_dim within
// a row): query r sits at position pos_first + r, rows q_stride / out_stride
// floats apart, and sees keys 0..pos_first + r.
// scratch: attention_tile_scratch(head_dim, n_heads) floats.
constexpr int32_t kAttentionTile = 64;
int64_t attention_tile_scratch(int32_t head_dim, int32_t n_heads);
void attend_rows_tiled_f16(const float* q, int64_t q_stride, int32_t n_heads, int32_t n_rows, int32_t pos_first,
                           const uint16_t* k, const uint16_t* v, int64_t stride, int32_t head_dim, float scale,
                           float softcap, int32_t window, float* out, int64_t out_stride, float* scratch);

// Exact f32 softmax attention (the reference mode). scratch: n_keys floats.
void attend_head_f32(const float* q, const float* k, const float* v, int64_t stride, int32_t n_keys,
                     int32_t head_dim, float scale, float softcap, float* out, float* scratch);

}  // namespace lantern
