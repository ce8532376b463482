// A parsed GGUF file: header, metadata (in file order) and the tensor table.
// Only the header and table are read; tensor data stays in the ByteSource (or,
// in the browser, is streamed to the GPU without passing through wasm).
// Every count, length, offset and shape is checked against the file size and
// the limits below before it is used.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gguf/byte_source.h"
#include "gguf/ggml_type.h"

namespace lantern {

enum class GgufValueType : uint32_t {
  UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5,
  FLOAT32 = 6, BOOL = 7, STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12,
};
const char* gguf_value_type_name(GgufValueType t);

// One metadata value. Scalars keep their file type; arrays hold one element
// type (nested arrays are refused: no model uses them).
class GgufValue {
 public:
  struct Array {
    GgufValueType elem_type;
    std::vector<std::string> strings;  // when elem_type == STRING
    std::vector<int64_t> ints;         // integer and bool elements (uint64 above INT64_MAX refused)
    std::vector<double> floats;        // FLOAT32 / FLOAT64 elements
  };
  using Storage = std::variant<int64_t, uint64_t, double, bool, std::string, Array>;

  GgufValue(GgufValueType type, Storage v) : type_(type), v_(std::move(v)) {}
  GgufValueType type() const { return type_; }
  bool is_integer() const;
  bool is_array() const { return type_ == GgufValueType::ARRAY; }

  // Checked conversions: throw GgufError(WrongType) naming `what` when the value
  // has another type or does not fit.
  int64_t as_int(std::string_view what = "value") const;
  uint64_t as_uint(std::string_view what = "value") const;
  double as_float(std::string_view what = "value") const;  // any number
  bool as_bool(std::string_view what = "value") const;
  const std::string& as_string(std::string_view what = "value") const;
  const Array& as_array(std::string_view what = "value") const;
  size_t array_size() const;  // 0 for scalars

 private:
  GgufValueType type_;
  Storage v_;
};

struct GgufTensorInfo {
  std::string name;
  std::vector<uint64_t> dims;  // GGML order: dims[0] is the row length (ne0)
  GgmlType type;
  uint64_t offset;      // absolute offset in the file
  uint64_t n_elements;
  uint64_t n_bytes;
  uint64_t n_rows() const { return dims.empty() ? 0 : n_elements / dims[0]; }
  uint64_t row_bytes() const { return n_rows() ? n_bytes / n_rows() : 0; }
};

struct GgufLimits {
  uint64_t max_string_bytes = 1u << 24;      // 16 MiB (chat templates are KBs)
  uint64_t max_array_elements = 1u << 24;    // vocabularies are ~150K
  uint64_t max_kv_count = 1u << 16;
  uint64_t max_tensor_count = 1u << 16;
  uint32_t max_dims = 4;
  uint64_t max_tensor_elements = 1ull << 40;
  // Memory the parsed header (metadata and tensor table) may take: an
  // element costs more here than in the file (a bool is 1 byte there, 8
  // here; an empty string 8 there, 32 here), so 8 bool arrays at the element
  // limit took ~9x the file. Real vocabularies (256K tokens with scores,
  // types and merges) take under 40 MiB.
  uint64_t max_header_memory = 256ull << 20;
};

class GgufFile {
 public:
  // Parses header, metadata and tensor table from `src`. With a PrefixSource,
  // throws GgufError(NeedMoreData) until enough of the file has arrived.
  static GgufFile parse(const ByteSource& src, const GgufLimits& limits = {});

  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }  // start of the tensor data section
  uint64_t file_size() const { return file_size_; }
  // What parse() charged against GgufLimits::max_header_memory.
  uint64_t header_memory() const { return header_memory_; }

  const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return kv_; }
  const GgufValue* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }
  // Typed getters: the default when the key is absent, GgufError(WrongType)
  // when present with another type; the *_required forms throw MissingKey.
  std::string get_string(std::string_view key, std::string def = {}) const;
  int64_t get_int(std::string_view key, int64_t def) const;
  uint64_t get_uint(std::string_view key, uint64_t def) const;
  double get_float(std::string_view key, double def) const;
  bool get_bool(std::string_view key, bool def) const;
  uint64_t get_uint_required(std::string_view key) const;
  const GgufValue& get_required(std::string_view key) const;

  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
  const GgufTensorInfo* find_tensor(std::string_view name) const;

 private:
  friend GgufFile merge_split(const std::vector<GgufFile>& shards, const GgufLimits& limits);  // gguf_split.h
  uint32_t version_ = 0;
  uint32_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  uint64_t file_size_ = 0;
  uint64_t header_memory_ = 0;
  std::vector<std::pair<std::string, GgufValue>> kv_;
  std::map<std::string, size_t, std::less<>> kv_index_;
  std::vector<GgufTensorInfo> tensors_;
  std::map<std::string, size_t, std::less<>> tensor_index_;
};

}  // namespace lantern
