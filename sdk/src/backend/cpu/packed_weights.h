// Q4_0 / Q5_0 / Q8_0 / IQ4_NL weight matrices re-laid for the CPU matmul kernels (the same
// idea as llama.cpp's CPU "repack" buffers): rows in groups of 16, and within
// a group the bytes of the 16 rows interleaved 4 at a time, so one 64-byte
// load holds 4 consecutive values of each of the 16 rows and one VNNI
// instruction (vpdpbusd) advances 16 row dot products at once. The int32
// lanes are rows, so each block's float scaling is one multiply-add for 16
// rows instead of one per row. Values and scales are GGML's, unchanged.
//
// Layout of one group (16 rows, padded with zero rows at the end), for each
// of the row's nb blocks of 32 values:
//   qs region: nb blocks of kQs bytes, block b at b * kQs:
//     Q4_0 (kQs 256): for g in 0..3, for r in 0..15: bytes 4g..4g+3 of row r's
//       nibble bytes (low nibbles: values 4g.., high nibbles: values 16+4g..).
//     Q8_0 (kQs 512): for g in 0..7, for r in 0..15: values 4g..4g+3 of row r,
//       stored as value + 128 (unsigned bytes, so they can be vpdpbusd's
//       unsigned operand; the kernel subtracts 128 * sum(x)).
//     Q5_0 takes Q8_0's layout: its values -16..15 (nibble | fifth bit, - 16)
//       stored as bytes + 128. It costs 34 bytes per 32 values in memory
//       against the file's 22, and needs no kernel of its own: llama.cpp too
//       multiplies Q5_0 with Q8_0 activations in integer block sums.
//     IQ4_NL too: its levels (-127..113, gguf/iq4_values.h) as bytes + 128,
//       34 bytes per 32 values against the file's 18; llama.cpp's
//       IQ4_NL x Q8_0 dot is the same integer block sum of levels.
//   scales region: nb blocks of 16 fp16 scales (row 0..15).
#pragma once
#include <cstdint>
#include <memory>

#include "gguf/ggml_type.h"
#include "backend/cpu/weight_buffer.h"

namespace lantern {

class ThreadPool;

class PackedWeights {
 public:
  static constexpr int kGroupRows = 16;

  // True for the types (and shapes) this layout holds.
  static bool supports(GgmlType type, int64_t cols) {
    return (type == GgmlType::Q4_0 || type == GgmlType::Q5_0 || type == GgmlType::Q8_0 || type == GgmlType::IQ4_NL) &&
           cols > 0 && cols % 32 == 0;
  }
  // Re-lays `rows` rows of `cols` values in GGML's row format (row_bytes
  // apart), split over the pool's threads when given.
  void pack(GgmlType type, const uint8_t* src, uint64_t row_bytes, int64_t rows, int64_t cols, ThreadPool* pool);

  bool empty() const { return rows_ == 0; }
  GgmlType type() const { return type_; }  // the file's type
  // Q4_0 keeps nibbles; the others are bytes + 128 (the kernels' two layouts).
  bool nibbles() const { return type_ == GgmlType::Q4_0; }
  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  int64_t blocks() const { return cols_ / 32; }
  int64_t groups() const { return (rows_ + kGroupRows - 1) / kGroupRows; }
  // Bytes of one block's values in a group (256 for nibbles, 512 for bytes).
  int64_t block_qs_bytes() const { return nibbles() ? 256 : 512; }
  const uint8_t* group_qs(int64_t g) const { return buf_.data() + static_cast<size_t>(g) * group_bytes_; }
  const uint16_t* group_scales(int64_t g) const {
    return reinterpret_cast<const uint16_t*>(group_qs(g) + blocks() * block_qs_bytes());
  }
  size_t bytes() const { return static_cast<size_t>(groups()) * group_bytes_; }

 private:
  void pack_groups(const uint8_t* src, uint64_t row_bytes, int64_t g0, int64_t g1);
  GgmlType type_ = GgmlType::Q4_0;
  int64_t rows_ = 0, cols_ = 0;
  size_t group_bytes_ = 0;
  WeightBuffer buf_;
};

}  // namespace lantern
