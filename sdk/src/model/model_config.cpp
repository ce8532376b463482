#include "model/model_config.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "gguf/gguf_file.h"

namespace lantern {

namespace {
[[noreturn]] void fail(const std::string& msg) { throw std::runtime_error("model: " + msg); }

int32_t positive(const GgufFile& g, const std::string& key, int64_t def, int64_t max) {
  const int64_t v = def < 0 ? static_cast<int64_t>(g.get_uint_required(key)) : g.get_int(key, def);
  if (v <= 0 || v > max) fail(key + " = " + std::to_string(v) + " is out of range (1.." + std::to_string(max) + ")");
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
    fail(key + " = " + buf + " is not a finite float");
  }
  return static_cast<float>(v);
}

void expect_shape(const GgufFile& g, const std::string& name, uint64_t d0, uint64_t d1, bool required = true) {
  const GgufTensorInfo* t = g.find_tensor(name);
  if (!t) {
    if (required) fail("tensor " + name + " is missing");
    return;
  }
  const bool ok = d1 == 0 ? (t->dims.size() == 1 && t->dims[0] == d0)
                          : (t->dims.size() == 2 && t->dims[0] == d0 && t->dims[1] == d1);
  if (!ok) {
    std::string have;
    for (auto d : t->dims) have += (have.empty() ? "" : "x") + std::to_string(d);
    fail("tensor " + name + " has shape " + have + ", expected " + std::to_string(d0) +
         (d1 ? "x" + std::to_string(d1) : ""));
  }
}
}  // namespace

ModelConfig ModelConfig::from_gguf(const GgufFile& g) {
  ModelConfig c;
  c.arch = g.get_string("general.architecture");
  if (c.arch.empty()) fail("general.architecture is missing");
  if (c.arch != "llama" && c.arch != "qwen2" && c.arch != "qwen3" && c.arch != "mistral")
    fail("architecture '" + c.arch + "' is not supported (llama, qwen2, qwen3, mistral are)");
  c.name = g.get_string("general.name", c.arch);
  const std::string a = c.arch + ".";
  c.n_embd = positive(g, a + "embedding_length", -1, 1 << 16);
  c.n_layer = positive(g, a + "block_count", -1, 1024);
  c.n_ff = positive(g, a + "feed_forward_length", -1, 1 << 18);
  c.n_head = positive(g, a + "attention.head_count", -1, 1024);
  c.n_head_kv = positive(g, a + "attention.head_count_kv", c.n_head, 1024);
  c.n_ctx_train = positive(g, a + "context_length", 2048, 1 << 24);
  if (c.n_embd % c.n_head != 0) fail("embedding_length is not a multiple of head_count");
  c.head_dim = positive(g, a + "attention.key_length", c.n_embd / c.n_head, 1024);
  if (positive(g, a + "attention.value_length", c.head_dim, 1024) != c.head_dim)
    fail("attention.value_length differs from key_length (not supported)");
  if (c.n_head % c.n_head_kv != 0) fail("head_count is not a multiple of head_count_kv");
  c.n_rot = positive(g, a + "rope.dimension_count", c.head_dim, c.head_dim);
  if (c.n_rot % 2 != 0) fail("rope.dimension_count must be even");
  c.rms_eps = finite_float(g, a + "attention.layer_norm_rms_epsilon", 1e-5);
  if (!(c.rms_eps > 0.0f && c.rms_eps < 1.0f)) fail(a + "attention.layer_norm_rms_epsilon is out of range (0, 1)");
  c.rope_freq_base = finite_float(g, a + "rope.freq_base", 10000.0);
  if (!(c.rope_freq_base > 1.0f)) fail(a + "rope.freq_base is out of range (> 1)");
  c.rope_order = c.arch == "qwen2" || c.arch == "qwen3" ? RopeOrder::NeoX : RopeOrder::Normal;
  const std::string scaling = g.get_string(a + "rope.scaling.type", "none");
  if (scaling != "none" && scaling != "")
    fail("rope scaling '" + scaling + "' is not supported yet");

  const GgufTensorInfo* embd = g.find_tensor("token_embd.weight");
  if (!embd || embd->dims.size() != 2) fail("tensor token_embd.weight is missing or not 2-D");
  c.n_vocab = static_cast<int32_t>(embd->dims[1]);
  if (const GgufValue* tokens = g.find("tokenizer.ggml.tokens");
      tokens && tokens->array_size() != static_cast<size_t>(c.n_vocab))
    fail("token_embd.weight has " + std::to_string(c.n_vocab) + " rows but the vocabulary has " +
         std::to_string(tokens->array_size()) + " tokens");

  c.tied_output = g.find_tensor("output.weight") == nullptr;
  c.has_qkv_bias = g.find_tensor("blk.0.attn_q.bias") != nullptr;
  c.has_rope_freqs = g.find_tensor("rope_freqs.weight") != nullptr;
  c.has_qk_norm = c.arch == "qwen3";

  expect_shape(g, "token_embd.weight", c.n_embd, c.n_vocab);
  expect_shape(g, "output_norm.weight", c.n_embd, 0);
  if (!c.tied_output) expect_shape(g, "output.weight", c.n_embd, c.n_vocab);
  if (c.has_rope_freqs) expect_shape(g, "rope_freqs.weight", c.n_rot / 2, 0);
  for (int l = 0; l < c.n_layer; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    expect_shape(g, b + "attn_norm.weight", c.n_embd, 0);
    expect_shape(g, b + "attn_q.weight", c.n_embd, c.q_dim());
    expect_shape(g, b + "attn_k.weight", c.n_embd, c.kv_dim());
    expect_shape(g, b + "attn_v.weight", c.n_embd, c.kv_dim());
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
    expect_shape(g, b + "ffn_gate.weight", c.n_embd, c.n_ff);
    expect_shape(g, b + "ffn_up.weight", c.n_embd, c.n_ff);
    expect_shape(g, b + "ffn_down.weight", c.n_ff, c.n_embd);
  }
  return c;
}

}  // namespace lantern
