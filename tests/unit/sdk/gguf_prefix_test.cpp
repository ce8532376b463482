// Parsing a download as it arrives: a PrefixSource reports NeedMoreData with
// the number of leading bytes the parse needs, never asks for tensor data, and
// parses to the same result as the whole file once enough has arrived.
#include <gtest/gtest.h>

#include "gguf_test_util.h"

namespace lantern {
namespace {

using test::Bytes;

// Feeds `b` into a PrefixSource starting with `first` bytes, then exactly as
// many bytes as each NeedMoreData asks for. Returns the number of retries.
int parse_incrementally(const Bytes& b, size_t first, uint64_t header_end, GgufFile* out) {
  PrefixSource src(b.size());
  src.append(b.data(), first);
  for (int tries = 0;; ++tries) {
    try {
      *out = GgufFile::parse(src);
      return tries;
    } catch (const GgufError& e) {
      if (e.code() != GgufErrorCode::NeedMoreData) {
        ADD_FAILURE() << "with " << src.available() << " bytes: " << e.what();
        return -1;
      }
      // Asks for more than it has, and never for bytes past the tensor table.
      EXPECT_GT(e.bytes_needed(), src.available());
      EXPECT_LE(e.bytes_needed(), header_end) << "asked for tensor data";
      if (e.bytes_needed() <= src.available() || e.bytes_needed() > b.size()) return -1;
      src.append(b.data() + src.available(), e.bytes_needed() - src.available());
    }
  }
}

TEST(GgufPrefix, FromEveryStartingPrefixTheParseCompletes) {
  const Bytes b = test::small_file();
  const GgufFile whole = test::parse_bytes(b);
  const uint64_t header_end = whole.data_offset();
  for (size_t first = 0; first <= header_end; ++first) {
    GgufFile f;
    const int tries = parse_incrementally(b, first, header_end, &f);
    ASSERT_GE(tries, 0) << "starting from " << first << " bytes";
    ASSERT_EQ(f.tensors().size(), whole.tensors().size());
    EXPECT_EQ(f.tensors().back().offset, whole.tensors().back().offset);
    EXPECT_EQ(f.get_string("general.architecture"), "llama");
  }
}

TEST(GgufPrefix, NeedMoreDataSaysHowMuch) {
  const Bytes b = test::small_file();
  PrefixSource src(b.size());
  src.append(b.data(), 10);  // magic, version, half the tensor count
  try {
    GgufFile::parse(src);
    FAIL() << "expected NeedMoreData";
  } catch (const GgufError& e) {
    EXPECT_EQ(e.code(), GgufErrorCode::NeedMoreData);
    EXPECT_EQ(e.bytes_needed(), 24u);  // magic, version and both counts
  }
  // A whole fixed-size array is asked for at once, plus the least the three
  // tensor infos after it can take (32 bytes each), and no more than is needed.
  const size_t floats_at = test::after_string(b, "test.floats") + 4 + 4 + 8;
  src = PrefixSource(b.size());
  src.append(b.data(), floats_at + 1);
  try {
    GgufFile::parse(src);
    FAIL() << "expected NeedMoreData";
  } catch (const GgufError& e) {
    EXPECT_EQ(e.code(), GgufErrorCode::NeedMoreData);
    EXPECT_EQ(e.bytes_needed(), floats_at + 2 * 4 + 3 * 32);
    EXPECT_LE(e.bytes_needed(), test::parse_bytes(b).data_offset());
  }
}

TEST(GgufPrefix, StringArraysAreAskedForWhole) {
  GgufWriter w;
  w.set_strings("tokens", std::vector<std::string>(1000, "abcdef"));
  const Bytes b = w.to_bytes();
  const size_t array_at = test::after_string(b, "tokens") + 4 + 4 + 8;
  PrefixSource src(b.size());
  src.append(b.data(), array_at + 4);  // inside the first string's length
  try {
    GgufFile::parse(src);
    FAIL() << "expected NeedMoreData";
  } catch (const GgufError& e) {
    ASSERT_EQ(e.code(), GgufErrorCode::NeedMoreData);
    EXPECT_EQ(e.bytes_needed(), array_at + 1000 * 8);  // each string has at least its length
  }
  GgufFile f;
  const int tries = parse_incrementally(b, 0, b.size(), &f);
  EXPECT_LE(tries, 25) << "one retry per string would be ~1000";
  EXPECT_EQ(f.find("tokens")->array_size(), 1000u);
}

TEST(GgufPrefix, TensorDataIsCheckedAgainstTheTotalSizeOnly) {
  const Bytes b = test::small_file();
  const uint64_t header_end = test::parse_bytes(b).data_offset();
  PrefixSource src(b.size());
  src.append(b.data(), header_end);
  const GgufFile f = GgufFile::parse(src);
  EXPECT_EQ(f.file_size(), b.size());
  EXPECT_EQ(f.tensors().size(), 3u);

  // A declared total too small for the tensor table is an error, not a wait.
  PrefixSource short_total(header_end + 10);
  short_total.append(b.data(), header_end + 10);
  try {
    GgufFile::parse(short_total);
    FAIL() << "expected Truncated";
  } catch (const GgufError& e) {
    EXPECT_EQ(e.code(), GgufErrorCode::Truncated) << e.what();
  }
}

TEST(GgufPrefix, ReadsPastTheTotalAreTruncatedNotNeedMore) {
  PrefixSource src(8);
  const uint8_t bytes[8] = {'G', 'G', 'U', 'F', 3, 0, 0, 0};
  src.append(bytes, 8);
  try {
    GgufFile::parse(src);
    FAIL();
  } catch (const GgufError& e) {
    EXPECT_EQ(e.code(), GgufErrorCode::Truncated);
  }
  uint8_t out[4];
  EXPECT_THROW(src.read(6, out, 4), GgufError);
  EXPECT_THROW(src.append(bytes, 1), std::invalid_argument);
}

TEST(GgufPrefix, Stories260KParsesFromItsHeaderChunks) {
  auto file = open_file_source(std::string(LANTERN_SHARED_DIR) + "/models/stories260K/stories260K.gguf");
  PrefixSource src(file->size());
  const size_t chunk = 4096;
  int chunks = 0;
  for (;;) {
    try {
      const GgufFile f = GgufFile::parse(src);
      EXPECT_EQ(f.tensors().size(), 48u);
      break;
    } catch (const GgufError& e) {
      ASSERT_EQ(e.code(), GgufErrorCode::NeedMoreData) << e.what();
      ASSERT_LT(src.available(), file->size());
      const size_t n = std::min<uint64_t>(chunk, file->size() - src.available());
      src.append(file->data() + src.available(), n);
      ++chunks;
    }
  }
  // The header and tensor table end at byte 14152: four 4 KiB chunks, no weights.
  EXPECT_EQ(chunks, 4);
}

}  // namespace
}  // namespace lantern
