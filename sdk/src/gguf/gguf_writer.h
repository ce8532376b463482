// Writes GGUF v3 files: metadata in insertion order, tensors aligned. Used by
// fixtures/make_gguf and by tests that build small or deliberately broken files.
// Tensor data is either held (add_tensor) or produced on demand while writing
// (add_tensor_generated), so multi-GB files stream out with one chunk in memory.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"

namespace lantern {

class GgufWriter {
 public:
  // Called in order with consecutive pieces of one tensor's data: each call
  // must fill all n_bytes at dst with the next bytes of the tensor. Pieces are
  // whole rows (n_bytes is a multiple of the row size in bytes), about 4 MiB
  // each, so a generator can quantise row by row.
  using TensorFill = std::function<void(uint8_t* dst, uint64_t n_bytes)>;
  // Receives the file's bytes in order.
  using ByteSink = std::function<void(const uint8_t* data, size_t n)>;

  // alignment: a power of two; other than 32 it is recorded as general.alignment.
  explicit GgufWriter(uint32_t alignment = 32) : alignment_(alignment) {}

  // Metadata. Setting a key again replaces its value in place (order kept).
  // Throws std::invalid_argument for nested arrays or a value outside its type.
  // A general.alignment that is a power of two sets the layout; any other value
  // is written as given (for tests of broken files) and the layout keeps the
  // constructor's alignment.
  void set(const std::string& key, GgufValue value);
  void set_string(const std::string& key, std::string v);
  void set_u32(const std::string& key, uint32_t v);
  void set_i32(const std::string& key, int32_t v);
  void set_u64(const std::string& key, uint64_t v);
  void set_i64(const std::string& key, int64_t v);
  void set_f32(const std::string& key, float v);
  void set_bool(const std::string& key, bool v);
  void set_strings(const std::string& key, std::vector<std::string> v);
  void set_f32s(const std::string& key, const std::vector<float>& v);
  void set_i32s(const std::string& key, const std::vector<int32_t>& v);

  // Raw tensor bytes, already in `type`'s block layout; dims in GGML order.
  // Throws std::invalid_argument for a duplicate or over-long (>= 64 bytes)
  // name, 0 or more than 4 dims, a zero dim, a row length that is not a whole
  // number of blocks, or data of the wrong size.
  void add_tensor(const std::string& name, GgmlType type, std::vector<uint64_t> dims,
                  std::vector<uint8_t> data);
  // Same checks; the data comes from `fill` while the file is written.
  void add_tensor_generated(const std::string& name, GgmlType type, std::vector<uint64_t> dims,
                            TensorFill fill);

  uint64_t file_size() const;  // bytes write() will produce
  void write(const ByteSink& sink) const;
  std::vector<uint8_t> to_bytes() const;  // small files and tests
  // Writes to path + ".partial" and renames on success, so an interrupted run
  // never leaves a file that looks complete. Throws std::runtime_error.
  void write_file(const std::string& path) const;

 private:
  struct Tensor {
    std::string name;
    GgmlType type;
    std::vector<uint64_t> dims;
    std::vector<uint8_t> data;  // empty when `fill` produces it
    TensorFill fill;
    uint64_t n_bytes = 0;
    uint64_t row_bytes = 0;
  };
  Tensor& check_new_tensor(const std::string& name, GgmlType type, std::vector<uint64_t> dims);
  uint32_t layout_alignment() const;
  std::vector<uint8_t> header_bytes() const;  // everything before the data section

  uint32_t alignment_;
  std::vector<std::pair<std::string, GgufValue>> kv_;
  std::vector<Tensor> tensors_;
};

}  // namespace lantern
