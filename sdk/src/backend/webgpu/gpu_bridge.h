// The C side of wasm/gpu_bridge.js: WebGPU objects are JS objects, C++ holds
// their ids. The wasm build links these as JS imports; native unit tests link
// a fake (tests/support/fake_gpu_bridge.h) that records what is asked of it.
#pragma once
#include <cstdint>

extern "C" {
// usage bits: 1 storage, 2 uniform, 4 copy-src, 8 copy-dst.
int lgpu_buffer_create(double size, int usage, const char* label);
void lgpu_buffer_destroy(int id);
void lgpu_buffer_write(int id, double offset, const void* src, int size);
int lgpu_pipeline_create(const char* wgsl, const char* label);
// entries: n records {binding, buffer, offset, size (0 = rest of the buffer)}.
int lgpu_bind_group_create(int pipeline, const int32_t* entries, int n);
// cmds: [1, pipeline, bind group, x, y, z] or [2, src, src offset, dst, dst offset, size].
void lgpu_submit(const int32_t* cmds, int n_words);
int lgpu_read_begin(int buffer, double offset, int size);
int lgpu_read_poll(int request, void* dst);  // 1 done, 0 pending, -1 failed
void lgpu_read_cancel(int request);          // the result is no longer wanted
// The device's subgroup-matrix configuration for f16 operands with f32
// results, as {M, N, K, largest subgroup size, workgroup storage limit}:
// returns 1 and fills out[5] when the device has one, else 0.
int lgpu_subgroup_matrix(int32_t* out);
// min(maxBufferSize, maxStorageBufferBindingSize) of the device.
double lgpu_max_buffer_size();
}
