// Writes GGUF v3 files: metadata in insertion order, tensors aligned. Used by
// fixtures/make_gguf and by tests that build small or deliberately broken files.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"

namespace lantern {

class GgufWriter {
 public:
  explicit GgufWriter(uint32_t alignment = 32) : alignment_(alignment) {}
  void set(const std::string& key, GgufValue value);
  void set_string(const std::string& key, std::string v);
  void set_u32(const std::string& key, uint32_t v);
  void set_i32(const std::string& key, int32_t v);
  void set_f32(const std::string& key, float v);
  void set_bool(const std::string& key, bool v);
  void set_strings(const std::string& key, std::vector<std::string> v);
  void set_f32s(const std::string& key, const std::vector<float>& v);
  void set_i32s(const std::string& key, const std::vector<int32_t>& v);
  // Raw tensor bytes, already in `type`'s block layout; dims in GGML order.
  void add_tensor(const std::string& name, GgmlType type, std::vector<uint64_t> dims,
                  std::vector<uint8_t> data);
  std::vector<uint8_t> to_bytes() const;
  void write_file(const std::string& path) const;  // throws std::runtime_error

 private:
  uint32_t alignment_;
  std::vector<std::pair<std::string, GgufValue>> kv_;
  struct Tensor { std::string name; GgmlType type; std::vector<uint64_t> dims; std::vector<uint8_t> data; };
  std::vector<Tensor> tensors_;
};

}  // namespace lantern
