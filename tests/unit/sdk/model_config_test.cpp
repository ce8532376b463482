// ModelConfig::from_gguf on hostile float metadata: the values the forward
// pass divides by or raises to a power (rope.freq_base, the RMS norm's
// epsilon) must be finite and in range, and the error names the key. The
// RoPE scaling keys and phi3's fused matrices; the gemma2/gemma3 keys:
// llama.cpp's defaults where a key is absent, the sliding-window pattern,
// bad values and missing tensors refused by name.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "gguf/byte_source.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "model/model_config.h"

namespace lantern {
namespace {

// A one-layer llama shape (n_embd 4, one head, n_ff 8, vocab 8) in F32, with
// the float key under test set when `key` is not empty.
GgufWriter tiny_llama(const std::string& key = "", float value = 0.0f) {
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_u32("llama.embedding_length", 4);
  w.set_u32("llama.block_count", 1);
  w.set_u32("llama.feed_forward_length", 8);
  w.set_u32("llama.attention.head_count", 1);
  w.set_u32("llama.context_length", 64);
  if (!key.empty()) w.set_f32(key, value);
  auto f32 = [&](const std::string& name, std::vector<uint64_t> dims) {
    uint64_t n = 1;
    for (auto d : dims) n *= d;
    w.add_tensor(name, GgmlType::F32, dims, std::vector<uint8_t>(n * 4, 0));
  };
  f32("token_embd.weight", {4, 8});
  f32("output_norm.weight", {4});
  f32("blk.0.attn_norm.weight", {4});
  f32("blk.0.attn_q.weight", {4, 4});
  f32("blk.0.attn_k.weight", {4, 4});
  f32("blk.0.attn_v.weight", {4, 4});
  f32("blk.0.attn_output.weight", {4, 4});
  f32("blk.0.ffn_norm.weight", {4});
  f32("blk.0.ffn_gate.weight", {4, 8});
  f32("blk.0.ffn_up.weight", {4, 8});
  f32("blk.0.ffn_down.weight", {8, 4});
  return w;
}

ModelConfig config_of(const GgufWriter& w) {
  const std::vector<uint8_t> bytes = w.to_bytes();
  MemorySource src(bytes.data(), bytes.size());
  return ModelConfig::from_gguf(GgufFile::parse(src));
}

TEST(ModelConfigFloats, ValidValuesAreKept) {
  const ModelConfig c = config_of(tiny_llama("llama.rope.freq_base", 500000.0f));
  EXPECT_FLOAT_EQ(500000.0f, c.rope_freq_base);
  EXPECT_FLOAT_EQ(1e-5f, config_of(tiny_llama()).rms_eps);
}

TEST(ModelConfigFloats, NonFiniteOrNonPositiveValuesAreRefusedNamingTheKey) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<std::pair<std::string, float>> bad = {
      {"llama.rope.freq_base", inf},
      {"llama.rope.freq_base", -inf},
      {"llama.rope.freq_base", nan},
      {"llama.rope.freq_base", 0.0f},
      {"llama.rope.freq_base", -10000.0f},
      {"llama.attention.layer_norm_rms_epsilon", inf},
      {"llama.attention.layer_norm_rms_epsilon", nan},
      {"llama.attention.layer_norm_rms_epsilon", 0.0f},
      {"llama.attention.layer_norm_rms_epsilon", -1e-5f},
  };
  for (const auto& [key, value] : bad) {
    try {
      const ModelConfig c = config_of(tiny_llama(key, value));
      ADD_FAILURE() << key << " = " << value << " was accepted (freq_base " << c.rope_freq_base << ", eps "
                    << c.rms_eps << ")";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos)
          << key << " = " << value << ": the error names the key: " << e.what();
    }
  }
}

// A one-layer phi3 shape (n_embd 4, one head, n_ff 8, vocab 8): fused
// q|k|v (12 rows) and gate|up (16 rows, or `up_rows`), LongRoPE factors,
// 64 positions of context trained from 16.
GgufWriter tiny_phi3(uint64_t up_rows = 16) {
  GgufWriter w;
  w.set_string("general.architecture", "phi3");
  w.set_u32("phi3.embedding_length", 4);
  w.set_u32("phi3.block_count", 1);
  w.set_u32("phi3.feed_forward_length", 8);
  w.set_u32("phi3.attention.head_count", 1);
  w.set_u32("phi3.context_length", 64);
  w.set_u32("phi3.rope.scaling.original_context_length", 16);
  w.set_f32("phi3.rope.scaling.attn_factor", 1.25f);
  auto f32 = [&](const std::string& name, std::vector<uint64_t> dims) {
    uint64_t n = 1;
    for (auto d : dims) n *= d;
    w.add_tensor(name, GgmlType::F32, dims, std::vector<uint8_t>(n * 4, 0));
  };
  f32("token_embd.weight", {4, 8});
  f32("output_norm.weight", {4});
  f32("rope_factors_long.weight", {2});
  f32("rope_factors_short.weight", {2});
  f32("blk.0.attn_norm.weight", {4});
  f32("blk.0.attn_qkv.weight", {4, 12});
  f32("blk.0.attn_output.weight", {4, 4});
  f32("blk.0.ffn_norm.weight", {4});
  f32("blk.0.ffn_up.weight", {4, up_rows});
  f32("blk.0.ffn_down.weight", {8, 4});
  return w;
}

std::string error_of(const GgufWriter& w) {
  try {
    config_of(w);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(ModelConfigRope, ScalingKeysBecomeLlamaCppsRopeParameters) {
  // No type: llama.cpp reads it as linear, with a factor of 1.
  RopeParams p = config_of(tiny_llama()).rope_params(Weight{});
  EXPECT_EQ(1.0f, p.freq_scale);
  EXPECT_EQ(0.0f, p.ext_factor);
  EXPECT_EQ(1.0f, p.attn_factor);
  EXPECT_EQ(64, p.n_ctx_orig);  // n_ctx_train when original_context_length is absent

  GgufWriter linear = tiny_llama("llama.rope.scaling.factor", 4.0f);
  linear.set_string("llama.rope.scaling.type", "linear");
  p = config_of(linear).rope_params(Weight{});
  EXPECT_EQ(0.25f, p.freq_scale);
  EXPECT_EQ(0.0f, p.ext_factor);
  EXPECT_EQ(1.0f, p.attn_factor);

  GgufWriter none = tiny_llama("llama.rope.scaling.factor", 4.0f);
  none.set_string("llama.rope.scaling.type", "none");
  EXPECT_EQ(1.0f, config_of(none).rope_params(Weight{}).freq_scale);  // "none" never scales

  GgufWriter yarn = tiny_llama("llama.rope.scaling.factor", 4.0f);
  yarn.set_string("llama.rope.scaling.type", "yarn");
  yarn.set_u32("llama.rope.scaling.original_context_length", 32);
  p = config_of(yarn).rope_params(Weight{});
  EXPECT_EQ(0.25f, p.freq_scale);
  EXPECT_EQ(1.0f, p.ext_factor);
  EXPECT_EQ(32.0f, p.beta_fast);
  EXPECT_EQ(1.0f, p.beta_slow);
  EXPECT_EQ(32, p.n_ctx_orig);
  // (0.1 ln 4 + 1) / (1 + 0.1 ln 4): ggml's rope multiplies the correction back in.
  EXPECT_NEAR(1.0f, p.attn_factor, 1e-6f);
}

TEST(ModelConfigRope, UnknownScalingTypesAndBadFactorsAreRefusedNamingTheKey) {
  GgufWriter dynamic = tiny_llama();
  dynamic.set_string("llama.rope.scaling.type", "dynamic");
  EXPECT_NE(error_of(dynamic).find("llama.rope.scaling.type"), std::string::npos) << error_of(dynamic);
  EXPECT_NE(error_of(tiny_llama("llama.rope.scaling.factor", -2.0f)).find("llama.rope.scaling.factor"), std::string::npos);
  EXPECT_NE(error_of(tiny_llama("llama.rope.scaling.factor", 1e-40f)).find("llama.rope.scaling.factor"), std::string::npos);
  EXPECT_NE(error_of(tiny_llama("llama.rope.scaling.attn_factor", 0.0f)).find("llama.rope.scaling.attn_factor"),
            std::string::npos);
}

TEST(ModelConfigPhi3, FusedMatricesAndLongRopeAreRecognised) {
  const ModelConfig c = config_of(tiny_phi3());
  EXPECT_TRUE(c.fused_qkv);
  EXPECT_TRUE(c.fused_gate_up);
  EXPECT_TRUE(c.has_longrope);
  EXPECT_EQ(RopeOrder::NeoX, c.rope_order);
  // llama.cpp: the long factors once the context exceeds the original one.
  EXPECT_EQ("rope_factors_short.weight", c.rope_factors_name(16));
  EXPECT_EQ("rope_factors_long.weight", c.rope_factors_name(17));
  // LongRoPE's attention factor scales cos and sin whichever factors are used.
  EXPECT_EQ(1.25f, c.rope_params(Weight{}).attn_factor);
  EXPECT_EQ(1.0f, c.rope_params(Weight{}).freq_scale);
}

TEST(ModelConfigPhi3, AGateUpMatrixOfTheWrongHeightIsRefusedByName) {
  const std::string e = error_of(tiny_phi3(8));
  EXPECT_NE(e.find("blk.0.ffn_up.weight"), std::string::npos) << e;
  EXPECT_NE(e.find("4x16"), std::string::npos) << e;
}


// A gemma2 or gemma3 shape (n_embd 8, two heads of 4 and one KV head, n_ff 8,
// vocab 8) of n_layer layers in F32; `keys` adds metadata, `skip` leaves a
// tensor out.
GgufWriter tiny_gemma(const std::string& arch, int n_layer, const std::function<void(GgufWriter&)>& keys = {},
                      const std::string& skip = "") {
  GgufWriter w;
  const std::string a = arch + ".";
  w.set_string("general.architecture", arch);
  w.set_u32(a + "embedding_length", 8);
  w.set_u32(a + "block_count", n_layer);
  w.set_u32(a + "feed_forward_length", 8);
  w.set_u32(a + "attention.head_count", 2);
  w.set_u32(a + "attention.head_count_kv", 1);
  w.set_u32(a + "context_length", 64);
  w.set_f32(a + "rope.freq_base", 1000000.0f);
  if (keys) keys(w);
  auto f32 = [&](const std::string& name, std::vector<uint64_t> dims) {
    if (name == skip) return;
    uint64_t n = 1;
    for (auto d : dims) n *= d;
    w.add_tensor(name, GgmlType::F32, dims, std::vector<uint8_t>(n * 4, 0));
  };
  f32("token_embd.weight", {8, 8});
  f32("output_norm.weight", {8});
  for (int l = 0; l < n_layer; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    f32(b + "attn_norm.weight", {8});
    f32(b + "attn_q.weight", {8, 8});
    f32(b + "attn_k.weight", {8, 4});
    f32(b + "attn_v.weight", {8, 4});
    if (arch == "gemma3") {
      f32(b + "attn_q_norm.weight", {4});
      f32(b + "attn_k_norm.weight", {4});
    }
    f32(b + "attn_output.weight", {8, 8});
    f32(b + "post_attention_norm.weight", {8});
    f32(b + "ffn_norm.weight", {8});
    f32(b + "ffn_gate.weight", {8, 8});
    f32(b + "ffn_up.weight", {8, 8});
    f32(b + "ffn_down.weight", {8, 8});
    f32(b + "post_ffw_norm.weight", {8});
  }
  return w;
}

std::vector<bool> sliding_layers(const ModelConfig& c) {
  std::vector<bool> v;
  for (int32_t l = 0; l < c.n_layer; ++l) v.push_back(c.sliding(l));
  return v;
}

// llama.cpp's gemma3 defaults: five sliding layers of every six, their rope
// base 10000, no soft-capping, query scale 1/sqrt(head_dim).
TEST(ModelConfigGemma, Gemma3DefaultsFollowLlamaCpp) {
  const ModelConfig c = config_of(tiny_gemma("gemma3", 7, [](GgufWriter& w) { w.set_u32("gemma3.attention.sliding_window", 16); }));
  EXPECT_EQ(c.sliding_window, 16);
  EXPECT_EQ(sliding_layers(c), (std::vector<bool>{true, true, true, true, true, false, true}));
  EXPECT_FLOAT_EQ(c.rope_freq_base_swa, 10000.0f);
  EXPECT_FLOAT_EQ(c.rope_freq_base, 1000000.0f);
  EXPECT_FLOAT_EQ(c.embd_scale, std::sqrt(8.0f));
  EXPECT_FLOAT_EQ(c.query_scale, 0.5f);  // 1/sqrt(head_dim 4)
  EXPECT_EQ(c.attn_softcap, 0.0f);
  EXPECT_EQ(c.final_softcap, 0.0f);
  EXPECT_TRUE(c.has_qk_norm);
  EXPECT_TRUE(c.has_post_norms);
  EXPECT_EQ(c.ffn_act, GateAct::GeluTanh);
  EXPECT_EQ(c.rope_order, RopeOrder::NeoX);
}

TEST(ModelConfigGemma, Gemma3WithoutAWindowHasNoSlidingLayers) {
  const ModelConfig c = config_of(tiny_gemma("gemma3", 3));
  EXPECT_EQ(c.sliding_window, 0);
  EXPECT_EQ(sliding_layers(c), (std::vector<bool>{false, false, false}));
}

// gemma2: every other layer slides from the first, a window of 4096 and
// caps of 50 and 30 unless the file says otherwise, the global rope base.
TEST(ModelConfigGemma, Gemma2DefaultsFollowLlamaCpp) {
  const ModelConfig c = config_of(tiny_gemma("gemma2", 4));
  EXPECT_EQ(c.sliding_window, 4096);
  EXPECT_EQ(sliding_layers(c), (std::vector<bool>{true, false, true, false}));
  EXPECT_FLOAT_EQ(c.rope_freq_base_swa, 1000000.0f);
  EXPECT_FLOAT_EQ(c.attn_softcap, 50.0f);
  EXPECT_FLOAT_EQ(c.final_softcap, 30.0f);
  EXPECT_FALSE(c.has_qk_norm);
  const ModelConfig d = config_of(tiny_gemma("gemma2", 2, [](GgufWriter& w) {
    w.set_f32("gemma2.attn_logit_softcapping", 2.0f);
    w.set_f32("gemma2.final_logit_softcapping", 5.0f);
    w.set_u32("gemma2.attention.sliding_window", 8);
    w.set_f32("gemma2.rope.freq_base_swa", 20000.0f);
  }));
  EXPECT_FLOAT_EQ(d.attn_softcap, 2.0f);
  EXPECT_FLOAT_EQ(d.final_softcap, 5.0f);
  EXPECT_EQ(d.sliding_window, 8);
  EXPECT_FLOAT_EQ(d.rope_freq_base_swa, 20000.0f);
}

TEST(ModelConfigGemma, PatternAsANumberOrPerLayerFlags) {
  const ModelConfig n = config_of(tiny_gemma("gemma3", 5, [](GgufWriter& w) {
    w.set_u32("gemma3.attention.sliding_window", 8);
    w.set_u32("gemma3.attention.sliding_window_pattern", 3);
  }));
  EXPECT_EQ(sliding_layers(n), (std::vector<bool>{true, true, false, true, true}));
  const ModelConfig f = config_of(tiny_gemma("gemma3", 3, [](GgufWriter& w) {
    w.set_u32("gemma3.attention.sliding_window", 8);
    w.set_i32s("gemma3.attention.sliding_window_pattern", {0, 1, 0});
  }));
  EXPECT_EQ(sliding_layers(f), (std::vector<bool>{false, true, false}));
}

TEST(ModelConfigGemma, BadGemmaMetadataIsRefusedByName) {
  const std::vector<std::pair<std::string, GgufWriter>> bad = {
      {"blk.1.post_ffw_norm.weight", tiny_gemma("gemma2", 2, {}, "blk.1.post_ffw_norm.weight")},
      {"blk.0.attn_k_norm.weight", tiny_gemma("gemma3", 1, {}, "blk.0.attn_k_norm.weight")},
      {"gemma2.attn_logit_softcapping",
       tiny_gemma("gemma2", 1, [](GgufWriter& w) { w.set_f32("gemma2.attn_logit_softcapping", -1.0f); })},
      {"gemma2.final_logit_softcapping", tiny_gemma("gemma2", 1, [](GgufWriter& w) {
         w.set_f32("gemma2.final_logit_softcapping", std::numeric_limits<float>::infinity());
       })},
      {"gemma3.attention.sliding_window_pattern", tiny_gemma("gemma3", 2, [](GgufWriter& w) {
         w.set_u32("gemma3.attention.sliding_window", 8);
         w.set_i32s("gemma3.attention.sliding_window_pattern", {1, 0, 1});
       })},
  };
  for (const auto& [name, w] : bad) {
    try {
      config_of(w);
      ADD_FAILURE() << name << ": accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << "the error names " << name << ": " << e.what();
    }
  }
}

}  // namespace
}  // namespace lantern
