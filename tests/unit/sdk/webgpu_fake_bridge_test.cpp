// The WebGPU backend and the engine's device decode loop, natively, on the
// fake bridge (tests/support/fake_gpu_bridge.h): what each pass records and
// compiles, and how greedy decoding runs ahead of the GPU's answers, waits
// for them, and cancels what it no longer wants. No shader runs here (the
// browser parity suite checks the numbers); this checks the bookkeeping.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>

#include "backend/webgpu/webgpu_backend.h"
#include "engine/engine.h"
#include "engine/generation.h"
#include "gguf/byte_source.h"
#include "support/fake_gpu_bridge.h"
#include "support/test_files.h"
#include "support/test_paths.h"

namespace lantern {
namespace {

using test::FakeGpu;

// stories260K on the WebGPU backend over the fake bridge, weights uploaded
// as the web SDK uploads them.
std::unique_ptr<Engine> fake_gpu_engine() {
  FakeGpu::get().reset();
  const std::string bytes = test::read_file(test::stories260k());
  auto src = std::make_unique<MemorySource>(std::vector<uint8_t>(bytes.begin(), bytes.end()));
  EngineOptions eo;
  eo.n_ctx = 256;
  eo.max_batch = 64;
  eo.external_weights = true;
  auto engine = std::make_unique<Engine>(std::move(src), std::make_unique<WebGpuBackend>(), eo);
  for (const auto& [info, w] : engine->model().weight_handles())
    engine->backend().write_weight(w, 0, reinterpret_cast<const uint8_t*>(bytes.data()) + info->offset, info->n_bytes);
  return engine;
}

// Polls until the last pass's logits arrive; returns how many polls said "not yet".
int wait_logits(LlamaModel& model) {
  int pending = 0;
  while (!model.logits_ready()) ++pending;
  return pending;
}

TEST(WebGpuFakeBridge, EachPassIsOneSubmitAndKernelsCompileOnce) {
  auto engine = fake_gpu_engine();
  FakeGpu& gpu = FakeGpu::get();
  LlamaModel& model = engine->model();
  const auto& backend = static_cast<const WebGpuBackend&>(engine->backend());
  const std::vector<int32_t> prompt = {1, 403, 407, 261, 378};
  const size_t submits_before = gpu.submits.size();
  model.submit(prompt.data(), static_cast<int32_t>(prompt.size()), 0);
  EXPECT_EQ(gpu.polls_per_read, wait_logits(model)) << "the logits arrive after the read's polls";
  ASSERT_EQ(submits_before + 1, gpu.submits.size()) << "a forward pass is one submit";
  const size_t prefill_pipelines = gpu.pipelines.size();

  const int32_t token = 432;
  model.submit(&token, 1, 5);
  wait_logits(model);
  const size_t decode_pipelines = gpu.pipelines.size();
  EXPECT_GT(decode_pipelines, prefill_pipelines) << "decode has kernels of its own (matrix-vector)";
  const std::vector<std::string> first = gpu.submits.back();
  EXPECT_EQ(static_cast<size_t>(backend.dispatches_per_pass()), first.size());
  model.submit(&token, 1, 6);
  wait_logits(model);
  EXPECT_EQ(decode_pipelines, gpu.pipelines.size()) << "a second decode pass compiles nothing";
  EXPECT_EQ(first, gpu.submits.back()) << "decode passes record the same dispatches";
  // One pass of a llama layer: the fused kernels the backend has.
  for (const char* kernel : {"matvec_norm", "matvec_gate_up", "attention", "rope_store"}) {
    EXPECT_TRUE(std::any_of(first.begin(), first.end(), [&](const std::string& l) { return l.rfind(kernel, 0) == 0; }))
        << "no " << kernel << " dispatch in a decode pass";
  }
  // Every pipeline made was made from its own WGSL (the bridge keys its cache on it).
  for (size_t i = 1; i < gpu.wgsl.size(); ++i) EXPECT_NE(gpu.wgsl[i].find("fn main"), std::string::npos) << gpu.pipelines[i];
}

TEST(WebGpuFakeBridge, DeviceGreedyRunsAheadWaitsAndTakesTheDevicesTokens) {
  auto engine = fake_gpu_engine();
  FakeGpu& gpu = FakeGpu::get();
  gpu.polls_per_read = 3;
  // The device's argmax answers (4-byte token reads): 100, 101, ...
  std::vector<int32_t> answered;
  gpu.read_hook = [&](const FakeGpu::Read& r, uint8_t* dst) {
    if (r.size != 4) return std::memset(dst, 0, static_cast<size_t>(r.size)), void();
    const int32_t t = 100 + static_cast<int32_t>(answered.size());
    answered.push_back(t);
    std::memcpy(dst, &t, 4);
  };
  SamplingParams sp;
  sp.temperature = 0;
  StopParams st;
  st.max_tokens = 12;
  st.ignore_eos = true;
  Generation gen(*engine, {1, 403, 407, 261, 378}, sp, st);
  int waiting = 0, most_in_flight = 0;
  for (int steps = 0; !gen.done(); ++steps) {
    ASSERT_LT(steps, 1000) << "the generation never ended";
    waiting += gen.step().waiting;
    most_in_flight = std::max(most_in_flight, gpu.reads_in_flight());
  }
  EXPECT_EQ(FinishReason::Length, gen.finish_reason());
  ASSERT_EQ(12u, gen.tokens().size());
  // Every token the device answered was taken, in order, as the last ones.
  ASSERT_FALSE(answered.empty());
  ASSERT_LE(answered.size(), gen.tokens().size());
  EXPECT_EQ(answered, std::vector<int32_t>(gen.tokens().end() - static_cast<std::ptrdiff_t>(answered.size()), gen.tokens().end()));
  EXPECT_GT(waiting, 0) << "steps wait while the GPU has not answered";
  EXPECT_GT(most_in_flight, 1) << "passes run ahead of the answers";
  EXPECT_LE(most_in_flight, 6) << "at most kRunAhead passes in flight";
  EXPECT_EQ(0, gpu.reads_in_flight()) << "nothing is left in flight after the end";
}

TEST(WebGpuFakeBridge, InterruptCancelsThePassesInFlight) {
  auto engine = fake_gpu_engine();
  FakeGpu& gpu = FakeGpu::get();
  SamplingParams sp;
  sp.temperature = 0;
  StopParams st;
  st.max_tokens = 64;
  st.ignore_eos = true;
  gpu.read_hook = [](const FakeGpu::Read& r, uint8_t* dst) { std::memset(dst, 0, static_cast<size_t>(r.size)); };
  Generation gen(*engine, {1, 403, 407, 261, 378}, sp, st);
  gen.step();                 // the prompt's pass; its read answers after 2 polls,
  gpu.polls_per_read = 1000;  // the decode passes' reads not while the test watches
  for (int steps = 0; gpu.reads_in_flight() < 2; ++steps) {
    ASSERT_LT(steps, 100) << "passes never ran ahead";
    gen.step();
  }
  const int in_flight = gpu.reads_in_flight(), cancelled = gpu.reads_cancelled();
  gen.interrupt();
  gen.step();
  EXPECT_TRUE(gen.done());
  EXPECT_EQ(FinishReason::Abort, gen.finish_reason());
  EXPECT_EQ(0, gpu.reads_in_flight()) << "no read is left in flight";
  EXPECT_EQ(cancelled + in_flight, gpu.reads_cancelled()) << "each pass in flight was cancelled";
}

}  // namespace
}  // namespace lantern
