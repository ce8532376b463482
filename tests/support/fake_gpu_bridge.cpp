// The fake lgpu_* bridge (fake_gpu_bridge.h): what wasm/gpu_bridge.js does on
// WebGPU, as bookkeeping in host memory.
#include "support/fake_gpu_bridge.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "backend/webgpu/gpu_bridge.h"

namespace lantern::test {

FakeGpu& FakeGpu::get() {
  static FakeGpu gpu = [] {
    FakeGpu g;
    g.reset();
    return g;
  }();
  return gpu;
}

void FakeGpu::reset() {
  *this = FakeGpu{};
  buffers.resize(1);
  pipelines.resize(1);
  wgsl.resize(1);
  bind_group_pipeline.resize(1);
  reads.resize(1);
}

int FakeGpu::reads_in_flight() const {
  return static_cast<int>(std::count_if(reads.begin() + 1, reads.end(), [](const Read& r) { return !r.finished && !r.cancelled; }));
}

int FakeGpu::reads_cancelled() const {
  return static_cast<int>(std::count_if(reads.begin() + 1, reads.end(), [](const Read& r) { return r.cancelled; }));
}

namespace {
FakeGpu::Buffer& buffer(int id) {
  FakeGpu& g = FakeGpu::get();
  if (id <= 0 || id >= static_cast<int>(g.buffers.size()) || g.buffers[id].destroyed)
    throw std::logic_error("fake gpu: no buffer " + std::to_string(id));
  return g.buffers[id];
}
}  // namespace

}  // namespace lantern::test

using lantern::test::FakeGpu;

extern "C" {

int lgpu_buffer_create(double size, int, const char* label) {
  FakeGpu& g = FakeGpu::get();
  g.buffers.push_back({std::vector<uint8_t>(static_cast<size_t>(size)), label ? label : "", false});
  return static_cast<int>(g.buffers.size() - 1);
}

void lgpu_buffer_destroy(int id) { lantern::test::buffer(id).destroyed = true; }

void lgpu_buffer_write(int id, double offset, const void* src, int size) {
  auto& b = lantern::test::buffer(id).bytes;
  if (offset < 0 || offset + size > static_cast<double>(b.size())) throw std::logic_error("fake gpu: write past a buffer's end");
  std::memcpy(b.data() + static_cast<size_t>(offset), src, static_cast<size_t>(size));
}

int lgpu_pipeline_create(const char* wgsl, const char* label) {
  FakeGpu& g = FakeGpu::get();
  g.pipelines.push_back(label ? label : "");
  g.wgsl.push_back(wgsl ? wgsl : "");
  return static_cast<int>(g.pipelines.size() - 1);
}

int lgpu_bind_group_create(int pipeline, const int32_t* entries, int n) {
  FakeGpu& g = FakeGpu::get();
  if (pipeline <= 0 || pipeline >= static_cast<int>(g.pipelines.size())) throw std::logic_error("fake gpu: bind group of no pipeline");
  for (int i = 0; i < n; ++i) lantern::test::buffer(entries[4 * i + 1]);  // every bound buffer exists
  g.bind_group_pipeline.push_back(pipeline);
  return static_cast<int>(g.bind_group_pipeline.size() - 1);
}

void lgpu_submit(const int32_t* cmds, int n_words) {
  FakeGpu& g = FakeGpu::get();
  std::vector<std::string> dispatches;
  for (int i = 0; i < n_words;) {
    if (cmds[i] == 1) {  // dispatch: pipeline, bind group, x, y, z
      const int pipeline = cmds[i + 1], group = cmds[i + 2];
      if (group <= 0 || group >= static_cast<int>(g.bind_group_pipeline.size()) || g.bind_group_pipeline[group] != pipeline)
        throw std::logic_error("fake gpu: a dispatch's bind group was made for another pipeline");
      dispatches.push_back(g.pipelines[pipeline]);
      i += 6;
    } else if (cmds[i] == 2) {  // copy: src, src offset, dst, dst offset, size
      auto& src = lantern::test::buffer(cmds[i + 1]).bytes;
      auto& dst = lantern::test::buffer(cmds[i + 3]).bytes;
      std::memmove(dst.data() + cmds[i + 4], src.data() + cmds[i + 2], static_cast<size_t>(cmds[i + 5]));
      i += 6;
    } else {
      throw std::logic_error("fake gpu: unknown command " + std::to_string(cmds[i]));
    }
  }
  g.submits.push_back(std::move(dispatches));
}

int lgpu_read_begin(int buffer, double offset, int size) {
  FakeGpu& g = FakeGpu::get();
  lantern::test::buffer(buffer);
  g.reads.push_back({buffer, static_cast<uint64_t>(offset), size, g.polls_per_read, false, false});
  return static_cast<int>(g.reads.size() - 1);
}

int lgpu_read_poll(int request, void* dst) {
  FakeGpu& g = FakeGpu::get();
  FakeGpu::Read& r = g.reads.at(static_cast<size_t>(request));
  if (r.cancelled || r.finished) throw std::logic_error("fake gpu: poll of a finished or cancelled read");
  if (r.polls_left-- > 0) return 0;
  r.finished = true;
  if (g.read_hook) g.read_hook(r, static_cast<uint8_t*>(dst));
  else std::memcpy(dst, lantern::test::buffer(r.buffer).bytes.data() + r.offset, static_cast<size_t>(r.size));
  return 1;
}

void lgpu_read_cancel(int request) { FakeGpu::get().reads.at(static_cast<size_t>(request)).cancelled = true; }

int lgpu_subgroup_matrix(int32_t*) { return 0; }

double lgpu_max_buffer_size() { return FakeGpu::get().max_buffer_size; }

}  // extern "C"
