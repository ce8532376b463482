// CPU backend building blocks: the SIMD kernels (quantised products,
// attention, elementwise) against plain references on the same data, the
// backend's matmul paths against each other, the thread pool, KV bookkeeping.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <numeric>
#include <random>
#include <set>
#include <thread>
#include <chrono>

#include "backend/cpu/attention.h"
#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/quant_dot.h"
#include "backend/cpu/quant_gemm.h"
#include "backend/cpu/quant_gemm_k.h"
#include "backend/cpu/thread_pool.h"
#include "backend/cpu/vec_math.h"
#include "gguf/dequant.h"
#include "kv/kv_cache.h"

using namespace lantern;

namespace {
std::vector<float> random_row(int n, uint32_t seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> d(-2.0f, 2.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

// A rows x cols activation holding `data`: the backend has no upload op for
// activations, so they are gathered (get_rows) from an f32 table of those rows.
Act upload_rows(Backend& be, const std::vector<float>& data, int rows, int cols) {
  const GgufTensorInfo info{"t", {static_cast<uint64_t>(cols), static_cast<uint64_t>(rows)}, GgmlType::F32, 0,
                            static_cast<uint64_t>(cols) * rows, 4ull * cols * rows};
  const Weight table = be.create_weight(info, reinterpret_cast<const uint8_t*>(data.data()));
  const Act a = be.create_act(rows, cols);
  std::vector<int32_t> ids(rows);
  std::iota(ids.begin(), ids.end(), 0);
  be.get_rows(table, ids.data(), rows, a);
  return a;
}

// sum_i w_i * x_i over dequantised weights and dequantised Q8 activations:
// exactly what the integer kernels compute, up to float summation order.
double reference(GgmlType type, const std::vector<uint8_t>& wq, const std::vector<ActBlockQ8>& xq, int n) {
  std::vector<float> w(n);
  dequantize_row(type, wq.data(), w.data(), n);
  double s = 0;
  for (int i = 0; i < n; ++i) s += static_cast<double>(w[i]) * xq[i / 32].d * xq[i / 32].qs[i % 32];
  return s;
}
}  // namespace

class QuantDot : public ::testing::TestWithParam<GgmlType> {};

TEST_P(QuantDot, MatchesReferenceOnTheSameBlocks) {
  const GgmlType type = GetParam();
  const GgmlTypeTraits* tt = ggml_type_traits(static_cast<uint32_t>(type));
  for (int n : {32, 64, 896, 4864}) {
    const auto w = random_row(n, n), x = random_row(n, n + 1);
    std::vector<uint8_t> wq(n / 32 * tt->type_size);
    quantize_row(type, w.data(), wq.data(), n);
    std::vector<ActBlockQ8> xq(n / 32);
    quantize_act_q8(x.data(), xq.data(), n);
    int32_t sum = 0;
    for (int i = 0; i < 32; ++i) sum += xq[0].qs[i];
    EXPECT_EQ(sum, xq[0].sum);
    const double ref = reference(type, wq, xq, n);
    const float got = type == GgmlType::Q4_0     ? dot_q4_0_q8(wq.data(), xq.data(), n)
                      : type == GgmlType::Q5_0   ? dot_q5_0_q8(wq.data(), xq.data(), n)
                      : type == GgmlType::IQ4_NL ? dot_iq4_nl_q8(wq.data(), xq.data(), n)
                                                 : dot_q8_0_q8(wq.data(), xq.data(), n);
    EXPECT_NEAR(got, ref, 1e-4 * (1 + std::fabs(ref))) << "n=" << n;
  }
}

INSTANTIATE_TEST_SUITE_P(Types, QuantDot,
                         ::testing::Values(GgmlType::Q4_0, GgmlType::Q5_0, GgmlType::Q8_0, GgmlType::IQ4_NL));

TEST(QuantDot, ActivationQuantisationIsGgmls) {
  // Largest magnitude maps to +-127, scale stored through fp16.
  std::vector<float> x(32, 0.0f);
  x[3] = -2.54f;
  x[7] = 1.27f;
  ActBlockQ8 b;
  quantize_act_q8(x.data(), &b, 32);
  EXPECT_EQ(b.qs[3], -127);
  EXPECT_EQ(b.qs[7], 64);  // 1.27 / (2.54/127) = 63.5 rounds away from zero
  EXPECT_EQ(b.d, fp16_to_fp32(fp32_to_fp16(2.54f / 127.0f)));
}

// The packed-weight kernels against the double-precision reference on the
// same quantised blocks: partial row groups, token counts that leave tile
// remainders, one token (the decode tiles) and a bias.
class QuantGemm : public ::testing::TestWithParam<GgmlType> {};

namespace {
struct GemmCase {
  int n, out_dim, tokens;
  std::vector<uint8_t> w;
  std::vector<float> x, bias;
  PackedWeights packed;
  QuantizedActs acts;
  uint64_t row_bytes;
  GemmCase(GgmlType type, int n_, int out_dim_, int tokens_) : n(n_), out_dim(out_dim_), tokens(tokens_) {
    const GgmlTypeTraits* tt = ggml_type_traits(static_cast<uint32_t>(type));
    row_bytes = n / 32 * tt->type_size;
    w.resize(out_dim * row_bytes);
    for (int j = 0; j < out_dim; ++j) quantize_row(type, random_row(n, 100 * j + n).data(), w.data() + j * row_bytes, n);
    x = random_row(tokens * n, 7000 + n + tokens);
    for (int j = 0; j < out_dim; ++j) bias.push_back(0.25f * j - 3.0f);
    packed.pack(type, w.data(), row_bytes, out_dim, n, nullptr);
    acts.quantize(x.data(), tokens, n, n, type);
  }
  double reference(GgmlType type, int c, int j) const {
    std::vector<ActBlockQ8> xq(n / 32);
    quantize_act_q8(&x[c * n], xq.data(), n);
    const std::vector<uint8_t> wrow(w.begin() + j * row_bytes, w.begin() + (j + 1) * row_bytes);
    return ::reference(type, wrow, xq, n) + bias[j];
  }
};
}  // namespace

TEST_P(QuantGemm, MatchesReferenceOnTheSameBlocks) {
  const GgmlType type = GetParam();
  for (int n : {32, 96, 896}) {
    for (int out_dim : {1, 16, 23, 80}) {
      for (int tokens : {1, 2, 7, 17}) {
        const GemmCase gc(type, n, out_dim, tokens);
        std::vector<float> simd(tokens * out_dim, NAN), scalar(tokens * out_dim, NAN);
        quant_gemm(gc.packed, 0, gc.packed.groups(), gc.acts, 0, tokens, simd.data(), out_dim, gc.bias.data());
        quant_gemm_scalar(gc.packed, 0, gc.packed.groups(), gc.acts, 0, tokens, scalar.data(), out_dim, gc.bias.data());
        for (int c = 0; c < tokens; ++c)
          for (int j = 0; j < out_dim; ++j) {
            const double ref = gc.reference(type, c, j);
            const double tol = 1e-4 * (1 + std::fabs(ref));
            ASSERT_NEAR(simd[c * out_dim + j], ref, tol) << "n=" << n << " rows=" << out_dim << " token " << c << " row " << j;
            ASSERT_NEAR(scalar[c * out_dim + j], ref, tol) << "n=" << n << " rows=" << out_dim << " token " << c << " row " << j;
          }
      }
    }
  }
}

TEST_P(QuantGemm, SubRangesWriteOnlyTheirOwnOutputs) {
  const GgmlType type = GetParam();
  const GemmCase gc(type, 64, 70, 12);  // 5 groups, the last one partial
  std::vector<float> full(12 * 70), part(12 * 70, -1234.0f);
  quant_gemm(gc.packed, 0, 5, gc.acts, 0, 12, full.data(), 70, nullptr);
  quant_gemm(gc.packed, 1, 5, gc.acts, 2, 11, part.data(), 70, nullptr);
  for (int c = 0; c < 12; ++c)
    for (int j = 0; j < 70; ++j) {
      const bool inside = c >= 2 && c < 11 && j >= 16;
      ASSERT_EQ(part[c * 70 + j], inside ? full[c * 70 + j] : -1234.0f) << c << "," << j;
    }
}

TEST(QuantGemm, RejectsMismatchedInputs) {
  const GemmCase gc(GgmlType::Q4_0, 64, 16, 1);
  QuantizedActs q8;
  q8.quantize(gc.x.data(), 1, 64, 64, GgmlType::Q8_0);
  std::vector<float> out(16);
  EXPECT_THROW(quant_gemm(gc.packed, 0, 1, q8, 0, 1, out.data(), 16, nullptr), std::invalid_argument);
  PackedWeights p;
  EXPECT_THROW(p.pack(GgmlType::Q4_0, gc.w.data(), gc.row_bytes + 1, 16, 64, nullptr), std::invalid_argument);
  EXPECT_THROW(p.pack(GgmlType::F16, gc.w.data(), gc.row_bytes, 16, 64, nullptr), std::invalid_argument);
  EXPECT_THROW(q8.quantize(gc.x.data(), 1, 40, 40, GgmlType::Q8_0), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(Types, QuantGemm,
                         ::testing::Values(GgmlType::Q4_0, GgmlType::Q5_0, GgmlType::Q8_0, GgmlType::IQ4_NL));

// The packed K-quant kernels (packed_k_weights.h) against a double-precision
// reference on the same blocks (weights dequantised by gguf/dequant.cpp,
// activations as their Q8_K values), and against the row-by-row K-quant dot.
class QuantGemmK : public ::testing::TestWithParam<GgmlType> {};

TEST_P(QuantGemmK, MatchesReferenceOnTheSameBlocks) {
  const GgmlType type = GetParam();
  const GgmlTypeTraits* tt = ggml_type_traits(static_cast<uint32_t>(type));
  for (int n : {256, 768}) {
    for (int out_dim : {1, 16, 23, 40}) {
      for (int tokens : {1, 2, 5, 9}) {
        const uint64_t row_bytes = n / 256 * tt->type_size;
        std::vector<uint8_t> w(out_dim * row_bytes);
        for (int j = 0; j < out_dim; ++j) quantize_row(type, random_row(n, 31 * j + n).data(), w.data() + j * row_bytes, n);
        const int64_t nb = n / 256;
        std::vector<ActBlockQ8K> x(tokens * nb);
        for (int c = 0; c < tokens; ++c) quantize_act_q8k(random_row(n, 900 + c).data(), &x[c * nb], n);
        std::vector<float> bias;
        for (int j = 0; j < out_dim; ++j) bias.push_back(0.5f * j - 2.0f);
        PackedKWeights packed;
        packed.pack(type, w.data(), row_bytes, out_dim, n, nullptr);
        std::vector<float> simd(tokens * out_dim, NAN), scalar(tokens * out_dim, NAN);
        quant_gemm_k(packed, 0, packed.groups(), x.data(), 0, tokens, simd.data(), out_dim, bias.data());
        quant_gemm_k_scalar(packed, 0, packed.groups(), x.data(), 0, tokens, scalar.data(), out_dim, bias.data());
        KQuantRow krow;
        std::vector<float> wf(n);
        for (int j = 0; j < out_dim; ++j) {
          dequantize_row(type, w.data() + j * row_bytes, wf.data(), n);
          unpack_k_row(type, w.data() + j * row_bytes, n, krow);
          for (int c = 0; c < tokens; ++c) {
            double ref = bias[j];
            for (int i = 0; i < n; ++i) ref += static_cast<double>(wf[i]) * x[c * nb + i / 256].d * x[c * nb + i / 256].qs[i % 256];
            const double tol = 1e-4 * (1 + std::fabs(ref));
            const float row_dot = dot_k_q8k(krow, &x[c * nb], n) + bias[j];
            ASSERT_NEAR(simd[c * out_dim + j], ref, tol) << "n=" << n << " rows=" << out_dim << " token " << c << " row " << j;
            ASSERT_NEAR(scalar[c * out_dim + j], ref, tol) << "n=" << n << " rows=" << out_dim << " token " << c << " row " << j;
            ASSERT_NEAR(simd[c * out_dim + j], row_dot, 1e-5 * (1 + std::fabs(ref)));
          }
        }
      }
    }
  }
}

TEST(QuantGemmK, RejectsRowsItCannotHold) {
  PackedKWeights p;
  std::vector<uint8_t> w(4 * 144);
  EXPECT_THROW(p.pack(GgmlType::Q4_K, w.data(), 145, 4, 256, nullptr), std::invalid_argument);
  EXPECT_THROW(p.pack(GgmlType::Q4_K, w.data(), 144, 4, 128, nullptr), std::invalid_argument);
  EXPECT_THROW(p.pack(GgmlType::Q4_0, w.data(), 144, 4, 256, nullptr), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(Types, QuantGemmK,
                         ::testing::Values(GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K, GgmlType::IQ4_XS));

TEST(QuantDot, F32DotAllLengths) {
  for (int n = 1; n < 80; ++n) {
    const auto a = random_row(n, 3 * n), b = random_row(n, 3 * n + 1);
    double ref = 0;
    for (int i = 0; i < n; ++i) ref += static_cast<double>(a[i]) * b[i];
    EXPECT_NEAR(dot_f32(a.data(), b.data(), n), ref, 1e-4) << n;
  }
}

// The SIMD e^x within 2 ulp of std::exp over the range where floats are
// normal, and the ends (overflow to inf, underflow to 0) handled.
TEST(VecMath, ExpWithinTwoUlpOfStdExp) {
  std::vector<float> x;
  for (float v = -87.0f; v <= 88.7f; v += 0.0137f) x.push_back(v);
  for (float v : {0.0f, -0.0f, 1e-8f, -1e-8f, 88.72f, -87.33f}) x.push_back(v);
  std::vector<float> got(x.size());
  exp_row(x.data(), got.data(), static_cast<int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    const float want = std::exp(x[i]);
    const float ulp = std::nextafter(want, INFINITY) - want;
    ASSERT_LE(std::fabs(got[i] - want), 2 * ulp) << "x=" << x[i];
  }
  const std::vector<float> ends = {89.0f, 1e30f, INFINITY, -105.0f, -1e30f, -INFINITY};
  std::vector<float> e(ends.size());
  exp_row(ends.data(), e.data(), static_cast<int64_t>(ends.size()));
  EXPECT_EQ(e[0], INFINITY);
  EXPECT_EQ(e[1], INFINITY);
  EXPECT_EQ(e[2], INFINITY);
  EXPECT_EQ(e[3], 0.0f);
  EXPECT_EQ(e[4], 0.0f);
  EXPECT_EQ(e[5], 0.0f);
}

TEST(VecMath, SwigluMatchesTheFormula) {
  for (int n : {1, 15, 16, 17, 100}) {
    const auto g = random_row(n, 5 * n), u = random_row(n, 5 * n + 1);
    std::vector<float> out(n);
    swiglu_row(g.data(), u.data(), out.data(), n);
    for (int i = 0; i < n; ++i) {
      const double want = g[i] / (1.0 + std::exp(-static_cast<double>(g[i]))) * u[i];
      ASSERT_NEAR(out[i], want, 1e-6 * (1 + std::fabs(want))) << "n=" << n << " i=" << i;
    }
  }
}

// GeGLU against the tanh-approximated GELU in double: within the fp16
// rounding of its input and result (llama.cpp's table), exact at the ends.
TEST(VecMath, GegluMatchesTheFormulaWithinFp16) {
  std::vector<float> g = random_row(200, 77), u = random_row(200, 78);
  for (size_t i = 0; i < g.size(); ++i) g[i] *= 6.0f;  // -6..6: the curved part
  g.insert(g.end(), {-12.0f, -10.0f, 10.0f, 12.5f, 0.0f});
  u.insert(u.end(), {1.0f, 2.0f, 3.0f, -1.0f, 5.0f});
  std::vector<float> out(g.size());
  geglu_row(g.data(), u.data(), out.data(), static_cast<int64_t>(g.size()));
  for (size_t i = 0; i < g.size(); ++i) {
    const double x = g[i];
    const double gelu = 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
    const double want = gelu * u[i];
    // fp16 input rounding moves gelu by up to |gelu'(x)| * |x| * 2^-11 (gelu' < 1.13).
    ASSERT_NEAR(out[i], want, (1.2 * std::fabs(x) * 0x1p-11 + std::fabs(gelu) * 0x1p-11 + 1e-7) * std::fabs(u[i]) + 1e-7)
        << "x=" << x;
  }
  EXPECT_EQ(out[200], 0.0f);                  // x <= -10: 0
  EXPECT_EQ(out[201], 0.0f);
  EXPECT_EQ(out[202], 10.0f * 3.0f);          // x >= 10: x * up
  EXPECT_EQ(out[203], -12.5f);
  EXPECT_EQ(out[204], 0.0f);
}

// Attention kernels against exact f32 softmax attention over the same fp16
// keys and values: the tiled kernel (f32 arithmetic) tightly, the
// step-by-step one (fp16 accumulator) within fp16 rounding. Head sizes with
// and without a vector part, GQA heads sharing a kv head, a query tile that
// starts mid-cache and a partial tile.
TEST(Attention, KernelsMatchExactSoftmax) {
  for (int hd : {8, 64, 80}) {
    const int n_heads = 3, n_keys_total = 150, rows = 70, pos_first = n_keys_total - rows;
    const int stride = hd;  // one kv head
    std::vector<uint16_t> k16(n_keys_total * stride), v16(n_keys_total * stride);
    std::vector<float> kf(k16.size()), vf(v16.size());
    const auto kr = random_row(static_cast<int>(k16.size()), 11 + hd), vr = random_row(static_cast<int>(v16.size()), 12 + hd);
    for (size_t i = 0; i < k16.size(); ++i) {
      k16[i] = fp32_to_fp16(kr[i]);
      v16[i] = fp32_to_fp16(vr[i]);
      kf[i] = fp16_to_fp32(k16[i]);
      vf[i] = fp16_to_fp32(v16[i]);
    }
    const int q_stride = n_heads * hd;
    const auto q = random_row(rows * q_stride, 13 + hd);
    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
    std::vector<float> tiled(rows * q_stride), scratch(attention_tile_scratch(hd, n_heads) + 4096);
    for (int r0 = 0; r0 < rows; r0 += kAttentionTile)
      attend_rows_tiled_f16(&q[r0 * q_stride], q_stride, n_heads, std::min(kAttentionTile, rows - r0), pos_first + r0,
                            k16.data(), v16.data(), stride, hd, scale, 0.0f, 0, &tiled[r0 * q_stride], q_stride,
                            scratch.data());
    std::vector<float> exact(hd), stepped(hd), tmp(n_keys_total + 2 * hd);
    for (int r = 0; r < rows; ++r)
      for (int h = 0; h < n_heads; ++h) {
        const float* qv = &q[r * q_stride + h * hd];
        const int n_keys = pos_first + r + 1;
        attend_head_f32(qv, kf.data(), vf.data(), stride, n_keys, hd, scale, 0.0f, exact.data(), tmp.data());
        attend_head_f16(qv, k16.data(), v16.data(), stride, n_keys, hd, scale, 0.0f, stepped.data(), tmp.data());
        for (int d = 0; d < hd; ++d) {
          ASSERT_NEAR(tiled[r * q_stride + h * hd + d], exact[d], 2e-5) << "hd=" << hd << " row " << r << " head " << h;
          ASSERT_NEAR(stepped[d], exact[d], 5e-3) << "hd=" << hd << " row " << r << " head " << h;
        }
      }
  }
}

// The backend's matmul with packed weights against the unpacked row-by-row
// path (the same integer block dots) on 1..3 threads, with a bias and a
// partial row group; and its quantised-input reuse: after the input changes
// (here through add()) the product must follow.
TEST(CpuBackendMatmul, PackedEqualsUnpackedAndSeesInputChanges) {
  for (GgmlType type : {GgmlType::Q4_0, GgmlType::Q5_0, GgmlType::Q8_0, GgmlType::IQ4_NL, GgmlType::Q4_K, GgmlType::Q5_K,
                        GgmlType::Q6_K, GgmlType::IQ4_XS}) {
    const GgmlTypeTraits* tt = ggml_type_traits(static_cast<uint32_t>(type));
    const int in = tt->block_size == 256 ? 512 : 96, out_dim = 100, rows = 5;
    const uint64_t row_bytes = in / tt->block_size * tt->type_size;
    std::vector<uint8_t> wbytes(out_dim * row_bytes);
    for (int j = 0; j < out_dim; ++j) quantize_row(type, random_row(in, 300 + j).data(), wbytes.data() + j * row_bytes, in);
    const auto bias = random_row(out_dim, 77);
    const auto x = random_row(rows * in, 78), y = random_row(rows * in, 79);
    GgufTensorInfo wi{"w", {static_cast<uint64_t>(in), static_cast<uint64_t>(out_dim)}, type, 0,
                      static_cast<uint64_t>(in) * out_dim, wbytes.size()};
    GgufTensorInfo bi{"b", {static_cast<uint64_t>(out_dim)}, GgmlType::F32, 0, static_cast<uint64_t>(out_dim), 4ull * out_dim};
    auto run = [&](bool packed, int threads, std::vector<float>& first, std::vector<float>& second) {
      CpuBackendOptions o;
      o.n_threads = threads;
      o.pack_weights = packed;
      CpuBackend be(o);
      const Weight w = be.create_weight(wi, wbytes.data());
      const Weight b = be.create_weight(bi, reinterpret_cast<const uint8_t*>(bias.data()));
      const Act xa = upload_rows(be, x, rows, in), ya = upload_rows(be, y, rows, in), oa = be.create_act(rows, out_dim);
      first.assign(rows * out_dim, 0.0f);
      second.assign(rows * out_dim, 0.0f);
      be.matmul(w, b, xa, rows, oa);
      be.matmul(w, b, xa, rows, oa);  // reuses the quantised x
      be.read_begin(oa, rows, first.data());
      be.add(xa, ya, rows);           // x changes: the reuse must end
      be.matmul(w, b, xa, rows, oa);
      be.read_begin(oa, rows, second.data());
    };
    std::vector<float> ref1, ref2;
    run(false, 1, ref1, ref2);
    for (int threads : {1, 2, 3}) {
      std::vector<float> a1, a2;
      run(true, threads, a1, a2);
      for (size_t i = 0; i < ref1.size(); ++i) {
        ASSERT_NEAR(a1[i], ref1[i], 1e-4 * (1 + std::fabs(ref1[i]))) << "threads " << threads << " i " << i;
        ASSERT_NEAR(a2[i], ref2[i], 1e-4 * (1 + std::fabs(ref2[i]))) << "threads " << threads << " i " << i;
      }
      EXPECT_GT(std::fabs(a2[0] - a1[0]), 1e-3) << "the second product should see the changed input";
    }
  }
}

// Uploaded weights (the backend holds the bytes, as in wasm) are released
// once packed, so a model costs its size once: products still answer, a
// late write says why it cannot land, and a weight get_rows reads (a tied
// embedding, gathered before its first product) keeps its bytes.
TEST(CpuBackendMatmul, PackedUploadedWeightsReleaseTheirBytesUnlessGathered) {
  for (GgmlType type : {GgmlType::Q4_0, GgmlType::Q4_K}) {
    const GgmlTypeTraits* tt = ggml_type_traits(static_cast<uint32_t>(type));
    const int in = 256, out_dim = 32, rows = 2;
    const uint64_t row_bytes = in / tt->block_size * tt->type_size;
    std::vector<uint8_t> wbytes(out_dim * row_bytes);
    for (int j = 0; j < out_dim; ++j) quantize_row(type, random_row(in, 500 + j).data(), wbytes.data() + j * row_bytes, in);
    const GgufTensorInfo wi{"blk.0.ffn_up.weight", {static_cast<uint64_t>(in), static_cast<uint64_t>(out_dim)}, type, 0,
                            static_cast<uint64_t>(in) * out_dim, wbytes.size()};
    CpuBackend be;
    const Weight w = be.create_weight(wi, nullptr), tied = be.create_weight(wi, nullptr);
    be.write_weight(w, 0, wbytes.data(), wbytes.size());
    be.write_weight(tied, 0, wbytes.data(), wbytes.size());
    const Act x = upload_rows(be, random_row(rows * in, 9), rows, in), o1 = be.create_act(rows, out_dim),
              o2 = be.create_act(rows, out_dim), g = be.create_act(1, in);
    const int32_t tok = 3;
    be.get_rows(tied, &tok, 1, g);  // gathered first, as a forward does
    be.matmul(w, Weight{}, x, rows, o1);
    be.matmul(tied, Weight{}, x, rows, o2);
    std::vector<float> a(rows * out_dim), b(rows * out_dim), gathered(in);
    be.read_begin(o1, rows, a.data());
    be.read_begin(o2, rows, b.data());
    EXPECT_EQ(a, b) << "the same weights give the same product";
    try {
      be.write_weight(w, 0, wbytes.data(), 16);
      ADD_FAILURE() << "a write into a released weight must fail";
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find("blk.0.ffn_up.weight was packed and released"), std::string::npos) << e.what();
    }
    be.get_rows(tied, &tok, 1, g);  // still there
    be.read_begin(g, 1, gathered.data());
    std::vector<float> want(in);
    dequantize_row(type, wbytes.data() + tok * row_bytes, want.data(), in);
    EXPECT_EQ(gathered, want);
  }
}

// f16_prefill (the WebGPU subgroup-matrix prefill's reference): a product over
// more than kDecodeRows rows equals f32 dot products of operands rounded to
// fp16 (Q4_0 weights dequantised first, then rounded; with the bias), and
// differs from the f32 product; a decode-sized product stays f32.
TEST(CpuBackendMatmul, F16PrefillRoundsBothOperandsOnlyOverMoreThanDecodeRows) {
  const int in = 64, out_dim = 24;
  const uint64_t row_bytes = in / 32 * ggml_type_traits(static_cast<uint32_t>(GgmlType::Q4_0))->type_size;
  std::vector<uint8_t> wbytes(out_dim * row_bytes);
  for (int j = 0; j < out_dim; ++j) quantize_row(GgmlType::Q4_0, random_row(in, 500 + j).data(), wbytes.data() + j * row_bytes, in);
  const auto bias = random_row(out_dim, 501);
  const GgufTensorInfo wi{"w", {static_cast<uint64_t>(in), static_cast<uint64_t>(out_dim)}, GgmlType::Q4_0, 0,
                          static_cast<uint64_t>(in) * out_dim, wbytes.size()};
  const GgufTensorInfo bi{"b", {static_cast<uint64_t>(out_dim)}, GgmlType::F32, 0, static_cast<uint64_t>(out_dim), 4ull * out_dim};
  const auto round16 = [](float v) { return fp16_to_fp32(fp32_to_fp16(v)); };
  for (int rows : {Backend::kDecodeRows, Backend::kDecodeRows + 1, 9}) {
    const auto x = random_row(rows * in, 502 + rows);
    auto run = [&](bool f16_prefill) {
      CpuBackendOptions o;
      o.n_threads = 2;
      o.f32_activations = true;
      o.f16_prefill = f16_prefill;
      CpuBackend be(o);
      const Weight w = be.create_weight(wi, wbytes.data());
      const Weight b = be.create_weight(bi, reinterpret_cast<const uint8_t*>(bias.data()));
      const Act xa = upload_rows(be, x, rows, in), oa = be.create_act(rows, out_dim);
      be.matmul(w, b, xa, rows, oa);
      std::vector<float> out(rows * out_dim);
      be.read_begin(oa, rows, out.data());
      return out;
    };
    const std::vector<float> f16 = run(true), f32 = run(false);
    const bool rounds = rows > Backend::kDecodeRows;
    std::vector<float> wrow(in);
    double max_diff_from_f32 = 0;
    for (int j = 0; j < out_dim; ++j) {
      dequantize_row(GgmlType::Q4_0, wbytes.data() + j * row_bytes, wrow.data(), in);
      for (int r = 0; r < rows; ++r) {
        double want = 0;
        for (int i = 0; i < in; ++i)
          want += rounds ? static_cast<double>(round16(wrow[i])) * round16(x[r * in + i]) : static_cast<double>(wrow[i]) * x[r * in + i];
        want += bias[j];
        const float got = f16[r * out_dim + j];
        ASSERT_NEAR(got, want, 1e-5 * (1 + std::fabs(want))) << "rows " << rows << " row " << r << " out " << j;
        max_diff_from_f32 = std::max(max_diff_from_f32, static_cast<double>(std::fabs(got - f32[r * out_dim + j])));
      }
    }
    if (rounds) EXPECT_GT(max_diff_from_f32, 1e-4) << "fp16 rounding should show over " << rows << " rows";
    else EXPECT_EQ(max_diff_from_f32, 0.0) << "a decode-sized product stays f32";
  }
  CpuBackendOptions bad;
  bad.f16_prefill = true;
  EXPECT_THROW(CpuBackend be(bad), std::invalid_argument) << "f16_prefill without f32_activations";
}

// KvPrecision::F16Rounded (the WebGPU fp16 cache's reference): attention
// through the backend equals exact attention over keys and values rounded
// to fp16 beforehand, and differs from the exact f32 cache.
TEST(CpuBackendAttention, F16RoundedIsExactAttentionOnRoundedKeysAndValues) {
  const int hd = 16, n_head = 2, n_head_kv = 1, rows = 5, kv_dim = hd * n_head_kv, q_dim = hd * n_head;
  const auto q = random_row(rows * q_dim, 21), k = random_row(rows * kv_dim, 22), v = random_row(rows * kv_dim, 23);
  auto run = [&](KvPrecision p) {
    CpuBackendOptions o;
    o.n_threads = 1;
    o.kv = p;
    CpuBackend be(o);
    be.create_kv(1, 8, kv_dim);
    const Act qa = upload_rows(be, q, rows, q_dim), ka = upload_rows(be, k, rows, kv_dim),
              va = upload_rows(be, v, rows, kv_dim), oa = be.create_act(rows, q_dim);
    be.kv_store(0, ka, va, rows, 0);
    AttentionShape s;
    s.n_head = n_head;
    s.n_head_kv = n_head_kv;
    s.head_dim = hd;
    s.scale = 0.25f;
    be.attention(0, qa, rows, 0, s, oa);
    std::vector<float> out(rows * q_dim);
    be.read_begin(oa, rows, out.data());
    return out;
  };
  const std::vector<float> rounded = run(KvPrecision::F16Rounded), exact = run(KvPrecision::F32);
  std::vector<float> kr(k.size()), vr(v.size()), want(hd), tmp(rows + 2 * hd);
  for (size_t i = 0; i < k.size(); ++i) {
    kr[i] = fp16_to_fp32(fp32_to_fp16(k[i]));
    vr[i] = fp16_to_fp32(fp32_to_fp16(v[i]));
  }
  double max_diff_from_exact = 0;
  for (int r = 0; r < rows; ++r)
    for (int h = 0; h < n_head; ++h) {
      attend_head_f32(&q[r * q_dim + h * hd], kr.data(), vr.data(), kv_dim, r + 1, hd, 0.25f, 0.0f, want.data(), tmp.data());
      for (int d = 0; d < hd; ++d) {
        const size_t i = r * q_dim + h * hd + d;
        ASSERT_EQ(rounded[i], want[d]) << "row " << r << " head " << h << " dim " << d;
        max_diff_from_exact = std::max(max_diff_from_exact, static_cast<double>(std::fabs(rounded[i] - exact[i])));
      }
    }
  EXPECT_GT(max_diff_from_exact, 1e-5) << "fp16 rounding should show against the exact cache";
}

// Sliding-window and soft-capped attention (gemma) through the backend, in
// every cache mode, against softmax in double over the fp16-rounded keys
// and values: a prefill of 70 rows (the tiled kernel in F16 mode) that
// crosses the window, then single decode rows past it. The window (13)
// starts mid-tile and the reference masks keys more than window-1 back.
TEST(CpuBackendAttention, SlidingWindowAndSoftcapMatchTheDefinition) {
  const int hd = 32, n_head = 4, n_head_kv = 2, kv_dim = hd * n_head_kv, q_dim = hd * n_head, group = n_head / n_head_kv;
  const int prefill = 70, total = 75, window = 13;
  const auto q = random_row(total * q_dim, 31), k = random_row(total * kv_dim, 32), v = random_row(total * kv_dim, 33);
  std::vector<float> kr(k.size()), vr(v.size());
  for (size_t i = 0; i < k.size(); ++i) {
    kr[i] = fp16_to_fp32(fp32_to_fp16(k[i]));
    vr[i] = fp16_to_fp32(fp32_to_fp16(v[i]));
  }
  for (float softcap : {0.0f, 0.5f}) {
    AttentionShape s{n_head, n_head_kv, hd, 0.7f, softcap, window};
    // The definition, in double, over the given keys and values.
    auto definition = [&](const std::vector<float>& kk, const std::vector<float>& vv) {
      std::vector<double> want(static_cast<size_t>(total) * q_dim);
      for (int r = 0; r < total; ++r)
        for (int h = 0; h < n_head; ++h) {
          const int kvh = h / group, j0 = std::max(0, r - window + 1);
          std::vector<double> p;
          double mx = -INFINITY, sum = 0;
          for (int j = j0; j <= r; ++j) {
            double d = 0;
            for (int e = 0; e < hd; ++e) d += static_cast<double>(q[r * q_dim + h * hd + e]) * kk[j * kv_dim + kvh * hd + e];
            d *= s.scale;
            if (softcap > 0) d = softcap * std::tanh(d / softcap);
            p.push_back(d);
            mx = std::max(mx, d);
          }
          for (double& x : p) sum += (x = std::exp(x - mx));
          for (int e = 0; e < hd; ++e) {
            double o = 0;
            for (size_t t = 0; t < p.size(); ++t) o += p[t] / sum * vv[(j0 + t) * kv_dim + kvh * hd + e];
            want[r * q_dim + h * hd + e] = o;
          }
        }
      return want;
    };
    const std::vector<double> want_rounded = definition(kr, vr), want_exact = definition(k, v);
    for (KvPrecision prec : {KvPrecision::F16, KvPrecision::F16Rounded, KvPrecision::F32}) {
      CpuBackendOptions o;
      o.n_threads = 2;
      o.kv = prec;
      CpuBackend be(o);
      be.create_kv(1, 128, kv_dim);
      std::vector<float> got(static_cast<size_t>(total) * q_dim);
      auto run = [&](int r0, int rows) {
        const std::vector<float> qs(q.begin() + r0 * q_dim, q.begin() + (r0 + rows) * q_dim);
        const std::vector<float> ks(k.begin() + r0 * kv_dim, k.begin() + (r0 + rows) * kv_dim);
        const std::vector<float> vs(v.begin() + r0 * kv_dim, v.begin() + (r0 + rows) * kv_dim);
        const Act qa = upload_rows(be, qs, rows, q_dim), ka = upload_rows(be, ks, rows, kv_dim),
                  va = upload_rows(be, vs, rows, kv_dim), oa = be.create_act(rows, q_dim);
        be.kv_store(0, ka, va, rows, r0);
        be.attention(0, qa, rows, r0, s, oa);
        be.read_begin(oa, rows, &got[r0 * q_dim]);
      };
      run(0, prefill);
      for (int r = prefill; r < total; ++r) run(r, 1);
      // F16's decode rows keep an fp16 accumulator; the others are f32 sums.
      // F32 keeps keys and values unrounded.
      const double tol = prec == KvPrecision::F16 ? 5e-3 : 2e-5;
      const std::vector<double>& want = prec == KvPrecision::F32 ? want_exact : want_rounded;
      for (int r = 0; r < total; ++r)
        for (int i = 0; i < q_dim; ++i)
          ASSERT_NEAR(got[r * q_dim + i], want[r * q_dim + i], tol)
              << "softcap " << softcap << " mode " << static_cast<int>(prec) << " row " << r << " elem " << i;
    }
  }
}

TEST(ThreadPool, CoversEveryIndexOnceAndIsReusable) {
  ThreadPool pool(2);
  for (int round = 0; round < 200; ++round) {
    const int64_t n = 1 + round * 7;
    std::vector<std::atomic<int>> hits(n);
    pool.parallel_for(n, [&](int64_t b, int64_t e, int) {
      for (int64_t i = b; i < e; ++i) hits[i]++;
    });
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "round " << round << " index " << i;
  }
}

// Chunks are claimed dynamically: every index still runs once, thread
// indices never run two chunks at the same time (callers key scratch space
// on them), and a loop with one slow chunk still finishes.
TEST(ThreadPool, ThreadIndicesAreExclusiveAndSlowChunksDoNotLoseWork) {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> busy(pool.size());
  for (int round = 0; round < 50; ++round) {
    const int64_t n = 97 + round;
    std::vector<std::atomic<int>> hits(n);
    std::atomic<bool> overlap{false};
    pool.parallel_for(n, [&](int64_t b, int64_t e, int t) {
      if (t < 0 || t >= pool.size() || busy[t].exchange(1)) overlap = true;
      if (b == 0 && round % 10 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      for (int64_t i = b; i < e; ++i) hits[i]++;
      busy[t] = 0;
    });
    ASSERT_FALSE(overlap.load()) << "round " << round;
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "round " << round << " index " << i;
  }
}

TEST(ThreadPool, AnExceptionReachesTheCallerAndThePoolStaysUsable) {
  ThreadPool pool(2);
  for (int round = 0; round < 20; ++round) {
    EXPECT_THROW(pool.parallel_for(1000, [&](int64_t b, int64_t e, int) {
      if (b <= 500 && 500 < e) throw std::runtime_error("boom");
    }), std::runtime_error);
    std::atomic<int64_t> sum{0};
    pool.parallel_for(1000, [&](int64_t b, int64_t e, int) { sum += e - b; });
    ASSERT_EQ(sum.load(), 1000);
  }
}

TEST(ThreadPool, SmallLoopsRunOnTheCallingThread) {
  ThreadPool pool(2);
  std::atomic<int> calls{0};
  std::set<int> threads;
  pool.parallel_for(10, [&](int64_t b, int64_t e, int t) {
    calls++;
    threads.insert(t);
    EXPECT_EQ(b, 0);
    EXPECT_EQ(e, 10);
  }, /*min_chunk=*/8);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(threads, std::set<int>{0});
}

TEST(KvCache, ReusesTheCommonPrefixButAlwaysEvaluatesOneToken) {
  KvCache kv(16);
  const std::vector<int32_t> turn1 = {1, 5, 6, 7};
  EXPECT_EQ(kv.reuse_prefix(turn1), 0);
  kv.append(turn1.data(), 4);
  const std::vector<int32_t> turn2 = {1, 5, 6, 7, 8, 9};
  EXPECT_EQ(kv.reuse_prefix(turn2), 4);
  kv.append(&turn2[4], 2);
  EXPECT_EQ(kv.reuse_prefix(turn2), 5);  // identical prompt: re-evaluate the last token
  EXPECT_EQ(kv.reuse_prefix({1, 5, 2}), 2);
  EXPECT_EQ(kv.size(), 2);
  std::vector<int32_t> many(15, 3);
  EXPECT_THROW(kv.append(many.data(), 15), std::out_of_range);
}
