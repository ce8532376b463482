#include "backend/cpu/packed_weights.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include "backend/cpu/quant_dot.h"
#include "backend/cpu/thread_pool.h"

namespace lantern {

namespace {
constexpr int kQ4BlockBytes = 18;  // fp16 scale + 16 bytes of nibbles
constexpr int kQ8BlockBytes = 34;  // fp16 scale + 32 signed bytes

int source_block_bytes(GgmlType type) {
  switch (type) {
    case GgmlType::Q4_0: return kQ4BlockBytes;
    case GgmlType::Q5_0: return kQ5_0BlockBytes;
    case GgmlType::IQ4_NL: return kIq4NlBlockBytes;
    default: return kQ8BlockBytes;
  }
}
}  // namespace

void PackedWeights::pack(GgmlType type, const uint8_t* src, uint64_t row_bytes, int64_t rows, int64_t cols,
                         ThreadPool* pool) {
  if (!supports(type, cols))
    throw std::invalid_argument("pack: only Q4_0/Q5_0/Q8_0/IQ4_NL rows of a multiple of 32 values");
  if (rows <= 0) throw std::invalid_argument("pack: no rows");
  const uint64_t expect = static_cast<uint64_t>(cols / 32) * source_block_bytes(type);
  if (row_bytes != expect) throw std::invalid_argument("pack: row of " + std::to_string(row_bytes) + " bytes, expected " + std::to_string(expect));
  type_ = type;
  rows_ = rows;
  cols_ = cols;
  group_bytes_ = static_cast<size_t>(blocks()) * (block_qs_bytes() + 2 * kGroupRows);
  buf_ = WeightBuffer(bytes(), /*zeroed=*/false);  // every byte is written below
  if (pool) {
    pool->parallel_for(groups(), [&](int64_t g0, int64_t g1, int) { pack_groups(src, row_bytes, g0, g1); }, 16);
  } else {
    pack_groups(src, row_bytes, 0, groups());
  }
}

void PackedWeights::pack_groups(const uint8_t* src, uint64_t row_bytes, int64_t g0, int64_t g1) {
  const int64_t nb = blocks();
  const bool q4 = nibbles();
  const int block_bytes = source_block_bytes(type_);
  const int n_groups4 = q4 ? 4 : 8;  // groups of 4 bytes per block and row
  for (int64_t g = g0; g < g1; ++g) {
    uint8_t* qs = buf_.data() + static_cast<size_t>(g) * group_bytes_;
    auto* scales = reinterpret_cast<uint16_t*>(qs + nb * block_qs_bytes());
    for (int r = 0; r < kGroupRows; ++r) {
      const int64_t row = g * kGroupRows + r;
      if (row >= rows_) {
        // Padding rows: zero scales; Q8_0 values sit at the +128 offset.
        for (int64_t b = 0; b < nb; ++b) {
          scales[b * kGroupRows + r] = 0;
          for (int k = 0; k < n_groups4; ++k) std::memset(qs + b * block_qs_bytes() + k * 64 + r * 4, q4 ? 0 : 0x80, 4);
        }
        continue;
      }
      const uint8_t* src_row = src + static_cast<uint64_t>(row) * row_bytes;
      for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* blk = src_row + b * block_bytes;
        std::memcpy(&scales[b * kGroupRows + r], blk, 2);
        uint8_t* dst = qs + b * block_qs_bytes() + r * 4;
        // Signed values: Q8_0's as stored, Q5_0's and IQ4_NL's unpacked.
        int8_t unpacked[32];
        if (type_ == GgmlType::Q5_0) unpack_q5_0_block(blk, unpacked);
        if (type_ == GgmlType::IQ4_NL) unpack_iq4_nl_block(blk, unpacked);
        const auto* values = type_ == GgmlType::Q8_0 ? blk + 2 : reinterpret_cast<const uint8_t*>(unpacked);
        for (int k = 0; k < n_groups4; ++k) {
          if (q4) {
            std::memcpy(dst + k * 64, blk + 2 + 4 * k, 4);
          } else {
            for (int i = 0; i < 4; ++i) dst[k * 64 + i] = static_cast<uint8_t>(values[4 * k + i] ^ 0x80);
          }
        }
      }
    }
  }
}

}  // namespace lantern
