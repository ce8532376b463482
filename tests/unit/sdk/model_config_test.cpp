// ModelConfig::from_gguf on hostile float metadata: the values the forward
// pass divides by or raises to a power (rope.freq_base, the RMS norm's
// epsilon) must be finite and in range, and the error names the key.
#include <gtest/gtest.h>

#include <cmath>
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

}  // namespace
}  // namespace lantern
