// Matrix products of packed Q4_0 / Q5_0 / Q8_0 / IQ4_NL weights (packed_weights.h) with
// activations quantised to Q8_0 blocks: llama.cpp's CPU numerics (the same
// integer block dots and the same per-block scales; the float sums of a row
// are added in another order). A kernel call computes a tile of 16-row
// groups x tokens, so each weight block is unpacked once per tile and each
// activation value is broadcast to 16 rows at a time. The same kernels serve
// prefill (tiles of several tokens) and decode (one token, several groups).
#pragma once
#include <cstdint>
#include <vector>

#include "backend/cpu/packed_weights.h"

namespace lantern {

class ThreadPool;

// Activation rows quantised to Q8_0 blocks as GGML's x86 quantize_row_q8_0
// does, plus each block's integer correction for the packed weight offset
// (-8 * sum(x) for Q4_0 nibbles, -128 * sum(x) for the other types' +128).
class QuantizedActs {
 public:
  // rows x n floats, row stride x_stride; n a multiple of 32. Rows are split
  // over the pool's threads when one is given.
  void quantize(const float* x, int32_t rows, int64_t n, int64_t x_stride, GgmlType wtype, ThreadPool* pool = nullptr);

  int32_t rows() const { return rows_; }
  int64_t n() const { return n_; }
  int64_t blocks() const { return n_ / 32; }
  GgmlType weight_type() const { return wtype_; }
  const int8_t* qs(int32_t r) const { return reinterpret_cast<const int8_t*>(row(r)); }
  const float* scales(int32_t r) const { return reinterpret_cast<const float*>(row(r) + n_); }
  const int32_t* corr(int32_t r) const { return reinterpret_cast<const int32_t*>(row(r) + n_ + 4 * blocks()); }

 private:
  const uint8_t* row(int32_t r) const { return base_ + static_cast<size_t>(r) * stride_; }
  uint8_t* row(int32_t r) { return base_ + static_cast<size_t>(r) * stride_; }
  int32_t rows_ = 0;
  int64_t n_ = 0;
  size_t stride_ = 0;
  GgmlType wtype_ = GgmlType::Q8_0;
  std::vector<uint8_t> buf_;
  uint8_t* base_ = nullptr;  // buf_ aligned to 64 bytes
};

// out[c * out_stride + j] = dot(weight row j, activation row c) (+ bias[j])
// for the rows of groups [g0, g1) (rows past w.rows() are not written) and
// activation rows c in [c0, c1). x must be quantised for w.type().
void quant_gemm(const PackedWeights& w, int64_t g0, int64_t g1, const QuantizedActs& x, int32_t c0, int32_t c1,
                float* out, int64_t out_stride, const float* bias);

// How many groups the kernels take at a time for `tokens` activation rows:
// split work between threads in multiples of it.
int64_t quant_gemm_tile_groups(int32_t tokens);

// The portable kernel, whatever the build targets (the reference for tests).
void quant_gemm_scalar(const PackedWeights& w, int64_t g0, int64_t g1, const QuantizedActs& x, int32_t c0,
                       int32_t c1, float* out, int64_t out_stride, const float* bias);

}  // namespace lantern
