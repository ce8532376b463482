// Helpers shared by the gguf_*_test.cpp files: a small valid file built with
// the writer, byte patching, and expecting a GgufError code.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/byte_source.h"
#include "gguf/gguf_error.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"

namespace lantern::test {

using Bytes = std::vector<uint8_t>;

inline std::vector<uint8_t> pattern_bytes(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

// Three tensors whose data sizes are multiples of 32, so the file ends exactly
// at the end of the last tensor's data (no trailing padding).
inline GgufWriter small_writer() {
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_u32("test.u32", 7);
  w.set_strings("test.strings", {"a", "bc", ""});
  w.set_f32s("test.floats", {1.5f, -2.0f});
  w.add_tensor("t.f32", GgmlType::F32, {8, 4}, pattern_bytes(128, 1));      // 128 bytes
  w.add_tensor("t.q8_0", GgmlType::Q8_0, {64, 2}, pattern_bytes(136, 2));   // 4 blocks, padded to 160
  w.add_tensor("t.f16", GgmlType::F16, {16}, pattern_bytes(32, 3));         // 32 bytes, ends the file
  return w;
}
inline Bytes small_file() { return small_writer().to_bytes(); }

// Offset of the first occurrence of `needle` in `b` (fails the test if absent).
inline size_t find_bytes(const Bytes& b, std::string_view needle) {
  auto it = std::search(b.begin(), b.end(), needle.begin(), needle.end());
  EXPECT_NE(it, b.end()) << "marker '" << needle << "' not in file";
  return static_cast<size_t>(it - b.begin());
}
// Offset just past the length-prefixed string `s` in the file.
inline size_t after_string(const Bytes& b, std::string_view s) { return find_bytes(b, s) + s.size(); }

template <class T>
void patch(Bytes& b, size_t at, T v) {
  ASSERT_LE(at + sizeof v, b.size());
  std::memcpy(b.data() + at, &v, sizeof v);
}
template <class T>
T peek(const Bytes& b, size_t at) {
  T v{};
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}

inline GgufFile parse_bytes(const Bytes& b, const GgufLimits& lim = {}) {
  MemorySource src(b.data(), b.size());
  return GgufFile::parse(src, lim);
}

// Parses and returns the error; fails the test if parsing succeeds or throws
// anything other than GgufError.
inline GgufError parse_error(const Bytes& b, const GgufLimits& lim = {}) {
  try {
    parse_bytes(b, lim);
  } catch (const GgufError& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "non-GgufError exception: " << e.what();
    return GgufError(GgufErrorCode::Io, "wrong exception type");
  }
  ADD_FAILURE() << "parse succeeded but an error was expected";
  return GgufError(GgufErrorCode::Io, "no error");
}

inline const char* code_name(GgufErrorCode c) {
  switch (c) {
    case GgufErrorCode::Io: return "Io";
    case GgufErrorCode::Truncated: return "Truncated";
    case GgufErrorCode::NeedMoreData: return "NeedMoreData";
    case GgufErrorCode::BadMagic: return "BadMagic";
    case GgufErrorCode::BadVersion: return "BadVersion";
    case GgufErrorCode::BadValueType: return "BadValueType";
    case GgufErrorCode::InvalidUtf8: return "InvalidUtf8";
    case GgufErrorCode::TooLarge: return "TooLarge";
    case GgufErrorCode::UnknownTensorType: return "UnknownTensorType";
    case GgufErrorCode::BadTensor: return "BadTensor";
    case GgufErrorCode::DuplicateKey: return "DuplicateKey";
    case GgufErrorCode::WrongType: return "WrongType";
    case GgufErrorCode::MissingKey: return "MissingKey";
  }
  return "?";
}

// Expects parse to fail with `code` and a message containing each of `parts`.
inline void expect_parse_error(const Bytes& b, GgufErrorCode code, std::vector<std::string> parts = {},
                               const GgufLimits& lim = {}) {
  const GgufError e = parse_error(b, lim);
  EXPECT_STREQ(code_name(e.code()), code_name(code)) << "message: " << e.what();
  for (const std::string& p : parts) {
    EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << "'" << p << "' not in: " << e.what();
  }
}

}  // namespace lantern::test
