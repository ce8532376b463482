// The reference backend: every op in C++ on the host, multi-threaded, with
// SIMD kernels (AVX-512 VNNI, AVX2, wasm SIMD128, portable) for quantised
// matmuls (quant_gemm.h over packed_weights.h), attention (attention.h) and
// elementwise ops (vec_math.h). It is the oracle the WebGPU kernels are
// tested against and the browser's fallback without WebGPU.
#pragma once
#include <memory>
#include <vector>

#include "backend/backend.h"
#include "backend/cpu/packed_k_weights.h"
#include "backend/cpu/packed_weights.h"
#include "backend/cpu/quant_dot.h"
#include "backend/cpu/quant_gemm.h"
#include "backend/cpu/thread_pool.h"

namespace lantern {

enum class KvPrecision {
  // Keys and values stored as fp16 and attention computed the way llama.cpp's
  // CPU flash attention does by default (query rounded to fp16, values
  // accumulated in fp16): half the memory, and greedy tokens that follow
  // llama.cpp's default build even where rounding decides a near-tie.
  F16,
  // Exact f32 keys, values and softmax: the reference for kernel tests.
  F32,
  // Keys and values rounded to fp16 as they are stored, everything else as
  // F32: what the WebGPU backend's fp16 cache computes, so its reference.
  F16Rounded,
};

struct CpuBackendOptions {
  int n_threads = 0;  // 0: one per core
  KvPrecision kv = KvPrecision::F16;
  // Multiply Q4_0/Q5_0/Q8_0/IQ4_NL and Q4_K/Q5_K/Q6_K/IQ4_XS weights with f32 activations
  // instead of quantising the activations to Q8_0 or Q8_K blocks as
  // llama.cpp does: the reference for GPU kernels, which keep activations in
  // f32.
  bool f32_activations = false;
  // Products over more than kDecodeRows rows (prefill) round weights and
  // activations to fp16 first, products and sums in f32: what the WebGPU
  // backend's subgroup-matrix prefill computes, so its reference. Needs
  // f32_activations.
  bool f16_prefill = false;
  // Re-lay Q4_0/Q5_0/Q8_0/IQ4_NL and Q4_K/Q5_K/Q6_K/IQ4_XS matmul weights for the tiled
  // kernels (packed_weights.h, packed_k_weights.h) on first use: a copy of
  // each matmul weight, several times faster products. Off: row-by-row dot
  // products on the weights in place.
  bool pack_weights = true;
  // Bytes the KV cache and activations may take; 0: half the machine's
  // memory natively, 1 GiB in wasm (its 4 GiB address space holds the
  // weights too, and size_t is 32 bits there).
  uint64_t memory_budget_bytes = 0;
};

class CpuBackend : public Backend {
 public:
  explicit CpuBackend(const CpuBackendOptions& opts = {});
  std::string name() const override { return "cpu"; }
  MemoryBudget memory_budget() const override;

  Weight create_weight(const GgufTensorInfo& info, const uint8_t* data) override;
  void write_weight(Weight w, uint64_t offset, const uint8_t* bytes, uint64_t n) override;
  Act create_act(int32_t rows, int32_t cols) override;
  void create_kv(int32_t n_layer, int32_t n_ctx, int32_t kv_dim) override;

  void get_rows(Weight table, const int32_t* tokens, int32_t n, Act out) override;
  void rms_norm(Act x, Weight w, float eps, int32_t rows, Act out) override;
  void head_rms_norm(Act x, Weight w, float eps, int32_t rows) override;
  void matmul(Weight w, Weight bias, Act x, int32_t rows, Act out) override;
  void rope(Act x, int32_t rows, int32_t n_heads, int32_t head_dim, int32_t pos0, const RopeParams& p) override;
  void kv_store(int32_t layer, Act k, Act v, int32_t rows, int32_t pos0) override;
  void attention(int32_t layer, Act q, int32_t rows, int32_t pos0, const AttentionShape& s, Act out) override;
  void glu(Act gate, Act up, int32_t rows, GateAct act, Act out) override;
  void add(Act x, Act y, int32_t rows) override;
  void add_rms_norm(Act x, Act y, Weight w, float eps, int32_t rows) override;
  void scale(Act x, float s, int32_t rows) override;
  void softcap(Act x, float cap, int32_t rows) override;
  void copy_row(Act src, int32_t src_row, Act dst) override;
  void read_begin(Act a, int32_t rows, float* dst) override;
  bool read_poll() override { return true; }

 private:
  struct WeightData {
    GgufTensorInfo info;
    const uint8_t* data;           // in place (mapped file) or owned.data(); null once released
    std::vector<uint8_t> owned;
    bool gathered = false;         // get_rows has read it (a tied embedding keeps its bytes)
  };
  struct ActData {
    int32_t rows, cols;
    std::vector<float> v;
  };
  WeightData& weight(Weight w);
  ActData& act(Act a);
  ActData& act_written(Act a);  // act() for an op's output: drops a stale quantised copy
  // f32 view of a 1-D weight (norm scales, biases), converted once.
  const float* f32_vector(Weight w, int64_t expected);

  ThreadPool pool_;
  std::vector<WeightData> weights_;
  std::vector<std::vector<float>> weight_f32_;  // lazily filled per weight id
  std::vector<ActData> acts_;
  int32_t kv_layers_ = 0, kv_ctx_ = 0, kv_dim_ = 0;
  KvPrecision kv_precision_;
  bool f32_activations_;
  bool f16_prefill_;
  bool pack_weights_;
  uint64_t memory_budget_bytes_;
  std::vector<PackedWeights> packed_;            // per weight id, filled on first matmul
  const PackedWeights* packed(Weight w);         // null when the weight stays unpacked
  std::vector<PackedKWeights> packed_k_;         // the same for K-quant weights
  const PackedKWeights* packed_k(Weight w);
  template <class Packed>
  const Packed* packed_as(Weight w, std::vector<Packed>& copies);
  std::vector<float> k_cache_, v_cache_;         // [layer][pos][kv_dim], F32 mode
  std::vector<uint16_t> k16_, v16_;              // the same, F16 mode
  QuantizedActs xacts_;                          // quantised matmul input (packed weights)
  int32_t xacts_act_ = -1;                       // the activation xacts_ holds, -1: none
  std::vector<ActBlockQ8> xq_;                   // quantised matmul input (unpacked weights)
  std::vector<ActBlockQ8K> xk_;                  // matmul input quantised for K-quant weights
  int32_t xk_act_ = -1, xk_rows_ = 0;            // the activation and rows xk_ holds, -1: none
  std::vector<std::vector<float>> row_scratch_;  // per thread: a dequantised weight row
  std::vector<KQuantRow> krow_scratch_;          // per thread: an unpacked K-quant weight row
  std::vector<float> x16_;                       // matmul input rounded to fp16 (f16_prefill)
};

}  // namespace lantern
