#include "model/model_config.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "gguf/gguf_file.h"

namespace lantern {

namespace {
[[noreturn]] void config_fail(const std::string& msg) { throw std::runtime_error("model: " + msg); }

int32_t positive(const GgufFile& g, const std::string& key, int64_t def, int64_t max) {
  const int64_t v = def < 0 ? static_cast<int64_t>(g.get_uint_required(key)) : g.get_int(key, def);
  if (v <= 0 || v > max) config_fail(key + " = " + std::to_string(v) + " is out of range (1.." + std::to_string(max) + ")");
  return static_cast<int32_t>(v);
}

// Float metadata the forward pass divides by or takes powers of: NaN, +-inf
// and doubles that overflow a float are refused, naming the key, before the
// caller's range check (which NaN would pass as "not out of range" by accident).
float finite_float(const GgufFile& g, const std::string& key, double def) {
  const double v = g.get_float(key, def);
  if (!std::isfinite(static_cast<float>(v))) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v);
    config_fail(key + " = " + buf + " is not a finite float");
  }
  return static_cast<float>(v);
}

void expect_shape(const GgufFile& g, const std::string& name, uint64_t d0, uint64_t d1, bool required = true) {
  const GgufTensorInfo* t = g.find_tensor(name);
  if (!t) {
    if (required) config_fail("tensor " + name + " is missing");
    return;
  }
  const bool ok = d1 == 0 ? (t->dims.size() == 1 && t->dims[0] == d0)
                          : (t->dims.size() == 2 && t->dims[0] == d0 && t->dims[1] == d1);
  if (!ok) {
    // Built by appending: GCC 12 warns falsely (-Wrestrict) on "x" + string.
    std::string have, want = std::to_string(d0);
    for (auto d : t->dims) {
      if (!have.empty()) have += 'x';
      have += std::to_string(d);
    }
    if (d1) want.append("x").append(std::to_string(d1));
    config_fail("tensor " + name + " has shape " + have + ", expected " + want);
  }
}
// Gemma 2 and 3, with llama.cpp's defaults where a key is absent (facts from
// its gemma2/gemma3 loaders): inputs scaled by sqrt(n_embd), post-attention
// and post-FFN norms, GeGLU, sliding-window layers in a repeating pattern
// (gemma2 every other layer from the first, gemma3 five of every six), whose
// rope base is rope.freq_base_swa (gemma3: 10000; gemma2: the global base).
// The norm weights already hold Gemma's "1 + w" (added at conversion).
void read_gemma(const GgufFile& g, ModelConfig& c) {
  const std::string a = c.arch + ".";
  const bool g2 = c.arch == "gemma2";
  c.embd_scale = std::sqrt(static_cast<float>(c.n_embd));
  c.has_post_norms = true;
  c.ffn_act = GateAct::GeluTanh;
  // query_pre_attn_scalar is not in the file: Google's configs use
  // n_embd / n_head for the 27B models (62 layers for gemma3, 46 for gemma2),
  // head_dim for the others.
  const int32_t query_pre_attn_scalar = c.n_layer == (g2 ? 46 : 62) ? c.n_embd / c.n_head : c.head_dim;
  c.query_scale = 1.0f / std::sqrt(static_cast<float>(query_pre_attn_scalar));
  if (g2) c.attn_softcap = finite_float(g, a + "attn_logit_softcapping", 50.0);
  c.final_softcap = finite_float(g, a + "final_logit_softcapping", g2 ? 30.0 : 0.0);
  if (c.attn_softcap < 0.0f) config_fail(a + "attn_logit_softcapping is negative");
  if (c.final_softcap < 0.0f) config_fail(a + "final_logit_softcapping is negative");
  // gemma3 without a window has none; gemma2's is 4096 unless the file says.
  const int64_t window = g.get_int(a + "attention.sliding_window", g2 ? 4096 : 0);
  if (window < 0 || window > (1 << 24)) config_fail(a + "attention.sliding_window = " + std::to_string(window) + " is out of range");
  if (window == 0) return;
  c.sliding_window = static_cast<int32_t>(window);
  c.rope_freq_base_swa = finite_float(g, a + "rope.freq_base_swa", g2 ? c.rope_freq_base : 10000.0);
  if (!(c.rope_freq_base_swa > 1.0f)) config_fail(a + "rope.freq_base_swa is out of range (> 1)");
  // The pattern: a per-layer array of flags, or n (layer l slides unless
  // l % n == n - 1; n = 0: every layer slides).
  c.layer_sliding.assign(c.n_layer, false);
  const std::string key = a + "attention.sliding_window_pattern";
  const GgufValue* p = g.find(key);
  if (p && p->is_array()) {
    const auto& flags = p->as_array(key).ints;
    if (flags.size() != static_cast<size_t>(c.n_layer))
      config_fail(key + " has " + std::to_string(flags.size()) + " entries for " + std::to_string(c.n_layer) + " layers");
    for (int32_t l = 0; l < c.n_layer; ++l) c.layer_sliding[l] = flags[l] != 0;
    return;
  }
  const int64_t n = p ? p->as_int(key) : (g2 ? 2 : 6);
  if (n < 0 || n > (1 << 16)) config_fail(key + " = " + std::to_string(n) + " is out of range (0..65536)");
  for (int32_t l = 0; l < c.n_layer; ++l) c.layer_sliding[l] = n == 0 || l % n < n - 1;
}
}  // namespace

ModelConfig ModelConfig::from_gguf(const GgufFile& g) {
  ModelConfig c;
  c.arch = g.get_string("general.architecture");
  if (c.arch.empty()) config_fail("general.architecture is missing");
  const bool gemma = c.arch == "gemma2" || c.arch == "gemma3";
  if (c.arch != "llama" && c.arch != "qwen2" && c.arch != "qwen3" && c.arch != "mistral" && c.arch != "phi3" && !gemma)
    config_fail("architecture '" + c.arch + "' is not supported (llama, qwen2, qwen3, mistral, phi3, gemma2, gemma3 are)");
  c.name = g.get_string("general.name", c.arch);
  const std::string a = c.arch + ".";
  c.n_embd = positive(g, a + "embedding_length", -1, 1 << 16);
  c.n_layer = positive(g, a + "block_count", -1, 1024);
  c.n_ff = positive(g, a + "feed_forward_length", -1, 1 << 18);
  c.n_head = positive(g, a + "attention.head_count", -1, 1024);
  c.n_head_kv = positive(g, a + "attention.head_count_kv", c.n_head, 1024);
  c.n_ctx_train = positive(g, a + "context_length", 2048, 1 << 24);
  if (c.n_embd % c.n_head != 0) config_fail("embedding_length is not a multiple of head_count");
  c.head_dim = positive(g, a + "attention.key_length", c.n_embd / c.n_head, 1024);
  if (positive(g, a + "attention.value_length", c.head_dim, 1024) != c.head_dim)
    config_fail("attention.value_length differs from key_length (not supported)");
  if (c.n_head % c.n_head_kv != 0) config_fail("head_count is not a multiple of head_count_kv");
  c.n_rot = positive(g, a + "rope.dimension_count", c.head_dim, c.head_dim);
  if (c.n_rot % 2 != 0) config_fail("rope.dimension_count must be even");
  c.rms_eps = finite_float(g, a + "attention.layer_norm_rms_epsilon", 1e-5);
  if (!(c.rms_eps > 0.0f && c.rms_eps < 1.0f)) config_fail(a + "attention.layer_norm_rms_epsilon is out of range (0, 1)");
  c.rope_freq_base = finite_float(g, a + "rope.freq_base", 10000.0);
  if (!(c.rope_freq_base > 1.0f)) config_fail(a + "rope.freq_base is out of range (> 1)");
  c.rope_order = c.arch == "qwen2" || c.arch == "qwen3" || c.arch == "phi3" || gemma ? RopeOrder::NeoX : RopeOrder::Normal;
  if (gemma) read_gemma(g, c);
  const std::string scaling = g.get_string(a + "rope.scaling.type", "linear");
  if (scaling == "none") c.rope_scaling = RopeScaling::None;
  else if (scaling == "linear") c.rope_scaling = RopeScaling::Linear;
  else if (scaling == "yarn") c.rope_scaling = RopeScaling::Yarn;
  else if (scaling == "longrope") c.rope_scaling = RopeScaling::LongRope;
  else config_fail(a + "rope.scaling.type '" + scaling + "' is not supported (none, linear, yarn, longrope are)");
  // llama.cpp: rope.scaling.factor, else the older rope.scale_linear; 0 means none.
  const std::string factor_key = g.has(a + "rope.scaling.factor") ? a + "rope.scaling.factor" : a + "rope.scale_linear";
  const float factor = finite_float(g, factor_key, 0.0);
  // (A positive factor so small that 1 / factor overflows is out of range too.)
  if (factor < 0.0f || (factor > 0.0f && !std::isfinite(1.0f / factor)))
    config_fail(factor_key + " is out of range (> 0, or 0 for none)");
  if (factor != 0.0f && c.rope_scaling != RopeScaling::None) c.rope_freq_scale = 1.0f / factor;
  c.n_ctx_orig = static_cast<int32_t>(g.get_int(a + "rope.scaling.original_context_length", 0));
  if (c.n_ctx_orig < 0 || c.n_ctx_orig > (1 << 24))
    config_fail(a + "rope.scaling.original_context_length is out of range (0.." + std::to_string(1 << 24) + ")");
  if (c.n_ctx_orig == 0) c.n_ctx_orig = c.n_ctx_train;
  c.rope_attn_factor = finite_float(g, a + "rope.scaling.attn_factor", 1.0);
  if (!(c.rope_attn_factor > 0.0f)) config_fail(a + "rope.scaling.attn_factor is out of range (> 0)");

  const GgufTensorInfo* embd = g.find_tensor("token_embd.weight");
  if (!embd || embd->dims.size() != 2) config_fail("tensor token_embd.weight is missing or not 2-D");
  c.n_vocab = static_cast<int32_t>(embd->dims[1]);
  if (const GgufValue* tokens = g.find("tokenizer.ggml.tokens");
      tokens && tokens->array_size() != static_cast<size_t>(c.n_vocab))
    config_fail("token_embd.weight has " + std::to_string(c.n_vocab) + " rows but the vocabulary has " +
         std::to_string(tokens->array_size()) + " tokens");

  c.tied_output = g.find_tensor("output.weight") == nullptr;
  c.has_qkv_bias = g.find_tensor("blk.0.attn_q.bias") != nullptr;
  c.has_rope_freqs = g.find_tensor("rope_freqs.weight") != nullptr;
  c.has_longrope = !c.has_rope_freqs && g.find_tensor("rope_factors_long.weight") != nullptr;
  c.has_qk_norm = c.arch == "qwen3" || c.arch == "gemma3";
  c.fused_qkv = g.find_tensor("blk.0.attn_qkv.weight") != nullptr;
  c.fused_gate_up = c.arch == "phi3";
  // phi3.attention.sliding_window is not read: llama.cpp turns Phi-3's
  // window off (its converter does not say which layers have one), and so
  // does Lantern, to give llama.cpp's answers.

  expect_shape(g, "token_embd.weight", c.n_embd, c.n_vocab);
  expect_shape(g, "output_norm.weight", c.n_embd, 0);
  if (!c.tied_output) expect_shape(g, "output.weight", c.n_embd, c.n_vocab);
  if (c.has_rope_freqs) expect_shape(g, "rope_freqs.weight", c.n_rot / 2, 0);
  if (c.has_longrope) {
    expect_shape(g, "rope_factors_long.weight", c.n_rot / 2, 0);
    expect_shape(g, "rope_factors_short.weight", c.n_rot / 2, 0);
  }
  for (int l = 0; l < c.n_layer; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    expect_shape(g, b + "attn_norm.weight", c.n_embd, 0);
    if (c.fused_qkv) {
      expect_shape(g, b + "attn_qkv.weight", c.n_embd, c.q_dim() + 2 * c.kv_dim());
    } else {
      expect_shape(g, b + "attn_q.weight", c.n_embd, c.q_dim());
      expect_shape(g, b + "attn_k.weight", c.n_embd, c.kv_dim());
      expect_shape(g, b + "attn_v.weight", c.n_embd, c.kv_dim());
    }
    expect_shape(g, b + "attn_output.weight", c.q_dim(), c.n_embd);
    if (c.has_qkv_bias) {
      expect_shape(g, b + "attn_q.bias", c.q_dim(), 0);
      expect_shape(g, b + "attn_k.bias", c.kv_dim(), 0);
      expect_shape(g, b + "attn_v.bias", c.kv_dim(), 0);
    }
    if (c.has_qk_norm) {
      expect_shape(g, b + "attn_q_norm.weight", c.head_dim, 0);
      expect_shape(g, b + "attn_k_norm.weight", c.head_dim, 0);
    }
    expect_shape(g, b + "ffn_norm.weight", c.n_embd, 0);
    if (c.fused_gate_up) {
      expect_shape(g, b + "ffn_up.weight", c.n_embd, 2 * static_cast<uint64_t>(c.n_ff));
    } else {
      expect_shape(g, b + "ffn_gate.weight", c.n_embd, c.n_ff);
      expect_shape(g, b + "ffn_up.weight", c.n_embd, c.n_ff);
    }
    expect_shape(g, b + "ffn_down.weight", c.n_ff, c.n_embd);
    if (c.has_post_norms) {
      expect_shape(g, b + "post_attention_norm.weight", c.n_embd, 0);
      expect_shape(g, b + "post_ffw_norm.weight", c.n_embd, 0);
    }
  }
  return c;
}

RopeParams ModelConfig::rope_params(Weight factors) const {
  RopeParams p{n_rot, rope_freq_base, rope_order == RopeOrder::NeoX, factors};
  p.freq_scale = rope_freq_scale;
  p.n_ctx_orig = n_ctx_orig;
  p.attn_factor = 1.0f;
  if (rope_scaling == RopeScaling::Yarn) {
    p.ext_factor = 1.0f;
    // llama.cpp's yarn_attn_factor, in its float steps: the magnitude
    // correction 0.1 ln(factor) + 1, divided back out because ggml's rope
    // multiplies it in again.
    const float factor = 1.0f / p.freq_scale;
    p.attn_factor = factor <= 1.0f ? 1.0f : 0.1f * 1.0f * std::log(factor) + 1.0f;
    p.attn_factor *= 1.0f / (1.0f + 0.1f * std::log(factor));
  }
  p.attn_factor *= rope_attn_factor;
  return p;
}

std::string ModelConfig::rope_factors_name(int32_t n_ctx) const {
  if (has_rope_freqs) return "rope_freqs.weight";
  if (has_longrope) return n_ctx > n_ctx_orig ? "rope_factors_long.weight" : "rope_factors_short.weight";
  return "";
}

}  // namespace lantern
