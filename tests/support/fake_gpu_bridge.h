// A native stand-in for wasm/gpu_bridge.js (the lgpu_* functions of
// sdk/src/backend/webgpu/gpu_bridge.h), so the WebGPU backend's command
// recording and the engine's device decode loop run in native unit tests.
// It keeps buffers as bytes (writes and copies land), records every pipeline
// and every submitted dispatch by its pipeline's label, and completes a read
// after `polls_per_read` polls with the buffer's bytes, or what `read_hook`
// says. No shader runs: logits stay as the buffers hold them.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lantern::test {

struct FakeGpu {
  struct Buffer {
    std::vector<uint8_t> bytes;
    std::string label;
    bool destroyed = false;
  };
  struct Read {
    int buffer = 0;
    uint64_t offset = 0;
    int size = 0;
    int polls_left = 0;
    bool cancelled = false;
    bool finished = false;
  };

  std::vector<Buffer> buffers;                 // by id (0 unused)
  std::vector<std::string> pipelines;          // labels by id (0 unused)
  std::vector<std::string> wgsl;               // sources by id
  std::vector<int> bind_group_pipeline;        // by id (0 unused)
  std::vector<std::vector<std::string>> submits;  // each submit's dispatches (pipeline labels)
  std::vector<Read> reads;                     // by request id (0 unused)
  int polls_per_read = 2;                      // polls that answer "pending" before a read completes
  // Fills a completed read's bytes instead of the buffer's (nullptr: the buffer's).
  std::function<void(const Read&, uint8_t* dst)> read_hook;
  double max_buffer_size = 1 << 30;

  // The reads begun and neither finished nor cancelled.
  int reads_in_flight() const;
  int reads_cancelled() const;

  static FakeGpu& get();
  void reset();
};

}  // namespace lantern::test
