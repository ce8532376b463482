// Lookups on a parsed GGUF file. Parsing itself lives in gguf_parse.cpp.
#include "gguf/gguf_file.h"

#include "gguf/gguf_error.h"

namespace lantern {

const GgufValue* GgufFile::find(std::string_view key) const {
  auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &kv_[it->second].second;
}

std::string GgufFile::get_string(std::string_view key, std::string def) const {
  const GgufValue* v = find(key);
  return v ? v->as_string(key) : def;
}

int64_t GgufFile::get_int(std::string_view key, int64_t def) const {
  const GgufValue* v = find(key);
  return v ? v->as_int(key) : def;
}

uint64_t GgufFile::get_uint(std::string_view key, uint64_t def) const {
  const GgufValue* v = find(key);
  return v ? v->as_uint(key) : def;
}

double GgufFile::get_float(std::string_view key, double def) const {
  const GgufValue* v = find(key);
  return v ? v->as_float(key) : def;
}

bool GgufFile::get_bool(std::string_view key, bool def) const {
  const GgufValue* v = find(key);
  return v ? v->as_bool(key) : def;
}

const GgufValue& GgufFile::get_required(std::string_view key) const {
  const GgufValue* v = find(key);
  if (!v) {
    throw GgufError(GgufErrorCode::MissingKey,
                    "required metadata key '" + std::string(key) + "' is missing");
  }
  return *v;
}

uint64_t GgufFile::get_uint_required(std::string_view key) const {
  return get_required(key).as_uint(key);
}

const GgufTensorInfo* GgufFile::find_tensor(std::string_view name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace lantern
