// Checked access to metadata values: every conversion either fits exactly or
// throws WrongType naming the key, so callers never see a silently wrapped id.
#include <cstdint>
#include <limits>

#include "gguf/gguf_error.h"
#include "gguf/gguf_file.h"

namespace lantern {

const char* gguf_value_type_name(GgufValueType t) {
  switch (t) {
    case GgufValueType::UINT8: return "uint8";
    case GgufValueType::INT8: return "int8";
    case GgufValueType::UINT16: return "uint16";
    case GgufValueType::INT16: return "int16";
    case GgufValueType::UINT32: return "uint32";
    case GgufValueType::INT32: return "int32";
    case GgufValueType::FLOAT32: return "float32";
    case GgufValueType::BOOL: return "bool";
    case GgufValueType::STRING: return "string";
    case GgufValueType::ARRAY: return "array";
    case GgufValueType::UINT64: return "uint64";
    case GgufValueType::INT64: return "int64";
    case GgufValueType::FLOAT64: return "float64";
  }
  return "unknown";
}

namespace {

[[noreturn]] void wrong_type(std::string_view what, GgufValueType has, const char* wanted) {
  throw GgufError(GgufErrorCode::WrongType, "metadata '" + std::string(what) + "' is " +
                                                gguf_value_type_name(has) + ", not " + wanted);
}

[[noreturn]] void does_not_fit(std::string_view what, const std::string& value, const char* wanted) {
  throw GgufError(GgufErrorCode::WrongType,
                  "metadata '" + std::string(what) + "' = " + value + " does not fit " + wanted);
}

}  // namespace

bool GgufValue::is_integer() const {
  switch (type_) {
    case GgufValueType::UINT8: case GgufValueType::INT8: case GgufValueType::UINT16:
    case GgufValueType::INT16: case GgufValueType::UINT32: case GgufValueType::INT32:
    case GgufValueType::UINT64: case GgufValueType::INT64:
      return true;
    default:
      return false;
  }
}

int64_t GgufValue::as_int(std::string_view what) const {
  if (const auto* v = std::get_if<int64_t>(&v_)) return *v;
  if (const auto* v = std::get_if<uint64_t>(&v_)) {
    if (*v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      does_not_fit(what, std::to_string(*v), "a signed 64-bit integer");
    }
    return static_cast<int64_t>(*v);
  }
  wrong_type(what, type_, "an integer");
}

uint64_t GgufValue::as_uint(std::string_view what) const {
  if (const auto* v = std::get_if<uint64_t>(&v_)) return *v;
  if (const auto* v = std::get_if<int64_t>(&v_)) {
    if (*v < 0) does_not_fit(what, std::to_string(*v), "an unsigned integer");
    return static_cast<uint64_t>(*v);
  }
  wrong_type(what, type_, "an integer");
}

double GgufValue::as_float(std::string_view what) const {
  if (const auto* v = std::get_if<double>(&v_)) return *v;
  if (const auto* v = std::get_if<int64_t>(&v_)) return static_cast<double>(*v);
  if (const auto* v = std::get_if<uint64_t>(&v_)) return static_cast<double>(*v);
  wrong_type(what, type_, "a number");
}

bool GgufValue::as_bool(std::string_view what) const {
  if (const auto* v = std::get_if<bool>(&v_)) return *v;
  wrong_type(what, type_, "a bool");
}

const std::string& GgufValue::as_string(std::string_view what) const {
  if (const auto* v = std::get_if<std::string>(&v_)) return *v;
  wrong_type(what, type_, "a string");
}

const GgufValue::Array& GgufValue::as_array(std::string_view what) const {
  if (const auto* v = std::get_if<Array>(&v_)) return *v;
  wrong_type(what, type_, "an array");
}

size_t GgufValue::array_size() const {
  const auto* a = std::get_if<Array>(&v_);
  if (!a) return 0;
  switch (a->elem_type) {
    case GgufValueType::STRING: return a->strings.size();
    case GgufValueType::FLOAT32: case GgufValueType::FLOAT64: return a->floats.size();
    default: return a->ints.size();
  }
}

}  // namespace lantern
