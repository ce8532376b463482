// The operations the model's forward pass is made of. The model (model/) says
// what to compute; a backend executes it: the CPU backend at once, the WebGPU
// backend by recording dispatches into one command buffer per step. Tensors
// are opaque handles; activations are row-major [rows][cols] float matrices,
// one row per token of the batch.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"

namespace lantern {

struct Weight {
  int32_t id = -1;
  explicit operator bool() const { return id >= 0; }
};
struct Act {
  int32_t id = -1;
};

// ggml_rope_ext's parameters. backend/rope_table.h turns them into angles,
// once for both backends.
struct RopeParams {
  int32_t n_rot;          // rotated dimensions per head (<= head_dim)
  float freq_base;
  bool neox;              // rotate halves instead of adjacent pairs
  Weight freq_factors;    // optional per-pair divisors (llama 3.1 rope_freqs, phi3 LongRoPE)
  // Context scaling (ModelConfig::rope_scaling): angles times freq_scale
  // (linear, yarn), blended back towards the unscaled angle for the fast
  // pairs when ext_factor != 0 (yarn), cos and sin times attn_factor.
  float freq_scale = 1.0f;
  float ext_factor = 0.0f;
  float attn_factor = 1.0f;
  float beta_fast = 32.0f, beta_slow = 1.0f;  // yarn's ramp, in rotations over n_ctx_orig
  int32_t n_ctx_orig = 0;                     // yarn: the context the model was trained at
};

struct AttentionShape {
  int32_t n_head;
  int32_t n_head_kv;
  int32_t head_dim;
  float scale;            // 1/sqrt(head_dim) (gemma: its query scaling)
  float softcap = 0.0f;   // scores s become softcap * tanh(s / softcap) (gemma2); 0: none
  int32_t window = 0;     // sliding window: the query at p sees keys p-window+1..p; 0: keys 0..p
};

// First key a query at `pos` sees under s's window (0 without one).
inline int32_t first_visible_key(const AttentionShape& s, int32_t pos) {
  return s.window > 0 && pos >= s.window ? pos - s.window + 1 : 0;
}

// What q.k is multiplied by before the cap: scale, or scale / softcap, so a
// capped score is softcap * tanh(q.k * score_multiplier) (llama.cpp's flash
// attention computes it so).
inline float score_multiplier(float scale, float softcap) { return softcap > 0.0f ? scale / softcap : scale; }

// The activation of a gated feed-forward's gate: out = act(gate) * up.
enum class GateAct {
  SiLU,      // SwiGLU: silu(x) = x / (1 + e^-x) (llama, qwen)
  GeluTanh,  // GeGLU: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (gemma)
};

// What a backend can hold of the buffers whose sizes come from the model's
// header (the KV cache, the activations), checked before any is made
// (model/memory_budget.h).
struct MemoryBudget {
  uint64_t total_bytes = 0;       // KV cache and activations together
  uint64_t max_buffer_bytes = 0;  // one GPU buffer (the device's maxBufferSize); 0: no such limit
  uint32_t kv_bytes_per_value = 4;  // 2 for an fp16 KV cache
  std::string source;             // where total_bytes comes from, for the message
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  virtual MemoryBudget memory_budget() const = 0;

  // Products over at most this many rows are decode: the WebGPU backend runs
  // them as matrix-vector kernels and longer ones (prefill) as tiles, which
  // the CPU backend's f16_prefill mode mirrors.
  static constexpr int32_t kDecodeRows = 4;

  // Weights. `data` points at the tensor's bytes when they are already in
  // memory (a mapped file), which a CPU backend may use in place; otherwise the
  // bytes arrive later through write_weight (possibly in pieces).
  virtual Weight create_weight(const GgufTensorInfo& info, const uint8_t* data) = 0;
  virtual void write_weight(Weight w, uint64_t offset, const uint8_t* bytes, uint64_t n) = 0;

  // Tensors the model always uses together (q|k|v, gate|up, their biases):
  // a backend may keep them side by side and multiply them in one pass. The
  // default makes them one by one.
  virtual std::vector<Weight> create_weight_group(const std::vector<const GgufTensorInfo*>& infos,
                                                  const std::vector<const uint8_t*>& data);

  // Activation scratch of rows x cols floats.
  virtual Act create_act(int32_t rows, int32_t cols) = 0;
  // KV storage for n_layer layers of n_ctx positions of kv_dim floats each.
  virtual void create_kv(int32_t n_layer, int32_t n_ctx, int32_t kv_dim) = 0;

  // Brackets one forward pass (the WebGPU backend records one command buffer).
  virtual void begin() {}
  virtual void end() {}

  // out[r] = rows tokens[r] of the embedding table, dequantised.
  virtual void get_rows(Weight table, const int32_t* tokens, int32_t n, Act out) = 0;
  // out = x / rms(x) * w, per row.
  virtual void rms_norm(Act x, Weight w, float eps, int32_t rows, Act out) = 0;
  // In place, each head of each row (segments of w's length): x / rms(x) * w
  // (Qwen3's and Gemma 3's q/k norms).
  virtual void head_rms_norm(Act x, Weight w, float eps, int32_t rows) = 0;
  // out[r] = W x[r] (+ bias): W has out_dim rows of in_dim. `x` may be the
  // same Act for several matmuls (backends can reuse a quantised copy of it).
  virtual void matmul(Weight w, Weight bias, Act x, int32_t rows, Act out) = 0;
  // Rotates each head of x (rows tokens at positions pos0..pos0+rows-1).
  virtual void rope(Act x, int32_t rows, int32_t n_heads, int32_t head_dim, int32_t pos0,
                    const RopeParams& p) = 0;
  // Stores k and v rows at positions pos0.. of a layer's cache.
  virtual void kv_store(int32_t layer, Act k, Act v, int32_t rows, int32_t pos0) = 0;
  // Causal attention of q (rows tokens at pos0..) over cache positions
  // first_visible_key(s, pos0+r)..pos0+r.
  virtual void attention(int32_t layer, Act q, int32_t rows, int32_t pos0, const AttentionShape& s,
                         Act out) = 0;
  // out = act(gate) * up, elementwise over rows x cols.
  virtual void glu(Act gate, Act up, int32_t rows, GateAct act, Act out) = 0;
  // x += y over rows.
  virtual void add(Act x, Act y, int32_t rows) = 0;
  // x += rms_norm(y) * w, per row (gemma's post-attention and post-FFN norms).
  virtual void add_rms_norm(Act x, Act y, Weight w, float eps, int32_t rows) = 0;
  // x *= s over rows (gemma's embedding scale).
  virtual void scale(Act x, float s, int32_t rows) = 0;
  // x = cap * tanh(x / cap) over rows (gemma2's final logit soft-capping).
  virtual void softcap(Act x, float cap, int32_t rows) = 0;
  // Copies row `src_row` of src to row 0 of dst (selects the last token).
  virtual void copy_row(Act src, int32_t src_row, Act dst) = 0;

  // Fused steps of a layer. The defaults run the plain ops above; a backend
  // overrides them where one pass over memory beats several dispatches (the
  // WebGPU backend, for decode, where per-dispatch cost dominates).
  //
  // outs[i] = W[i] . (rms_norm(x) * norm) (+ bias[i]) for 1..3 matrices of
  // the same input (q|k|v, or the output head); h receives the normed x.
  virtual void norm_matmul(Act x, Weight norm, float eps, const std::vector<Weight>& w,
                           const std::vector<Weight>& bias, int32_t rows, Act h, const std::vector<Act>& outs);
  // out = act(Wg . n) * (Wu . n), n = rms_norm(x) * norm (h, gate, up: scratch).
  virtual void norm_gate_up(Act x, Weight norm, float eps, Weight w_gate, Weight w_up, GateAct act, int32_t rows,
                            Act h, Act gate, Act up, Act out);
  // x += W . a, or with a post_norm x += rms_norm(W . a) * post_norm (tmp:
  // scratch of x's shape).
  virtual void matmul_add(Weight w, Act a, int32_t rows, Act x, Act tmp, Weight post_norm = {}, float eps = 0.0f);
  // RoPE on q and k, then k and v stored at positions pos0.. of the layer.
  virtual void rope_store(int32_t layer, Act q, Act k, Act v, int32_t rows, int32_t pos0, const AttentionShape& s,
                          const RopeParams& p);

  // Reads rows of an activation back to the host (logits). A GPU cannot
  // answer at once and the browser must not block, so reading is a request
  // and a poll: the CPU backend copies in read_begin and read_poll is true at
  // once; the WebGPU backend copies into a mapped staging buffer and
  // read_poll turns true (and fills dst) after the map completes.
  virtual void read_begin(Act a, int32_t rows, float* dst) = 0;
  virtual bool read_poll() = 0;

  // Greedy decoding on the device, so the next pass can be submitted before
  // the host knows the token (run-ahead, DESIGN.md). Token slots are a small
  // ring of ids on the device. Backends without it (the CPU backend, which
  // answers at once anyway) say so and keep the defaults, which throw.
  virtual bool supports_device_argmax() const { return false; }
  static constexpr int32_t kTokenSlots = 64;
  // slot = index of the largest value of row `row` (the first, on ties).
  virtual void argmax(Act logits, int32_t row, int32_t slot);
  // get_rows for one token taken from a slot.
  virtual void get_rows_slot(Weight table, int32_t slot, Act out);
  // Starts reading a slot back (after the pass that writes it is submitted);
  // poll returns -1 while it is in flight, else the token id.
  virtual void token_read_begin(int32_t slot);
  virtual int32_t token_read_poll(int32_t slot);
  // Forgets a read whose token is no longer wanted (a generation that ended
  // with passes still in flight).
  virtual void token_read_cancel(int32_t slot);
};

}  // namespace lantern
