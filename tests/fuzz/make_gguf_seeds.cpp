// Writes the seed corpus for gguf_fuzz: small valid GGUF files covering every
// metadata value type, several tensor types and layouts, and a whole tiny
// model whose sizes multiply past any memory.
// Usage: make_gguf_seeds OUTDIR   (the repo keeps its output in fixtures/fuzz/gguf/)
#include <cstdio>
#include <string>
#include <vector>

#include "gguf/dequant.h"
#include "gguf/gguf_writer.h"

using namespace lantern;

namespace {

std::vector<uint8_t> quantised(GgmlType type, size_t n, float scale) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = scale * static_cast<float>((i * 37) % 23) / 23.0f - scale / 2;
  std::vector<uint8_t> out(ggml_row_bytes(type, n));
  quantize_row(type, x.data(), out.data(), static_cast<int64_t>(n));
  return out;
}

std::vector<uint8_t> bytes(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed * 31 + i * 17);
  return v;
}

void save(const std::string& dir, const char* name, const GgufWriter& w) {
  w.write_file(dir + "/" + name);
  std::printf("%s/%s: %llu bytes\n", dir.c_str(), name, static_cast<unsigned long long>(w.file_size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];

  GgufWriter all;  // every value type, no tensors
  all.set("u8", {GgufValueType::UINT8, uint64_t{7}});
  all.set("i8", {GgufValueType::INT8, int64_t{-7}});
  all.set("u16", {GgufValueType::UINT16, uint64_t{700}});
  all.set("i16", {GgufValueType::INT16, int64_t{-700}});
  all.set_u32("u32", 70000);
  all.set_i32("i32", -70000);
  all.set_f32("f32", 0.5f);
  all.set_bool("bool", true);
  all.set_string("str", "h\xC3\xA9llo");
  all.set_u64("u64", 1ull << 40);
  all.set_i64("i64", -(1ll << 40));
  all.set("f64", {GgufValueType::FLOAT64, 2.5});
  all.set_strings("strs", {"a", "", "\xE4\xB8\xAD"});
  all.set_i32s("i32s", {1, -2, 3});
  all.set_f32s("f32s", {1.0f, -1.0f});
  all.set("bools", {GgufValueType::ARRAY, GgufValue::Array{GgufValueType::BOOL, {}, {1, 0}, {}}});
  save(dir, "all_value_types.gguf", all);

  GgufWriter model;  // a tiny llama-shaped file with mixed tensor types
  model.set_string("general.architecture", "llama");
  model.set_u32("llama.block_count", 1);
  model.set_u32("llama.embedding_length", 32);
  model.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  model.set_strings("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "a", "b"});
  model.set_f32s("tokenizer.ggml.scores", {0, 0, 0, -1, -2});
  model.set_i32s("tokenizer.ggml.token_type", {2, 3, 3, 1, 1});
  model.add_tensor("token_embd.weight", GgmlType::Q8_0, {32, 5}, quantised(GgmlType::Q8_0, 160, 2.0f));
  model.add_tensor("output_norm.weight", GgmlType::F32, {32}, quantised(GgmlType::F32, 32, 1.0f));
  model.add_tensor("blk.0.attn_q.weight", GgmlType::Q4_0, {32, 32}, quantised(GgmlType::Q4_0, 1024, 1.0f));
  model.add_tensor("blk.0.attn_k.weight", GgmlType::Q4_1, {32, 4}, quantised(GgmlType::Q4_1, 128, 1.0f));
  model.add_tensor("blk.0.attn_v.weight", GgmlType::F16, {32, 4}, quantised(GgmlType::F16, 128, 1.0f));
  model.add_tensor("blk.0.attn_output.weight", GgmlType::BF16, {32, 2}, quantised(GgmlType::BF16, 64, 1.0f));
  save(dir, "tiny_llama.gguf", model);

  GgufWriter kquants(64);  // K-quant blocks (arbitrary bytes), 64-byte alignment
  kquants.set_string("general.architecture", "llama");
  kquants.add_tensor("q4_K", GgmlType::Q4_K, {256}, bytes(144, 1));
  kquants.add_tensor("q6_K", GgmlType::Q6_K, {256}, bytes(210, 2));
  kquants.add_tensor("q2_K", GgmlType::Q2_K, {256}, bytes(84, 3));
  kquants.add_tensor("q3_K", GgmlType::Q3_K, {256}, bytes(110, 4));
  kquants.add_tensor("q5_K", GgmlType::Q5_K, {256}, bytes(176, 5));
  kquants.add_tensor("q5_0", GgmlType::Q5_0, {32, 2}, bytes(44, 6));
  kquants.add_tensor("q5_1", GgmlType::Q5_1, {32}, bytes(24, 7));
  kquants.add_tensor("iq4_nl", GgmlType::IQ4_NL, {32}, bytes(18, 8));
  save(dir, "k_quants_align64.gguf", kquants);

  // A whole tiny model (one layer, 32 wide) that claims a context of 2^24 - 1:
  // each size is allowed, their product (its KV cache: 4 GiB in f32) is
  // not. The target's model-sizes step must refuse it cleanly at every
  // n_ctx too large and let through only what fits.
  GgufWriter huge;
  huge.set_string("general.architecture", "llama");
  huge.set_u32("llama.block_count", 1);
  huge.set_u32("llama.context_length", (1u << 24) - 1);
  huge.set_u32("llama.embedding_length", 32);
  huge.set_u32("llama.feed_forward_length", 64);
  huge.set_u32("llama.attention.head_count", 4);
  huge.set_u32("llama.attention.head_count_kv", 4);
  huge.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  huge.set_strings("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "a", "b"});
  huge.add_tensor("token_embd.weight", GgmlType::Q8_0, {32, 5}, quantised(GgmlType::Q8_0, 160, 1.0f));
  huge.add_tensor("output_norm.weight", GgmlType::F32, {32}, quantised(GgmlType::F32, 32, 1.0f));
  huge.add_tensor("blk.0.attn_norm.weight", GgmlType::F32, {32}, quantised(GgmlType::F32, 32, 1.0f));
  for (const char* m : {"attn_q", "attn_k", "attn_v", "attn_output"})
    huge.add_tensor(std::string("blk.0.") + m + ".weight", GgmlType::Q8_0, {32, 32}, quantised(GgmlType::Q8_0, 1024, 1.0f));
  huge.add_tensor("blk.0.ffn_norm.weight", GgmlType::F32, {32}, quantised(GgmlType::F32, 32, 1.0f));
  huge.add_tensor("blk.0.ffn_gate.weight", GgmlType::Q8_0, {32, 64}, quantised(GgmlType::Q8_0, 2048, 1.0f));
  huge.add_tensor("blk.0.ffn_up.weight", GgmlType::Q8_0, {32, 64}, quantised(GgmlType::Q8_0, 2048, 1.0f));
  huge.add_tensor("blk.0.ffn_down.weight", GgmlType::Q8_0, {64, 32}, quantised(GgmlType::Q8_0, 2048, 1.0f));
  save(dir, "huge_context_tiny_model.gguf", huge);

  GgufWriter empty;  // header only
  save(dir, "empty.gguf", empty);
  return 0;
}
