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

}  // namespace
}  // namespace lantern
