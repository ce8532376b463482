#include "backend/cpu/packed_k_weights.h"

#include <array>
#include <cstring>
#include <stdexcept>
#include <string>

#include "backend/cpu/quant_dot.h"
#include "backend/cpu/thread_pool.h"
#include "gguf/iq4_values.h"

namespace lantern {

namespace {
// IQ4_XS: KQuantRow holds its levels; the packed nibbles are their indices.
const std::array<uint8_t, 256>& iq4_index_of_level() {
  static const std::array<uint8_t, 256> index = [] {
    std::array<uint8_t, 256> t{};
    for (uint8_t i = 0; i < 16; ++i) t[static_cast<uint8_t>(kIq4Values[i])] = i;
    return t;
  }();
  return index;
}
}  // namespace

void PackedKWeights::pack(GgmlType type, const uint8_t* src, uint64_t row_bytes, int64_t rows, int64_t cols,
                          ThreadPool* pool) {
  if (!supports(type, cols))
    throw std::invalid_argument("pack: only Q4_K/Q5_K/Q6_K/IQ4_XS rows of a multiple of 256 values");
  if (rows <= 0) throw std::invalid_argument("pack: no rows");
  const GgmlTypeTraits* tt = ggml_type_traits(static_cast<uint32_t>(type));
  const uint64_t expect = static_cast<uint64_t>(cols / kBlock) * tt->type_size;
  if (row_bytes != expect) throw std::invalid_argument("pack: row of " + std::to_string(row_bytes) + " bytes, expected " + std::to_string(expect));
  type_ = type;
  rows_ = rows;
  cols_ = cols;
  buf_ = WeightBuffer(bytes(), /*zeroed=*/true);  // padding rows stay zero
  if (pool) {
    pool->parallel_for(groups(), [&](int64_t g0, int64_t g1, int) { pack_groups(src, row_bytes, g0, g1); }, 4);
  } else {
    pack_groups(src, row_bytes, 0, groups());
  }
}

void PackedKWeights::pack_groups(const uint8_t* src, uint64_t row_bytes, int64_t g0, int64_t g1) {
  KQuantRow row;  // the row's values, scales and mins as integers (quant_dot.h)
  const int off = value_offset();
  for (int64_t g = g0; g < g1; ++g) {
    for (int r = 0; r < kGroupRows; ++r) {
      const int64_t j = g * kGroupRows + r;
      if (j >= rows_) break;  // padding rows: zero values, scales and d
      unpack_k_row(type_, src + static_cast<uint64_t>(j) * row_bytes, cols_, row);
      for (int64_t b = 0; b < blocks(); ++b) {
        uint8_t* blk = block(g, b);
        const int8_t* q = &row.q[b * kBlock];
        if (nibbles()) {
          // Unsigned values (Q6_K's + 32, IQ4_XS's level indices): low 4
          // bits here, Q6_K's top 2 below.
          const std::array<uint8_t, 256>& index = iq4_index_of_level();
          auto u = [&](int e) {
            return levels() ? index[static_cast<uint8_t>(q[e])] : static_cast<uint8_t>(q[e] + off);
          };
          for (int k = 0; k < 32; ++k)
            for (int i = 0; i < 4; ++i)
              blk[k * 64 + r * 4 + i] = static_cast<uint8_t>((u(4 * k + i) & 0x0F) | ((u(128 + 4 * k + i) & 0x0F) << 4));
          if (high_bits())
            for (int k = 0; k < 16; ++k)
              for (int i = 0; i < 4; ++i) {
                const int e = 4 * k + i;
                blk[kHighBitsAt + k * 64 + r * 4 + i] =
                    static_cast<uint8_t>((u(e) >> 4) | ((u(e + 128) >> 4) << 2) | ((u(e + 64) >> 4) << 4) | ((u(e + 192) >> 4) << 6));
              }
        } else {
          for (int k = 0; k < 64; ++k)
            for (int i = 0; i < 4; ++i) blk[k * 64 + r * 4 + i] = static_cast<uint8_t>(q[4 * k + i] + off);
        }
        for (int s = 0; s < 16; ++s) blk[scales_at() + s * kGroupRows + r] = static_cast<uint8_t>(row.scales[b * 16 + s]);
        float* dd = reinterpret_cast<float*>(blk + d_at());
        dd[r] = row.d[b];
        if (has_mins()) {
          for (int m = 0; m < 8; ++m) blk[mins_at() + m * kGroupRows + r] = static_cast<uint8_t>(row.mins[b * 8 + m]);
          dd[kGroupRows + r] = row.dmin[b];
        }
      }
    }
  }
}

}  // namespace lantern
