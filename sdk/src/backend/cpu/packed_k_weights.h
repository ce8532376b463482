// Q4_K / Q5_K / Q6_K / IQ4_XS weight matrices re-laid for the CPU matmul
// kernels (quant_gemm_k.h), as packed_weights.h does for Q4_0/Q8_0: rows in
// groups of 16, each 4 consecutive values of the 16 rows side by side, so one
// 64-byte load feeds 16 row dot products and the int32 lanes are rows. The
// super-block structure stays: per 256 values and row, 16 integer scales (one
// per 16 values; Q4_K/Q5_K/IQ4_XS's per-32 scale twice), Q4_K/Q5_K's 8
// integer mins and d (and dmin), widened from fp16 to float. Values are
// GGML's, unchanged, made unsigned: Q4_K 0..15 and Q5_K 0..31 as they are,
// Q6_K's q - 32 stored as q (0..63; the kernel subtracts 32 * sum(x) per 16
// values), IQ4_XS's level indices 0..15 (the kernel looks the levels up in
// gguf/iq4_values.h). The products are llama.cpp's Q4_K/Q5_K/Q6_K/IQ4_XS x
// Q8_K block sums, integer up to the super-block's scaling.
//
// Layout of one group (16 rows, padded with zero rows), for each of the
// row's nb super-blocks (block_bytes() each):
//   values, Q4_K, Q6_K and IQ4_XS: nibbles (2048 bytes): for k in 0..31, for
//     r in 0..15: 4 bytes whose low nibbles are the low 4 bits of values
//     4k..4k+3 of row r and high nibbles those of values 128+4k..
//     Q6_K adds their top 2 bits (1024 bytes): for k in 0..15, for r: 4 bytes,
//     byte i holding bits 4-5 of value e = 4k+i in its bits 0-1, of e+128 in
//     2-3, of e+64 in 4-5 and of e+192 in 6-7: 0.75 bytes a value in all, as
//     in the file (0.82 with the scales).
//   values, Q5_K (4096 bytes): for k in 0..63, for r: values 4k..4k+3 of row
//     r, one byte each.
//   scales: for s in 0..15, for r: int8 scale of values 16s..16s+15 (256 bytes).
//   mins: for j in 0..7, for r: uint8 min of values 32j..32j+31 (128 bytes;
//     Q6_K, IQ4_XS: none, zero).
//   d, dmin: for r: float (64 + 64 bytes).
#pragma once
#include <cstdint>
#include <memory>

#include "gguf/ggml_type.h"
#include "backend/cpu/weight_buffer.h"

namespace lantern {

class ThreadPool;

class PackedKWeights {
 public:
  static constexpr int kGroupRows = 16;
  static constexpr int kBlock = kQK_K;  // values a super-block

  static bool supports(GgmlType type, int64_t cols) {
    return (type == GgmlType::Q4_K || type == GgmlType::Q5_K || type == GgmlType::Q6_K || type == GgmlType::IQ4_XS) &&
           cols > 0 && cols % kBlock == 0;
  }
  // Re-lays `rows` rows of `cols` values in GGML's row format (row_bytes
  // apart), split over the pool's threads when given.
  void pack(GgmlType type, const uint8_t* src, uint64_t row_bytes, int64_t rows, int64_t cols, ThreadPool* pool);

  bool empty() const { return rows_ == 0; }
  GgmlType type() const { return type_; }
  bool nibbles() const { return type_ != GgmlType::Q5_K; }  // Q4_K, Q6_K, IQ4_XS
  bool high_bits() const { return type_ == GgmlType::Q6_K; }
  bool has_mins() const { return type_ == GgmlType::Q4_K || type_ == GgmlType::Q5_K; }
  bool levels() const { return type_ == GgmlType::IQ4_XS; }  // nibbles index kIq4Values
  // What the kernel subtracts per value times x: Q6_K's +32.
  int32_t value_offset() const { return type_ == GgmlType::Q6_K ? 32 : 0; }
  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  int64_t blocks() const { return cols_ / kBlock; }
  int64_t groups() const { return (rows_ + kGroupRows - 1) / kGroupRows; }
  int64_t values_bytes() const { return high_bits() ? 3072 : nibbles() ? 2048 : 4096; }
  static constexpr int64_t kHighBitsAt = 2048;  // Q6_K's top-2-bit plane in the values region
  int64_t block_bytes() const { return values_bytes() + 256 + 128 + 128; }

  // The regions of super-block b of group g.
  const uint8_t* values(int64_t g, int64_t b) const { return block(g, b); }
  const int8_t* scales(int64_t g, int64_t b) const { return reinterpret_cast<const int8_t*>(block(g, b) + scales_at()); }
  const uint8_t* mins(int64_t g, int64_t b) const { return block(g, b) + mins_at(); }
  const float* d(int64_t g, int64_t b) const { return reinterpret_cast<const float*>(block(g, b) + d_at()); }
  const float* dmin(int64_t g, int64_t b) const { return d(g, b) + kGroupRows; }
  size_t bytes() const { return static_cast<size_t>(groups()) * blocks() * block_bytes(); }

 private:
  int64_t scales_at() const { return values_bytes(); }
  int64_t mins_at() const { return values_bytes() + 256; }
  int64_t d_at() const { return values_bytes() + 384; }
  uint8_t* block(int64_t g, int64_t b) const { return buf_.data() + (static_cast<size_t>(g) * blocks() + b) * block_bytes(); }
  void pack_groups(const uint8_t* src, uint64_t row_bytes, int64_t g0, int64_t g1);
  GgmlType type_ = GgmlType::Q4_K;
  int64_t rows_ = 0, cols_ = 0;
  WeightBuffer buf_;
};

}  // namespace lantern
