// libFuzzer target for the HTTP server's pure request logic: the Range
// parser, request path validation, percent decoding, MIME lookup and the
// conditional-request validators. Header-only code under test, so this file
// needs no library: include path driver/ only.
//
// Input layout: byte 0 selects the checks' mode bits, bytes 1..8 give a file
// size (little-endian), the rest is the header or path text.
//
//   clang++-14 -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined \
//     -I driver tests/fuzz/http_range_fuzz.cpp -o http_range_fuzz
//   ./http_range_fuzz fixtures/fuzz/http_range
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "server/http_range.h"
#include "server/http_validators.h"
#include "server/mime_types.h"
#include "server/url_path.h"

namespace {

using namespace lantern::rig;

void require(bool ok) {
  if (!ok) std::abort();
}

void check_range(std::string_view header, uint64_t size) {
  RangeResult r = parse_range_header(header, size);
  switch (r.kind) {
    case RangeKind::kSatisfiable:
      require(size > 0);
      require(r.first <= r.last);
      require(r.last < size);
      require(r.length() == r.last - r.first + 1);
      break;
    case RangeKind::kUnsatisfiable:
    case RangeKind::kNone:
      require(r.length() == 0);
      break;
  }
}

void check_accepted_path(const PathCheck& c) {
  if (!c.ok) {
    require(!c.reason.empty());
    require(c.segments.empty());
    return;
  }
  require(c.reason.empty());
  require(!c.normalized.empty() && c.normalized[0] == '/');
  for (const std::string& seg : c.segments) {
    require(!seg.empty());
    require(seg != "." && seg != "..");
    for (char ch : seg) {
      auto u = static_cast<unsigned char>(ch);
      require(ch != '/' && ch != '\\' && ch != '%' && u >= 0x20 && u != 0x7f);
    }
  }
  // The normalized form is itself valid and means the same thing.
  PathCheck again = check_decoded_path(c.normalized);
  require(again.ok);
  require(again.segments == c.segments);
  require(again.trailing_slash == c.trailing_slash);
  require(again.normalized == c.normalized);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 9) return 0;
  const uint8_t mode = data[0];
  uint64_t file_size = 0;
  std::memcpy(&file_size, data + 1, sizeof file_size);
  // Mostly small sizes, so ranges land inside and at the edges of the file.
  if (mode & 1) file_size %= 4096;
  std::string_view text(reinterpret_cast<const char*>(data + 9), size - 9);

  check_range(text, file_size);
  check_accepted_path(check_request_target(text));
  check_accepted_path(check_decoded_path(text));
  if (auto decoded = percent_decode(text)) require(decoded->size() <= text.size());

  std::string_view mime = mime_type_for(text);
  require(!mime.empty());

  std::string etag = make_etag(file_size, static_cast<int64_t>(file_size ^ 0x5a5a));
  (void)if_none_match_matches(text, etag);
  std::string date = format_http_date(static_cast<int64_t>(file_size % 4102444800ULL));
  (void)if_range_allows(text, etag, date);
  if (auto t = parse_http_date(text)) (void)not_modified_since(text, *t);
  return 0;
}
