// Range header parsing (RFC 9110 §14): the decisions documented in
// driver/server/http_range.h.
#include <gtest/gtest.h>

#include "server/http_range.h"

namespace lantern::rig {
namespace {

constexpr uint64_t kSize = 1000;

void expect_range(std::string_view header, uint64_t size, uint64_t first, uint64_t last) {
  RangeResult r = parse_range_header(header, size);
  ASSERT_EQ(r.kind, RangeKind::kSatisfiable) << header;
  EXPECT_EQ(r.first, first) << header;
  EXPECT_EQ(r.last, last) << header;
  EXPECT_EQ(r.length(), last - first + 1) << header;
}

void expect_kind(std::string_view header, uint64_t size, RangeKind kind) {
  EXPECT_EQ(parse_range_header(header, size).kind, kind) << "'" << header << "' size " << size;
}

TEST(ServerRange, FirstByte) { expect_range("bytes=0-0", kSize, 0, 0); }

TEST(ServerRange, LastByte) {
  expect_range("bytes=999-999", kSize, 999, 999);
  expect_range("bytes=999-", kSize, 999, 999);
  expect_range("bytes=-1", kSize, 999, 999);
}

TEST(ServerRange, ClosedAndOpenRanges) {
  expect_range("bytes=10-19", kSize, 10, 19);
  expect_range("bytes=500-", kSize, 500, 999);
  expect_range("bytes=0-", kSize, 0, 999);
}

TEST(ServerRange, SuffixRanges) {
  expect_range("bytes=-100", kSize, 900, 999);
  expect_range("bytes=-1000", kSize, 0, 999);
  expect_range("bytes=-5000", kSize, 0, 999);  // longer than the file: all of it
}

TEST(ServerRange, LastBytePastTheEndIsClamped) {
  expect_range("bytes=0-1000", kSize, 0, 999);
  expect_range("bytes=990-5000", kSize, 990, 999);
}

TEST(ServerRange, FirstBytePastTheEndIsUnsatisfiable) {
  expect_kind("bytes=1000-", kSize, RangeKind::kUnsatisfiable);
  expect_kind("bytes=1000-1000", kSize, RangeKind::kUnsatisfiable);
  expect_kind("bytes=5000-6000", kSize, RangeKind::kUnsatisfiable);
}

TEST(ServerRange, ZeroSuffixAndEmptyFileAreUnsatisfiable) {
  expect_kind("bytes=-0", kSize, RangeKind::kUnsatisfiable);
  expect_kind("bytes=0-0", 0, RangeKind::kUnsatisfiable);
  expect_kind("bytes=-1", 0, RangeKind::kUnsatisfiable);
  expect_kind("bytes=0-", 0, RangeKind::kUnsatisfiable);
}

TEST(ServerRange, FirstAfterLastIsInvalidAndIgnored) {
  expect_kind("bytes=20-10", kSize, RangeKind::kNone);
  expect_kind("bytes=1-0", kSize, RangeKind::kNone);
}

TEST(ServerRange, GarbageIsIgnored) {
  for (std::string_view h : {"", "bytes", "bytes=", "bytes=-", "bytes=abc", "bytes=1-x", "bytes=x-1",
                             "bytes=1--2", "bytes=--1", "bytes=+1-2", "bytes=1-+2", "bytes= 1 - 2",
                             "items=0-1", "bytes0-1", "=0-1", "bytes=0x10-20", "bytes=1.5-2",
                             "bytes=-1-2", "bytes=,", "bytes=0-1;q=1"}) {
    expect_kind(h, kSize, RangeKind::kNone);
  }
  expect_kind(std::string_view("bytes=\0-1", 9), kSize, RangeKind::kNone);
  expect_kind(std::string_view("bytes=0-1\0", 10), kSize, RangeKind::kNone);
}

TEST(ServerRange, UnitIsCaseInsensitiveAndSpacesAroundTheListAreAllowed) {
  expect_range("Bytes=0-9", kSize, 0, 9);
  expect_range("BYTES=0-9", kSize, 0, 9);
  expect_range("bytes= 0-9 ", kSize, 0, 9);
  expect_range("bytes=0-9,", kSize, 0, 9);      // empty list elements are allowed
  expect_range("bytes=, 0-9", kSize, 0, 9);
}

TEST(ServerRange, OverflowingNumbersSaturate) {
  // A first byte beyond 2^64 is still "past the end".
  expect_kind("bytes=99999999999999999999999999-", kSize, RangeKind::kUnsatisfiable);
  expect_kind("bytes=18446744073709551616-", kSize, RangeKind::kUnsatisfiable);
  // A huge last byte clamps; a huge suffix is the whole file.
  expect_range("bytes=5-99999999999999999999999999", kSize, 5, 999);
  expect_range("bytes=-99999999999999999999999999", kSize, 0, 999);
  // Both saturate to UINT64_MAX: first == last, still past the end.
  expect_kind("bytes=99999999999999999999-99999999999999999999", kSize, RangeKind::kUnsatisfiable);
  // Exactly UINT64_MAX, and a file of that size.
  expect_range("bytes=18446744073709551614-", UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - 1);
  expect_range("bytes=-1", UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - 1);
}

TEST(ServerRange, MultipleRangesServeTheWholeBody) {
  expect_kind("bytes=0-1,5-6", kSize, RangeKind::kNone);
  expect_kind("bytes=0-1, -5", kSize, RangeKind::kNone);
  expect_kind("bytes=0-1,5000-6000", kSize, RangeKind::kNone);
  // One bad element invalidates the whole header.
  expect_kind("bytes=0-1,x", kSize, RangeKind::kNone);
}

TEST(ServerRange, LengthOfNonSatisfiableResultIsZero) {
  EXPECT_EQ(parse_range_header("bytes=5000-", kSize).length(), 0u);
  EXPECT_EQ(parse_range_header("garbage", kSize).length(), 0u);
}

}  // namespace
}  // namespace lantern::rig
