// JsonValueScanner, which finds where a call's JSON values end as they
// stream: ends of each kind of value, and the bytes that break JSON.
#include <gtest/gtest.h>

#include "chat/json_value_scanner.h"

using lantern::JsonValueScanner;
using R = JsonValueScanner::Result;

namespace {

// Pushes `text` until the scanner stops; returns where (bytes taken) and how.
std::pair<size_t, R> scan(std::string_view text) {
  JsonValueScanner s;
  for (size_t i = 0; i < text.size(); ++i) {
    const R r = s.push(text[i]);
    if (r == R::Done) return {i + 1, r};
    if (r != R::More) return {i, r};
  }
  return {text.size(), R::More};
}

}  // namespace

TEST(ToolCallJsonScan, WhereValuesEnd) {
  EXPECT_EQ(scan(R"({"a": [1, {"b": "}]\"x"}], "c": null}, "more")"), std::make_pair(size_t{37}, R::Done));
  EXPECT_EQ(scan("  \"str\\u00e9\\n\" tail"), std::make_pair(size_t{15}, R::Done));
  EXPECT_EQ(scan("true,"), std::make_pair(size_t{4}, R::Done));
  EXPECT_EQ(scan("[]x"), std::make_pair(size_t{2}, R::Done));
  // A number ends at the byte after it, which is not its own.
  EXPECT_EQ(scan("-12.5e+3}"), std::make_pair(size_t{8}, R::DoneBefore));
  EXPECT_EQ(scan("0 "), std::make_pair(size_t{1}, R::DoneBefore));
  // Unfinished: still More.
  EXPECT_EQ(scan("{\"a\": [1, 2"), std::make_pair(size_t{11}, R::More));
  EXPECT_EQ(scan("{\"a\": 1"), std::make_pair(size_t{7}, R::More));  // the number may go on
}

TEST(ToolCallJsonScan, BytesThatBreakJson) {
  EXPECT_EQ(scan("{\"a\" 1}").second, R::Error);      // no colon
  EXPECT_EQ(scan("{\"a\": 01}").first, 7u);             // leading zero
  EXPECT_EQ(scan("{\"a\": 01}").second, R::Error);
  EXPECT_EQ(scan("[1,]").second, R::Error);             // trailing comma
  EXPECT_EQ(scan("{\"a\": 1,}").second, R::Error);
  EXPECT_EQ(scan("\"\\x\"").second, R::Error);          // bad escape
  EXPECT_EQ(scan("\"\\u12g4\"").second, R::Error);
  EXPECT_EQ(scan("\"a\nb\"").second, R::Error);         // raw control character in a string
  EXPECT_EQ(scan("tru3").second, R::Error);
  EXPECT_EQ(scan("{'a': 1}").second, R::Error);
  EXPECT_EQ(scan("[1 2]").second, R::Error);
  EXPECT_EQ(scan("{\"a\": 1]").second, R::Error);        // mismatched bracket
  EXPECT_EQ(scan(std::string(JsonValueScanner::kMaxDepth, '[') + "[").second, R::Error);
  EXPECT_EQ(scan(std::string(JsonValueScanner::kMaxDepth, '[')).second, R::More);
}
