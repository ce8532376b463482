// Buffers sized by products of header values (the KV cache: block_count x
// n_ctx x KV width; activations: max_batch x widths) are checked against the
// backend's memory budget before anything is allocated, and the error names
// the setting to lower. Before the check, such a header made the CPU backend
// ask for the whole product at once.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "backend/cpu/cpu_backend.h"
#include "gguf/byte_source.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "model/llama_model.h"
#include "model/memory_budget.h"

namespace lantern {
namespace {

// One layer, n_embd 32, 32 heads of key/value length 1024: a KV width of
// 32768 from 2.4 MB of Q4_0 weights (zeros), trained for n_ctx_train.
std::vector<uint8_t> wide_kv_llama(uint32_t n_ctx_train) {
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_u32("llama.embedding_length", 32);
  w.set_u32("llama.block_count", 1);
  w.set_u32("llama.feed_forward_length", 32);
  w.set_u32("llama.attention.head_count", 32);
  w.set_u32("llama.attention.key_length", 1024);
  w.set_u32("llama.attention.value_length", 1024);
  w.set_u32("llama.context_length", n_ctx_train);
  auto q4_0 = [&](const std::string& name, uint64_t row, uint64_t rows) {
    w.add_tensor(name, GgmlType::Q4_0, {row, rows}, std::vector<uint8_t>(row / 32 * 18 * rows, 0));
  };
  auto f32 = [&](const std::string& name, uint64_t n) { w.add_tensor(name, GgmlType::F32, {n}, std::vector<uint8_t>(n * 4, 0)); };
  q4_0("token_embd.weight", 32, 8);
  f32("output_norm.weight", 32);
  f32("blk.0.attn_norm.weight", 32);
  q4_0("blk.0.attn_q.weight", 32, 32768);
  q4_0("blk.0.attn_k.weight", 32, 32768);
  q4_0("blk.0.attn_v.weight", 32, 32768);
  q4_0("blk.0.attn_output.weight", 32768, 32);
  f32("blk.0.ffn_norm.weight", 32);
  q4_0("blk.0.ffn_gate.weight", 32, 32);
  q4_0("blk.0.ffn_up.weight", 32, 32);
  q4_0("blk.0.ffn_down.weight", 32, 32);
  return w.to_bytes();
}

// The message of the error LlamaModel throws, or "" when it loads.
std::string load_error(const std::vector<uint8_t>& file, int32_t n_ctx, int32_t max_batch, const CpuBackendOptions& o) {
  MemorySource src(file.data(), file.size());
  const GgufFile gguf = GgufFile::parse(src);
  CpuBackend backend(o);
  try {
    LlamaModel model(gguf, &src, backend, n_ctx, max_batch);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

void expect_parts(const std::string& msg, const std::vector<std::string>& parts) {
  for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
}

// 2 TiB of KV cache from a 2.4 MB file: refused at once on the default budget
// (half this machine's memory), where it used to throw std::bad_alloc (or,
// with less to ask for, take the machine's memory).
TEST(MemoryBudget, KvCacheOfAHugeContextIsRefusedBeforeAllocatingNamingNCtx) {
  const std::vector<uint8_t> file = wide_kv_llama(1u << 24);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string msg = load_error(file, 1 << 24, 64, {});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  expect_parts(msg, {"KV cache for n_ctx 16777216 needs 2048 GiB", "block_count 1 x n_ctx 16777216 x KV width 32768",
                     "half of this machine's", "lower n_ctx (at most "});
}

// The message says what it needs, the limit and the largest n_ctx that fits,
// and that n_ctx does load while one more does not.
TEST(MemoryBudget, TheLargestContextNamedInTheMessageFitsAndOneMoreDoesNot) {
  const std::vector<uint8_t> file = wide_kv_llama(4096);
  CpuBackendOptions o;
  o.memory_budget_bytes = 256u << 20;
  o.n_threads = 1;
  const std::string msg = load_error(file, 4096, 64, o);
  // KV: 2 x 4096 x 32768 x 2 bytes = 512 MiB; activations: 64 x 131272 x 4 + 128 bytes (32.0 MiB);
  // per position 131072 bytes: (256 MiB - activations) / 131072 = 1791.
  expect_parts(msg, {"KV cache for n_ctx 4096 needs 512 MiB", "with 32.0 MiB of activations",
                     "the limit is 256 MiB (the CPU backend's memory_budget_bytes)", "lower n_ctx (at most 1791 fits)"});
  EXPECT_EQ(load_error(file, 1791, 64, o), "");
  expect_parts(load_error(file, 1792, 64, o), {"KV cache for n_ctx 1792"});
}

TEST(MemoryBudget, ActivationsOfAHugeBatchAreRefusedNamingMaxBatch) {
  const std::vector<uint8_t> file = wide_kv_llama(64);
  expect_parts(load_error(file, 64, 1 << 20, {}), {"activations for max_batch 1048576 need 512.8 GiB", "lower max_batch"});
}

// The WebGPU backend keeps each layer's keys in one buffer: the device's
// largest buffer bounds n_ctx too (its memory_budget() reads it from the
// device, so the rule is checked here with the budget it would give).
TEST(MemoryBudget, OneLayersKeysOverTheDevicesLargestBufferAreRefused) {
  ModelConfig c;
  c.n_embd = 32, c.n_layer = 1, c.n_ff = 32, c.n_head = 32, c.n_head_kv = 32, c.head_dim = 1024, c.n_vocab = 8;
  const MemoryBudget gpu{uint64_t{8} << 30, uint64_t{256} << 20, 2, "the WebGPU backend's memory_budget_bytes"};
  EXPECT_NO_THROW(check_memory_budget(c, 4096, 64, gpu));  // 4096 x 32768 x 2 = 256 MiB: exactly the limit
  try {
    check_memory_budget(c, 4097, 64, gpu);
    ADD_FAILURE() << "n_ctx 4097 was accepted";
  } catch (const std::runtime_error& e) {
    expect_parts(e.what(), {"one layer's keys for n_ctx 4097 need 256.1 MiB", "largest buffer of 256 MiB",
                            "lower n_ctx (at most 4096 fits)"});
  }
}

}  // namespace
}  // namespace lantern
