// The llama-family forward pass (Llama 2/3, Qwen2/2.5, Qwen3, Mistral, Phi-3,
// Gemma 2/3) written once against the Backend interface: pre-norm attention
// with RoPE and grouped query heads, SwiGLU or GeGLU feed-forward, optional
// q/k/v bias, optional per-head q/k norms (Qwen3, Gemma 3), fused q|k|v and
// gate|up matrices (Phi-3, split into their row blocks at load), tied or
// separate output head; for Gemma also the embedding scale,
// post-attention/post-FFN norms, sliding-window layers with their own rope
// base, and soft-capping.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "backend/backend.h"
#include "model/model_config.h"

namespace lantern {

class ByteSource;
class GgufFile;

class LlamaModel {
 public:
  // Declares every tensor to the backend. Tensor bytes come from `src` when it
  // is in memory (used in place by the CPU backend), else the caller uploads
  // them through backend.write_weight (weight_handles() says which is which).
  // n_ctx: KV capacity in tokens; max_batch: most tokens per forward call.
  LlamaModel(const GgufFile& gguf, const ByteSource* src, Backend& backend, int32_t n_ctx, int32_t max_batch);

  const ModelConfig& config() const { return cfg_; }
  int32_t n_ctx() const { return n_ctx_; }
  int32_t max_batch() const { return max_batch_; }

  // What a pass produces besides the keys and values it stores.
  enum class Output {
    None,       // nothing (a prompt slice that is not the last)
    Logits,     // the last token's logits, read back (n_vocab floats)
    AllLogits,  // every token's logits, read back (n * n_vocab floats)
    Argmax,     // the last token's greedy choice into a device token slot, read back
  };

  // Runs n tokens (n <= max_batch) at positions pos0..pos0+n-1, storing their
  // keys and values, and starts reading back what `out` asks for. For Argmax,
  // `slot` names the token slot (the backend must support_device_argmax()).
  void submit(const int32_t* tokens, int32_t n, int32_t pos0, Output out = Output::Logits, int32_t slot = 0);
  // One token whose id is in device token slot in_slot (written by an earlier
  // pass's argmax, maybe not finished yet): run-ahead greedy decoding.
  void submit_from_slot(int32_t in_slot, int32_t pos0, int32_t out_slot);
  // True once the logits of the last submit have arrived (at once on the CPU).
  bool logits_ready();
  const float* logits() const { return logits_host_.data(); }

  // submit + wait, for backends that answer at once (the CPU backend).
  // Throws std::logic_error on an asynchronous backend.
  void forward(const int32_t* tokens, int32_t n, int32_t pos0, float* logits, bool all_logits = false);

  // Name and backend handle of every tensor, for uploads by the caller.
  const std::vector<std::pair<const GgufTensorInfo*, Weight>>& weight_handles() const { return handles_; }

 private:
  struct Layer {
    Weight attn_norm, wq, wk, wv, bq, bk, bv, q_norm, k_norm, wo, attn_post_norm, ffn_norm, w_gate, w_up, w_down,
        ffn_post_norm;
  };
  Weight load(const GgufFile& gguf, const ByteSource* src, const std::string& name, bool required = true);
  std::vector<Weight> load_group(const GgufFile& gguf, const ByteSource* src, const std::vector<std::string>& names);
  // A fused matrix (phi3's attn_qkv, ffn_up of gate|up) as a group of its
  // row blocks: each part is a plain tensor over its rows' bytes in the file.
  std::vector<Weight> load_split(const GgufFile& gguf, const ByteSource* src, const std::string& name,
                                 const std::vector<std::pair<std::string, int64_t>>& parts);
  std::vector<Weight> load_infos(const ByteSource* src, const std::vector<const GgufTensorInfo*>& infos);
  void check_batch(int32_t n, int32_t pos0) const;
  void embed_scale(int32_t n);
  void record_layers(int32_t n, int32_t pos0);
  void record_output(int32_t n, Output out, int32_t slot);

  ModelConfig cfg_;
  Backend& be_;
  int32_t n_ctx_, max_batch_;
  Weight tok_embd_, output_norm_, output_;
  Weight rope_freqs_;  // the per-pair RoPE divisors, if any (ModelConfig::rope_factors_name)
  std::vector<Layer> layers_;
  std::vector<std::pair<const GgufTensorInfo*, Weight>> handles_;
  std::deque<GgufTensorInfo> parts_;  // the row blocks of fused matrices (handles_ points at them)
  // Activations, max_batch rows each.
  Act x_, h_, q_, k_, v_, attn_, o_, gate_, up_, ffn_, last_, logits_;
  std::vector<float> logits_host_;
  int32_t logits_rows_ = 0;
};

}  // namespace lantern
