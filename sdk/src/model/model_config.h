// The shape of a llama-family model, read from GGUF metadata
// ("<arch>.embedding_length" and friends) and checked for consistency.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "backend/backend.h"

namespace lantern {

class GgufFile;

enum class RopeOrder {
  Normal,  // rotate adjacent pairs (x0,x1): llama, mistral (GGUF stores q/k pre-permuted)
  NeoX,    // rotate halves (x_i, x_{i+d/2}): qwen2, qwen3, phi3
};

// <arch>.rope.scaling.type, as llama.cpp reads it: absent means linear (a
// factor of 1 unless rope.scaling.factor says otherwise).
enum class RopeScaling { None, Linear, Yarn, LongRope };

struct ModelConfig {
  std::string arch;          // general.architecture: llama, qwen2, qwen3, mistral, phi3, gemma2, gemma3
  std::string name;          // general.name, for reports
  int32_t n_vocab = 0;
  int32_t n_ctx_train = 0;   // context the model was trained for
  int32_t n_embd = 0;
  int32_t n_layer = 0;
  int32_t n_ff = 0;
  int32_t n_head = 0;
  int32_t n_head_kv = 0;
  int32_t head_dim = 0;      // key/value length per head
  int32_t n_rot = 0;         // rope.dimension_count (<= head_dim)
  float rms_eps = 1e-5f;
  float rope_freq_base = 10000.0f;
  RopeOrder rope_order = RopeOrder::Normal;
  bool has_qkv_bias = false; // qwen2
  bool tied_output = false;  // no output.weight: the embedding is the output head
  bool has_rope_freqs = false; // llama 3.1+ rope_freqs.weight (per-dimension frequency factors)
  bool has_qk_norm = false;    // qwen3, gemma3: RMS norm of each q and k head before RoPE (attn_q_norm, attn_k_norm)

  // Gemma 2 and 3 (0 / false / empty elsewhere).
  float embd_scale = 0.0f;        // token embeddings multiplied by this (sqrt(n_embd)); 0: not scaled
  bool has_post_norms = false;    // RMS norms of the attention and FFN outputs before their residual adds
  GateAct ffn_act = GateAct::SiLU;  // GELU (tanh approximation) for gemma
  float query_scale = 0.0f;       // q multiplied by this before attention, scores then unscaled (1/sqrt(head_dim),
                                  // or 1/sqrt(n_embd/n_head) for the 27B models); 0: scores scaled by 1/sqrt(head_dim)
  float attn_softcap = 0.0f;      // gemma2: attention scores capped to +-this by c*tanh(s/c); 0: none
  float final_softcap = 0.0f;     // gemma2 (gemma3 if set): the same cap on the logits
  int32_t sliding_window = 0;     // keys a sliding-window layer's query sees (itself included); 0: none
  float rope_freq_base_swa = 0.0f;  // sliding-window layers' rope base
  std::vector<bool> layer_sliding;  // per layer: sliding-window attention (else full)

  bool sliding(int32_t layer) const { return !layer_sliding.empty() && layer_sliding[layer]; }

  bool fused_qkv = false;      // one attn_qkv.weight of q_dim + 2 kv_dim rows (phi3) instead of attn_q/k/v
  bool fused_gate_up = false;  // phi3: ffn_up.weight holds gate (first n_ff rows) and up, no ffn_gate
  // LongRoPE (phi3): rope_factors_long.weight / rope_factors_short.weight,
  // the long ones where the context exceeds n_ctx_orig (rope_factors_name).
  bool has_longrope = false;
  // Context scaling: rope.scaling.type, 1 / rope.scaling.factor,
  // rope.scaling.original_context_length (default n_ctx_train) and
  // rope.scaling.attn_factor (LongRoPE's magnitude correction).
  RopeScaling rope_scaling = RopeScaling::Linear;
  float rope_freq_scale = 1.0f;
  int32_t n_ctx_orig = 0;
  float rope_attn_factor = 1.0f;

  int32_t q_dim() const { return n_head * head_dim; }
  int32_t kv_dim() const { return n_head_kv * head_dim; }

  // ggml_rope_ext's parameters as llama.cpp's context derives them from the
  // keys above (YaRN: ext_factor 1, beta_fast 32, beta_slow 1, its attention
  // factor), with `factors` as the per-pair divisors.
  RopeParams rope_params(Weight factors) const;
  // The per-pair divisors the model rotates with at a context of n_ctx
  // tokens ("" for none): rope_freqs, or LongRoPE's long factors past
  // n_ctx_orig and its short ones up to it, as llama.cpp chooses.
  std::string rope_factors_name(int32_t n_ctx) const;

  // Throws std::runtime_error with the offending key for unsupported
  // architectures, missing keys and inconsistent shapes (tensors checked too).
  static ModelConfig from_gguf(const GgufFile& gguf);
};

}  // namespace lantern
