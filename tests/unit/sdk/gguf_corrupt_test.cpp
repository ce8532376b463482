// GGUF reader on broken input: each kind of damage gives its own error code
// and a message naming the key or tensor, never a crash or a huge allocation.
#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>

#include "gguf_test_util.h"

namespace lantern {
namespace {

using test::after_string;
using test::Bytes;
using test::expect_parse_error;
using test::patch;
using C = GgufErrorCode;

// Offsets inside the small file: the tensor table entry of `name` is
// name, n_dims (u32), dims (u64 each), type (u32), offset (u64).
size_t n_dims_at(const Bytes& b, const char* name) { return after_string(b, name); }
size_t dim_at(const Bytes& b, const char* name, int d) { return n_dims_at(b, name) + 4 + 8 * d; }
size_t type_at(const Bytes& b, const char* name, int n_dims) { return dim_at(b, name, n_dims); }
size_t offset_at(const Bytes& b, const char* name, int n_dims) { return type_at(b, name, n_dims) + 4; }

TEST(GgufCorrupt, EmptyAndTinyFiles) {
  expect_parse_error({}, C::Truncated);
  expect_parse_error({'G', 'G'}, C::Truncated);
  expect_parse_error({'X', 'Y'}, C::BadMagic);
}

TEST(GgufCorrupt, BadMagic) {
  Bytes b = test::small_file();
  b[0] = 'g';
  expect_parse_error(b, C::BadMagic, {"not a GGUF file"});
}

TEST(GgufCorrupt, UnsupportedVersions) {
  Bytes b = test::small_file();
  patch<uint32_t>(b, 4, 1);
  expect_parse_error(b, C::BadVersion, {"version 1"});
  patch<uint32_t>(b, 4, 4);
  expect_parse_error(b, C::BadVersion, {"version 4"});
  patch<uint32_t>(b, 4, 0x03000000);  // a big-endian v3 file read little-endian
  expect_parse_error(b, C::BadVersion, {"big-endian"});
}

TEST(GgufCorrupt, UnknownValueTypeNamesTheKey) {
  Bytes b = test::small_file();
  patch<uint32_t>(b, after_string(b, "test.u32"), 13);
  expect_parse_error(b, C::BadValueType, {"test.u32", "13"});
}

TEST(GgufCorrupt, BadArrayElementTypes) {
  Bytes b = test::small_file();
  const size_t elem_type = after_string(b, "test.floats") + 4;  // after the ARRAY type
  patch<uint32_t>(b, elem_type, 9);
  expect_parse_error(b, C::BadValueType, {"test.floats", "nested"});
  patch<uint32_t>(b, elem_type, 77);
  expect_parse_error(b, C::BadValueType, {"test.floats", "77"});
}

TEST(GgufCorrupt, UnknownTensorTypeNamesTensorAndNumber) {
  Bytes b = test::small_file();
  patch<uint32_t>(b, type_at(b, "t.q8_0", 2), 77);
  expect_parse_error(b, C::UnknownTensorType, {"t.q8_0", "77"});
  patch<uint32_t>(b, type_at(b, "t.q8_0", 2), 4);  // a retired GGML number (Q4_2)
  expect_parse_error(b, C::UnknownTensorType, {"t.q8_0", "4"});
}

TEST(GgufCorrupt, TensorOffsetPastTheEnd) {
  Bytes b = test::small_file();
  patch<uint64_t>(b, offset_at(b, "t.q8_0", 2), uint64_t{1} << 20);
  expect_parse_error(b, C::BadTensor, {"t.q8_0", "past the end"});
  patch<uint64_t>(b, offset_at(b, "t.q8_0", 2), std::numeric_limits<uint64_t>::max() - 31);
  expect_parse_error(b, C::BadTensor, {"t.q8_0"});
}

TEST(GgufCorrupt, MisalignedAndOverlappingTensors) {
  Bytes b = test::small_file();
  patch<uint64_t>(b, offset_at(b, "t.q8_0", 2), 136);
  expect_parse_error(b, C::BadTensor, {"t.q8_0", "alignment"});
  patch<uint64_t>(b, offset_at(b, "t.q8_0", 2), 96);  // aligned, inside t.f32's 128 bytes
  expect_parse_error(b, C::BadTensor, {"overlaps", "t.f32"});
}

TEST(GgufCorrupt, AbsurdCountsAndLengths) {
  const Bytes good = test::small_file();
  {  // a key length of 2^63
    Bytes b = good;
    patch<uint64_t>(b, test::find_bytes(b, "general.architecture") - 8, uint64_t{1} << 63);
    expect_parse_error(b, C::TooLarge, {"metadata entry #0", "length"});
  }
  {  // a string value length of 2^63
    Bytes b = good;
    patch<uint64_t>(b, after_string(b, "general.architecture") + 4, uint64_t{1} << 63);
    expect_parse_error(b, C::TooLarge, {"general.architecture"});
  }
  {  // tensor count 2^40, metadata count 2^40
    Bytes b = good;
    patch<uint64_t>(b, 8, uint64_t{1} << 40);
    expect_parse_error(b, C::TooLarge, {"tensor count"});
    b = good;
    patch<uint64_t>(b, 16, uint64_t{1} << 40);
    expect_parse_error(b, C::TooLarge, {"metadata count"});
  }
  {  // counts under the limits but more than the file could hold
    Bytes b = good;
    patch<uint64_t>(b, 8, 60000);
    expect_parse_error(b, C::Truncated);
  }
  {  // array lengths: over the limit, and over what the file holds
    Bytes b = good;
    const size_t count = after_string(b, "test.strings") + 8;
    patch<uint64_t>(b, count, uint64_t{1} << 62);
    expect_parse_error(b, C::TooLarge, {"test.strings"});
    patch<uint64_t>(b, count, 1000000);
    expect_parse_error(b, C::Truncated, {"test.strings"});
  }
  {  // n_dims 9 and 0
    Bytes b = good;
    patch<uint32_t>(b, n_dims_at(b, "t.f32"), 9);
    expect_parse_error(b, C::TooLarge, {"t.f32", "9 dimensions"});
    patch<uint32_t>(b, n_dims_at(b, "t.f32"), 0);
    expect_parse_error(b, C::BadTensor, {"t.f32"});
  }
  {  // a zero dimension, an element count that overflows, one over the limit
    Bytes b = good;
    patch<uint64_t>(b, dim_at(b, "t.f32", 1), 0);
    expect_parse_error(b, C::BadTensor, {"t.f32", "dimension 1 is 0"});
    patch<uint64_t>(b, dim_at(b, "t.f32", 0), uint64_t{1} << 32);
    patch<uint64_t>(b, dim_at(b, "t.f32", 1), uint64_t{1} << 32);
    expect_parse_error(b, C::TooLarge, {"t.f32"});
    patch<uint64_t>(b, dim_at(b, "t.f32", 0), 8);
    patch<uint64_t>(b, dim_at(b, "t.f32", 1), uint64_t{1} << 38);
    expect_parse_error(b, C::TooLarge, {"t.f32"}, GgufLimits{.max_tensor_elements = uint64_t{1} << 40});
  }
}

TEST(GgufCorrupt, LimitsAreConfigurable) {
  const Bytes b = test::small_file();
  expect_parse_error(b, C::TooLarge, {"tensor count"}, GgufLimits{.max_tensor_count = 2});
  expect_parse_error(b, C::TooLarge, {"test.strings"}, GgufLimits{.max_array_elements = 2});
  expect_parse_error(b, C::TooLarge, {"metadata entry #0", "20 bytes"}, GgufLimits{.max_string_bytes = 4});
}

// A GGUF v3 header of `n_arrays` bool arrays of `count` elements each
// (keys flags.0, flags.1, ...), no tensors: written by hand, as the writer
// would hold every element as an int64_t first.
Bytes bool_arrays_file(int n_arrays, uint64_t count) {
  Bytes b;
  auto put = [&b](const auto& v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    b.insert(b.end(), p, p + sizeof v);
  };
  b.insert(b.end(), {'G', 'G', 'U', 'F'});
  put(uint32_t{3});
  put(uint64_t{0});  // tensors
  put(static_cast<uint64_t>(n_arrays));
  for (int i = 0; i < n_arrays; ++i) {
    const std::string key = "flags." + std::to_string(i);
    put(static_cast<uint64_t>(key.size()));
    b.insert(b.end(), key.begin(), key.end());
    put(static_cast<uint32_t>(GgufValueType::ARRAY));
    put(static_cast<uint32_t>(GgufValueType::BOOL));
    put(count);
    b.insert(b.end(), count, uint8_t{1});
  }
  return b;
}

// 8 bool arrays at the element limit (16M): a 128 MiB file that parsed into
// 1 GiB of int64_t. The header's memory budget (256 MiB) refuses the second
// (the first, its key and entry take a little over 128 MiB), naming its key,
// before allocating it.
TEST(GgufCorrupt, ArraysTakingMoreMemoryThanTheHeaderBudgetAreRefusedNamingTheKey) {
  const Bytes b = bool_arrays_file(8, uint64_t{1} << 24);
  const auto t0 = std::chrono::steady_clock::now();
  expect_parse_error(b, C::TooLarge, {"metadata key 'flags.1'", "16777216 bool elements", "128 MiB in memory",
                                      "limit of 256 MiB"});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  // Under the budget one such array parses, element for element.
  const GgufFile ok = test::parse_bytes(bool_arrays_file(1, uint64_t{1} << 24));
  EXPECT_EQ(ok.find("flags.0")->array_size(), size_t{1} << 24);
  // The budget is a limit like the others: strings and tensor names count too.
  expect_parse_error(bool_arrays_file(2, 1000), C::TooLarge, {"flags.1", "over the limit of 12000 bytes"},
                     GgufLimits{.max_header_memory = 12000});
  GgufWriter tensor_only;
  tensor_only.add_tensor("t.f32", GgmlType::F32, {8}, test::pattern_bytes(32, 1));
  expect_parse_error(tensor_only.to_bytes(), C::TooLarge, {"tensor 't.f32'", "the tensor info", "limit of 100 bytes"},
                     GgufLimits{.max_header_memory = 100});
}

TEST(GgufCorrupt, RowNotAWholeNumberOfBlocks) {
  Bytes b = test::small_file();
  patch<uint64_t>(b, dim_at(b, "t.q8_0", 0), 48);
  expect_parse_error(b, C::BadTensor, {"t.q8_0", "block size"});
}

TEST(GgufCorrupt, InvalidUtf8InKeyValueArrayAndTensorName) {
  {
    GgufWriter w;
    w.set_string("bad\xC3(key", "v");
    expect_parse_error(w.to_bytes(), C::InvalidUtf8, {"key", "bad\\xC3(key"});
  }
  {
    GgufWriter w;
    w.set_string("some.key", "abc\xE0\x80\x80");  // overlong encoding of NUL
    expect_parse_error(w.to_bytes(), C::InvalidUtf8, {"some.key"});
  }
  {
    GgufWriter w;
    w.set_string("surrogate", "\xED\xA0\x80");
    expect_parse_error(w.to_bytes(), C::InvalidUtf8, {"surrogate"});
  }
  {
    GgufWriter w;
    w.set_strings("tok.list", {"ok", "cut\xF0\x9F\x98"});
    expect_parse_error(w.to_bytes(), C::InvalidUtf8, {"tok.list", "element 1"});
  }
  {
    GgufWriter w;
    w.add_tensor("t\xFF", GgmlType::F32, {1}, Bytes(4, 0));
    expect_parse_error(w.to_bytes(), C::InvalidUtf8, {"tensor"});
  }
}

TEST(GgufCorrupt, DuplicateKeysAndTensorNames) {
  {
    GgufWriter w;
    w.set_u32("dup.a1", 1);
    w.set_u32("dup.a2", 2);
    Bytes b = w.to_bytes();
    b[test::find_bytes(b, "dup.a2") + 5] = '1';
    expect_parse_error(b, C::DuplicateKey, {"dup.a1"});
  }
  {
    GgufWriter w;
    w.add_tensor("ta", GgmlType::F32, {8}, Bytes(32, 0));
    w.add_tensor("tb", GgmlType::F32, {8}, Bytes(32, 0));
    Bytes b = w.to_bytes();
    b[test::find_bytes(b, "tb") + 1] = 'a';  // "tb" -> "ta"
    expect_parse_error(b, C::DuplicateKey, {"ta"});
  }
}

TEST(GgufCorrupt, BadAlignmentValues) {
  for (uint32_t a : {0u, 24u}) {
    GgufWriter w;
    w.set_u32("general.alignment", a);
    expect_parse_error(w.to_bytes(), C::BadTensor, {"general.alignment", std::to_string(a)});
  }
  GgufWriter w;
  w.set_string("general.alignment", "32");
  expect_parse_error(w.to_bytes(), C::WrongType, {"general.alignment"});
}

TEST(GgufCorrupt, Uint64ArrayElementAboveInt64Max) {
  GgufWriter w;
  w.set("big", {GgufValueType::ARRAY, GgufValue::Array{GgufValueType::UINT64, {}, {5}, {}}});
  Bytes b = w.to_bytes();
  patch<uint64_t>(b, after_string(b, "big") + 4 + 4 + 8, std::numeric_limits<uint64_t>::max());
  expect_parse_error(b, C::TooLarge, {"big", "INT64_MAX"});
}

TEST(GgufCorrupt, EveryPrefixOfAValidFileIsTruncated) {
  const Bytes b = test::small_file();
  ASSERT_NO_THROW(test::parse_bytes(b));
  for (size_t len = 0; len < b.size(); ++len) {
    const Bytes prefix(b.begin(), b.begin() + len);
    try {
      test::parse_bytes(prefix);
      ADD_FAILURE() << "prefix of " << len << " bytes parsed";
    } catch (const GgufError& e) {
      ASSERT_EQ(e.code(), C::Truncated) << "prefix " << len << ": " << e.what();
    }
  }
}

TEST(GgufCorrupt, EverySingleByteFlipOnlyThrowsGgufError) {
  const Bytes good = test::small_file();
  const size_t header_end = test::parse_bytes(good).data_offset();
  for (size_t i = 0; i < header_end; ++i) {
    for (uint8_t x : {0x01, 0x80, 0xFF}) {
      Bytes b = good;
      b[i] ^= x;
      try {
        test::parse_bytes(b);
      } catch (const GgufError&) {
      } catch (const std::exception& e) {
        ADD_FAILURE() << "byte " << i << " ^ " << int(x) << ": " << e.what();
      }
    }
  }
}

}  // namespace
}  // namespace lantern
