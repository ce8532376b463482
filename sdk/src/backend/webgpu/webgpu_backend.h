// The WebGPU backend: each op of a forward pass becomes one compute dispatch
// recorded into a command list; end() writes the per-dispatch parameters in
// one queue write and submits the whole pass as one command buffer. Buffers,
// pipelines and bind groups are created once and reused every step. Weights
// are uploaded byte for byte as GGUF stores them; kernels read the blocks in
// place. Only the wasm build has it (the GPU is reached through
// wasm/gpu_bridge.js).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "backend/backend.h"

namespace lantern {

// A matrix-vector kernel's workgroup: `threads` (T) threads computing `rows`
// (R) output rows.
struct MatvecShape {
  uint32_t threads = 0, rows = 0;
};

struct WebGpuBackendOptions {
  // Keys and values cached as fp16 (two to a word; attention math in f32):
  // half the cache memory and half the bytes attention reads. Off: f32.
  bool kv_f16 = true;
  // Override of the matrix-vector kernels' workgroup shape (threads: 32..256,
  // a power of two; rows: 1..8), for tuning sweeps (the gpubench page); 0
  // keeps the automatic choice.
  MatvecShape matvec;
  // Prefill products on the GPU's matrix units (matmul_subgroup.wgsl: f16
  // operands, f32 sums) where the device offers a subgroup-matrix
  // configuration for them; off, or without one: f32 tiles (matmul_tiled.wgsl).
  // Off by default: the kernel has not yet run on a GPU that has them (see
  // docs/benchmarks.md); the parity and benchmark pages turn it on.
  bool subgroup_matrix = false;
  // Bytes the KV cache and activations may take in GPU memory (WebGPU does
  // not tell how much the device has); one buffer is also held to the
  // device's maxBufferSize and maxStorageBufferBindingSize.
  uint64_t memory_budget_bytes = uint64_t{8} << 30;
};

class WebGpuBackend : public Backend {
 public:
  explicit WebGpuBackend(const WebGpuBackendOptions& opts = {});
  ~WebGpuBackend() override;
  // Why this backend cannot run a model ("tensor X has type q8_K, which has
  // no WebGPU kernel (WebGPU runs ...)"), or "" when it can: checked before a
  // load, so backend "auto" can take the CPU instead.
  static std::string unsupported(const GgufFile& gguf);
  std::string name() const override { return "webgpu"; }
  MemoryBudget memory_budget() const override;

  Weight create_weight(const GgufTensorInfo& info, const uint8_t* data) override;
  std::vector<Weight> create_weight_group(const std::vector<const GgufTensorInfo*>& infos,
                                          const std::vector<const uint8_t*>& data) override;
  void write_weight(Weight w, uint64_t offset, const uint8_t* bytes, uint64_t n) override;
  Act create_act(int32_t rows, int32_t cols) override;
  void create_kv(int32_t n_layer, int32_t n_ctx, int32_t kv_dim) override;

  void begin() override;
  void end() override;
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
  bool read_poll() override;

  void norm_matmul(Act x, Weight norm, float eps, const std::vector<Weight>& w, const std::vector<Weight>& bias,
                   int32_t rows, Act h, const std::vector<Act>& outs) override;
  void norm_gate_up(Act x, Weight norm, float eps, Weight w_gate, Weight w_up, GateAct act, int32_t rows, Act h,
                    Act gate, Act up, Act out) override;
  void matmul_add(Weight w, Act a, int32_t rows, Act x, Act tmp, Weight post_norm = {}, float eps = 0.0f) override;
  void rope_store(int32_t layer, Act q, Act k, Act v, int32_t rows, int32_t pos0, const AttentionShape& s,
                  const RopeParams& p) override;

  bool supports_device_argmax() const override { return true; }
  void argmax(Act logits, int32_t row, int32_t slot) override;
  void get_rows_slot(Weight table, int32_t slot, Act out) override;
  void token_read_begin(int32_t slot) override;
  int32_t token_read_poll(int32_t slot) override;
  void token_read_cancel(int32_t slot) override;

  // The GPU buffer behind a weight, for uploads straight from JS.
  int weight_buffer(Weight w) const { return weights_.at(w.id).buffer; }
  uint64_t weight_offset(Weight w) const { return weights_.at(w.id).offset; }
  int dispatches_per_pass() const { return last_dispatches_; }
  // Tuning: a new override (see WebGpuBackendOptions::matvec) from the next
  // pass on; checked like the option.
  void set_matvec_override(MatvecShape shape);
  // Prefill through subgroup matrices from the next pass on (where the device
  // has them; false: f32 tiles). Returns whether they are used.
  bool set_subgroup_matrix(bool on);
  // What prefill products run on: "subgroup-matrix f16 16x16x16" or "f32 tiles".
  std::string prefill_kernel() const;

 private:
  struct WeightBuf {
    GgufTensorInfo info;
    int buffer;
    uint64_t offset = 0;      // within the buffer (tensors of a group share one)
    int group = -1;           // index of the group, -1 when alone
    std::vector<float> host;  // 1-D f32 tensors written through write_weight (rope factors)
  };
  // A buffer bound to a kernel: the whole buffer, or a byte range of it.
  struct Binding {
    Binding(int b) : buffer(b) {}  // NOLINT: plain ids bind whole buffers
    Binding(int b, uint64_t o, uint64_t n) : buffer(b), offset(static_cast<uint32_t>(o)), size(static_cast<uint32_t>(n)) {}
    int buffer;
    uint32_t offset = 0, size = 0;
  };
  Binding bind(const WeightBuf& w) const;
  // True when the weights are consecutive members of one group, so one
  // kernel can read them all from one buffer.
  bool same_group(const std::vector<Weight>& w) const;
  struct ActBuf {
    int32_t rows, cols;
    int buffer;
  };
  // The compute pipeline of a kernel (compiled once): typed kernels get the
  // weight type's functions, the matrix-vector kernels their shape (T, R),
  // and the KV cache kernels the cache's element type.
  int pipeline(const std::string& kernel, GgmlType weight_type = GgmlType::F32, MatvecShape shape = {});
  MatvecShape matvec_shape(int64_t in_dim, int64_t out_dim) const;
  // Appends a dispatch: params go to this pass's next uniform slot; buffers
  // are bound in order to bindings 1..n.
  void dispatch(int pipeline, const std::vector<uint32_t>& params, const std::vector<Binding>& buffers,
                uint32_t x, uint32_t y = 1, uint32_t z = 1);
  // A matrix-vector kernel over n_rows output rows in groups of shape.rows,
  // for each of `tokens` tokens.
  void dispatch_matvec(int pipeline, const std::vector<uint32_t>& params, const std::vector<Binding>& buffers,
                       uint64_t n_rows, MatvecShape shape, int32_t tokens);
  const ActBuf& act(Act a) const;
  const WeightBuf& weight(Weight w) const;

  int rope_table(const RopeParams& p);
  // scale.wgsl: x = x * mul, then cap * tanh(x) where cap > 0.
  void scale_cap(Act x, float mul, float cap, int32_t rows);

  std::map<std::string, int> pipelines_;
  std::map<std::vector<uint32_t>, int> rope_tables_;  // RopeParams (floats as bits) -> cos/sin buffer
  std::map<std::vector<int>, int> bind_groups_;
  std::vector<WeightBuf> weights_;
  std::vector<ActBuf> acts_;
  std::vector<int> k_cache_, v_cache_;  // one buffer per layer
  int32_t kv_ctx_ = 0, kv_dim_ = 0;
  bool kv_f16_;
  uint64_t memory_budget_bytes_;
  uint64_t max_buffer_bytes_;
  MatvecShape matvec_override_;
  // The device's subgroup-matrix configuration (m == 0: none) and whether
  // prefill uses it.
  struct SubgroupMatrix {
    uint32_t m = 0, n = 0, k = 0, threads = 0;
  } smx_;
  bool use_smx_ = false;
  int params_buffer_ = 0, tokens_buffer_ = 0, dummy_buffer_ = 0;
  int attn_part_ = 0;             // attention's per-split partial results
  int slots_buffer_ = 0;                       // the device token ring
  int argmax_partial_ = 0;                     // (value, index) per argmax workgroup
  int dummy_out_[2] = {0, 0};                  // unused outputs of norm_matmul (writable: one each)
  std::vector<int> slot_requests_;             // readback request per slot, -1 none
  std::vector<uint32_t> slot_values_;
  int next_group_ = 0;
  uint32_t tokens_capacity_ = 0;  // u32 slots in tokens_buffer_
  double attn_part_bytes_ = 0;    // size of attn_part_
  std::vector<int32_t> cmds_;
  std::vector<uint32_t> params_;  // 64 words (256 bytes) per slot
  int slots_ = 0, last_dispatches_ = 0;
  uint32_t token_offset_ = 0;     // tokens written this pass
  struct Read {
    int buffer = -1, request = -1, size = 0;
    float* dst = nullptr;
  } read_;
};

}  // namespace lantern
