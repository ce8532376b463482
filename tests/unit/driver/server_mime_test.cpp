// MIME types by extension and the cache validators (ETag, HTTP dates,
// If-None-Match, If-Modified-Since, If-Range).
#include <gtest/gtest.h>

#include "server/http_validators.h"
#include "server/mime_types.h"

namespace lantern::rig {
namespace {

TEST(ServerMime, TypesTheBrowserChecks) {
  // instantiateStreaming refuses anything but exactly application/wasm.
  EXPECT_EQ(mime_type_for("/web/lantern.wasm"), "application/wasm");
  // Module scripts need a JavaScript MIME type.
  EXPECT_EQ(mime_type_for("/web/lantern.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(mime_type_for("/web/worker.mjs"), "text/javascript; charset=utf-8");
}

TEST(ServerMime, CommonTypes) {
  EXPECT_EQ(mime_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type_for("a.htm"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type_for("style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(mime_type_for("config.json"), "application/json");
  EXPECT_EQ(mime_type_for("lantern.js.map"), "application/json");
  EXPECT_EQ(mime_type_for("model.gguf"), "application/octet-stream");
  EXPECT_EQ(mime_type_for("weights.bin"), "application/octet-stream");
  EXPECT_EQ(mime_type_for("logo.png"), "image/png");
  EXPECT_EQ(mime_type_for("icon.svg"), "image/svg+xml");
  EXPECT_EQ(mime_type_for("notes.txt"), "text/plain; charset=utf-8");
}

TEST(ServerMime, ExtensionIsCaseInsensitiveAndTakenFromTheLastName) {
  EXPECT_EQ(mime_type_for("/A/B.WASM"), "application/wasm");
  EXPECT_EQ(mime_type_for("/x.Html"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type_for("/dir.js/file"), "application/octet-stream");
  EXPECT_EQ(mime_type_for("/archive.tar.gz"), "application/octet-stream");
}

TEST(ServerMime, UnknownOrMissingExtensionIsOctetStream) {
  for (std::string_view p : {"", "/", "/README", "/file.", "/.hidden", "/x.unknownext",
                             "/x.verylongextension", "/x.JS1"}) {
    EXPECT_EQ(mime_type_for(p), kDefaultMimeType) << p;
  }
}

TEST(ServerValidators, EtagDependsOnSizeAndTime) {
  std::string a = make_etag(100, 1'700'000'000'000'000'000);
  EXPECT_EQ(a.front(), '"');
  EXPECT_EQ(a.back(), '"');
  EXPECT_NE(a, make_etag(101, 1'700'000'000'000'000'000));
  EXPECT_NE(a, make_etag(100, 1'700'000'000'000'000'001));
  EXPECT_EQ(a, make_etag(100, 1'700'000'000'000'000'000));
}

TEST(ServerValidators, IfNoneMatch) {
  const std::string tag = "\"64-abc\"";
  EXPECT_TRUE(if_none_match_matches("\"64-abc\"", tag));
  EXPECT_TRUE(if_none_match_matches("W/\"64-abc\"", tag));  // weak comparison
  EXPECT_TRUE(if_none_match_matches("\"x\", \"64-abc\"", tag));
  EXPECT_TRUE(if_none_match_matches(" * ", tag));
  EXPECT_FALSE(if_none_match_matches("\"64-abd\"", tag));
  EXPECT_FALSE(if_none_match_matches("64-abc", tag));  // unquoted is not the same tag
  EXPECT_FALSE(if_none_match_matches("", tag));
  EXPECT_FALSE(if_none_match_matches(",,", tag));
}

TEST(ServerValidators, HttpDatesRoundTrip) {
  EXPECT_EQ(format_http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  for (int64_t t : {0LL, 951782400LL, 1700000000LL, 4102444800LL}) {
    EXPECT_EQ(parse_http_date(format_http_date(t)), t) << t;
  }
  EXPECT_FALSE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"));  // obsolete forms unsupported
  EXPECT_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
  EXPECT_FALSE(parse_http_date(""));
}

TEST(ServerValidators, IfModifiedSince) {
  EXPECT_TRUE(not_modified_since("Sun, 06 Nov 1994 08:49:37 GMT", 784111777));
  EXPECT_TRUE(not_modified_since("Sun, 06 Nov 1994 08:49:38 GMT", 784111777));
  EXPECT_FALSE(not_modified_since("Sun, 06 Nov 1994 08:49:36 GMT", 784111777));
  EXPECT_FALSE(not_modified_since("garbage", 0));
}

TEST(ServerValidators, IfRange) {
  const std::string tag = "\"64-abc\"";
  const std::string date = "Sun, 06 Nov 1994 08:49:37 GMT";
  EXPECT_TRUE(if_range_allows(tag, tag, date));
  EXPECT_FALSE(if_range_allows("W/\"64-abc\"", tag, date));  // strong comparison only
  EXPECT_FALSE(if_range_allows("\"other\"", tag, date));
  EXPECT_TRUE(if_range_allows(date, tag, date));
  EXPECT_FALSE(if_range_allows("Mon, 07 Nov 1994 08:49:37 GMT", tag, date));
}

}  // namespace
}  // namespace lantern::rig
