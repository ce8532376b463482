// GGUF writer: layout, argument checks, streaming generated tensors, files.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "gguf_test_util.h"

namespace lantern {
namespace {

using test::Bytes;

std::string temp_path(const char* name) {
  return std::string(LANTERN_BINARY_DIR) + "/gguf_writer_test_" + name;
}

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

TEST(GgufWriter, LayoutMatchesGgml) {
  const GgufWriter w = test::small_writer();
  const Bytes b = w.to_bytes();
  EXPECT_EQ(w.file_size(), b.size());
  EXPECT_EQ(std::string(b.begin(), b.begin() + 4), "GGUF");
  EXPECT_EQ(test::peek<uint32_t>(b, 4), 3u);
  EXPECT_EQ(test::peek<uint64_t>(b, 8), 3u);   // tensors
  EXPECT_EQ(test::peek<uint64_t>(b, 16), 4u);  // metadata entries
  const GgufFile f = test::parse_bytes(b);
  // Packed in order, each padded to 32 bytes, as GGML writes them.
  EXPECT_EQ(f.tensors()[0].offset - f.data_offset(), 0u);
  EXPECT_EQ(f.tensors()[1].offset - f.data_offset(), 128u);
  EXPECT_EQ(f.tensors()[2].offset - f.data_offset(), 128u + 160u);
  // Padding is zeros.
  for (uint64_t i = f.tensors()[1].offset + 136; i < f.tensors()[2].offset; ++i) EXPECT_EQ(b[i], 0);
}

TEST(GgufWriter, SetReplacesInPlace) {
  GgufWriter w;
  w.set_u32("a", 1);
  w.set_u32("b", 2);
  w.set_string("a", "now a string");
  const GgufFile f = test::parse_bytes(w.to_bytes());
  ASSERT_EQ(f.metadata().size(), 2u);
  EXPECT_EQ(f.metadata()[0].first, "a");
  EXPECT_EQ(f.get_string("a"), "now a string");
}

TEST(GgufWriter, RejectsValuesOutsideTheirType) {
  GgufWriter w;
  EXPECT_THROW(w.set("x", {GgufValueType::UINT8, uint64_t{256}}), std::invalid_argument);
  EXPECT_THROW(w.set("x", {GgufValueType::INT8, int64_t{-129}}), std::invalid_argument);
  EXPECT_THROW(w.set("x", {GgufValueType::UINT32, int64_t{-1}}), std::invalid_argument);
  EXPECT_THROW(w.set("x", {GgufValueType::ARRAY, GgufValue::Array{GgufValueType::ARRAY, {}, {}, {}}}),
               std::invalid_argument);
  EXPECT_THROW(w.set("x", {GgufValueType::ARRAY, GgufValue::Array{GgufValueType::UINT16, {}, {70000}, {}}}),
               std::invalid_argument);
  EXPECT_NO_THROW(w.set("x", {GgufValueType::UINT8, int64_t{200}}));
  EXPECT_EQ(test::parse_bytes(w.to_bytes()).get_uint("x", 0), 200u);
}

TEST(GgufWriter, RejectsBadTensors) {
  GgufWriter w;
  w.add_tensor("ok", GgmlType::F32, {2}, Bytes(8));
  EXPECT_THROW(w.add_tensor("ok", GgmlType::F32, {2}, Bytes(8)), std::invalid_argument);
  EXPECT_THROW(w.add_tensor("size", GgmlType::F32, {2}, Bytes(7)), std::invalid_argument);
  EXPECT_THROW(w.add_tensor("zero", GgmlType::F32, {2, 0}, {}), std::invalid_argument);
  EXPECT_THROW(w.add_tensor("nodims", GgmlType::F32, {}, {}), std::invalid_argument);
  EXPECT_THROW(w.add_tensor("fivedims", GgmlType::F32, {1, 1, 1, 1, 1}, Bytes(4)), std::invalid_argument);
  EXPECT_THROW(w.add_tensor("blocks", GgmlType::Q4_0, {48}, Bytes(27)), std::invalid_argument);
  EXPECT_THROW(w.add_tensor(std::string(64, 'n'), GgmlType::F32, {1}, Bytes(4)), std::invalid_argument);
  EXPECT_THROW(w.add_tensor("type", static_cast<GgmlType>(77), {1}, Bytes(4)), std::invalid_argument);
  EXPECT_THROW(w.add_tensor_generated("nofill", GgmlType::F32, {1}, nullptr), std::invalid_argument);
  // The failed calls left nothing behind.
  EXPECT_EQ(test::parse_bytes(w.to_bytes()).tensors().size(), 1u);
}

TEST(GgufWriter, GeneratedTensorsStreamWholeRowsInOrder) {
  // 8 MiB of f32 in rows of 12 KiB: several fill calls, each whole rows.
  const uint64_t row = 3072, rows = 683, row_bytes = row * 4;
  uint64_t produced = 0;
  int calls = 0;
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.add_tensor("small", GgmlType::F16, {3}, Bytes{1, 2, 3, 4, 5, 6});
  w.add_tensor_generated("big", GgmlType::F32, {row, rows}, [&](uint8_t* dst, uint64_t n) {
    EXPECT_EQ(n % row_bytes, 0u);
    EXPECT_LE(n, (4u << 20) + row_bytes);
    for (uint64_t i = 0; i < n; ++i) dst[i] = static_cast<uint8_t>((produced + i) * 13 / 7);
    produced += n;
    ++calls;
  });
  uint64_t written = 0;
  Bytes head;
  w.write([&](const uint8_t* p, size_t n) {
    if (head.size() < 4096) head.insert(head.end(), p, p + std::min<size_t>(n, 4096));
    written += n;
  });
  EXPECT_EQ(produced, row * rows * 4);
  EXPECT_GE(calls, 2);
  EXPECT_EQ(written, w.file_size());

  // The bytes match what the same data gives through add_tensor.
  produced = 0;
  const Bytes streamed = w.to_bytes();
  GgufWriter held;
  held.set_string("general.architecture", "llama");
  held.add_tensor("small", GgmlType::F16, {3}, Bytes{1, 2, 3, 4, 5, 6});
  Bytes data(row * rows * 4);
  for (uint64_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 13 / 7);
  held.add_tensor("big", GgmlType::F32, {row, rows}, data);
  EXPECT_TRUE(streamed == held.to_bytes());
  const GgufFile f = test::parse_bytes(streamed);
  EXPECT_EQ(f.find_tensor("big")->n_bytes, data.size());
}

TEST(GgufWriter, WriteFileMatchesToBytes) {
  const std::string path = temp_path("small.gguf");
  const GgufWriter w = test::small_writer();
  w.write_file(path);
  EXPECT_TRUE(read_file(path) == w.to_bytes());
  EXPECT_FALSE(std::ifstream(path + ".partial").good());
  auto src = open_file_source(path);
  EXPECT_EQ(GgufFile::parse(*src).tensors().size(), 3u);
  std::remove(path.c_str());
}

TEST(GgufWriter, FailuresLeaveNoFile) {
  EXPECT_THROW(test::small_writer().write_file("/nonexistent-dir/x.gguf"), std::runtime_error);

  const std::string path = temp_path("failing.gguf");
  std::remove(path.c_str());
  GgufWriter w;
  w.add_tensor_generated("t", GgmlType::F32, {4}, [](uint8_t*, uint64_t) {
    throw std::runtime_error("generator failed");
  });
  EXPECT_THROW(w.write_file(path), std::runtime_error);
  EXPECT_FALSE(std::ifstream(path).good());
  EXPECT_FALSE(std::ifstream(path + ".partial").good());
}

TEST(GgufWriter, NonDefaultAlignmentIsRecorded) {
  GgufWriter w(128);
  w.add_tensor("a", GgmlType::F32, {1}, Bytes(4, 9));
  w.add_tensor("b", GgmlType::F32, {1}, Bytes(4, 9));
  const Bytes b = w.to_bytes();
  const GgufFile f = test::parse_bytes(b);
  EXPECT_EQ(f.alignment(), 128u);
  EXPECT_EQ(f.tensors()[1].offset - f.tensors()[0].offset, 128u);
  EXPECT_EQ(b.size() % 128, 0u);
  EXPECT_THROW(GgufWriter(48).to_bytes(), std::invalid_argument);
}

}  // namespace
}  // namespace lantern
