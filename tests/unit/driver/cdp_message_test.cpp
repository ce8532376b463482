// parse_cdp_message: the pure step of the CDP client that turns one incoming
// text message into a reply, an event or a malformed message with a reason.
#include <gtest/gtest.h>

#include "cdp/cdp_message.h"

namespace lantern::rig {
namespace {

using Kind = CdpIncomingMessage::Kind;

TEST(CdpMessage, ReplyWithResult) {
  auto m = parse_cdp_message(R"({"id":7,"result":{"value":2},"sessionId":"S"})");
  ASSERT_EQ(Kind::kReply, m.kind);
  EXPECT_EQ(7u, m.id);
  EXPECT_FALSE(m.error);
  EXPECT_EQ(2, m.result["value"]);
}

TEST(CdpMessage, ReplyWithoutResultIsAnEmptyObject) {
  auto m = parse_cdp_message(R"({"id":3})");
  ASSERT_EQ(Kind::kReply, m.kind);
  EXPECT_TRUE(m.result.is_object() && m.result.empty());
}

TEST(CdpMessage, ErrorReply) {
  auto m = parse_cdp_message(R"({"id":4,"error":{"code":-32601,"message":"'X.y' wasn't found","data":"d"}})");
  ASSERT_EQ(Kind::kReply, m.kind);
  ASSERT_TRUE(m.error);
  EXPECT_EQ(-32601, m.error->code);
  EXPECT_EQ("'X.y' wasn't found", m.error->message);
  EXPECT_EQ("d", m.error->data);
}

TEST(CdpMessage, ErrorReplyFieldsOfTheWrongTypeOrRangeDoNotThrow) {
  for (const char* text : {R"({"id":1,"error":{"code":"x","message":5,"data":{"a":1}}})",
                           R"({"id":1,"error":{"code":1e300,"message":null}})",
                           R"({"id":1,"error":{"code":99999999999999,"message":[]}})",
                           R"({"id":1,"error":{"code":-99999999999999}})",
                           R"({"id":1,"error":{"message":""}})"}) {
    auto m = parse_cdp_message(text);
    ASSERT_EQ(Kind::kReply, m.kind) << text;
    ASSERT_TRUE(m.error) << text;
    EXPECT_EQ(0, m.error->code) << text;
    EXPECT_EQ("unknown protocol error", m.error->message) << text;
  }
  EXPECT_EQ(R"({"a":1})", parse_cdp_message(R"({"id":1,"error":{"data":{"a":1}}})").error->data);
}

TEST(CdpMessage, Event) {
  auto m = parse_cdp_message(R"({"method":"Page.loadEventFired","params":{"timestamp":1.5},"sessionId":"AB"})");
  ASSERT_EQ(Kind::kEvent, m.kind);
  EXPECT_EQ("Page.loadEventFired", m.method);
  EXPECT_EQ("AB", m.session_id);
  EXPECT_EQ(1.5, m.params["timestamp"]);
  auto bare = parse_cdp_message(R"({"method":"X.y","sessionId":7})");
  ASSERT_EQ(Kind::kEvent, bare.kind);
  EXPECT_EQ("", bare.session_id);  // a non-string sessionId is the browser session
  EXPECT_TRUE(bare.params.is_null());
}

TEST(CdpMessage, MalformedMessagesSayWhy) {
  struct Case {
    const char* text;
    const char* reason;
  };
  for (const Case& c : {Case{"{not json", "not JSON"}, Case{"", "not JSON"}, Case{"[1]", "not a JSON object"},
                        Case{"{}", "neither an id nor a method"}, Case{R"({"method":3})", "neither an id nor a method"},
                        Case{R"({"id":"1"})", "id"}, Case{R"({"id":-1})", "id"}, Case{R"({"id":1.5})", "id"},
                        Case{"{\"method\":\"\xff\"}", "not JSON"}}) {
    auto m = parse_cdp_message(c.text);
    EXPECT_EQ(Kind::kMalformed, m.kind) << c.text;
    EXPECT_NE(m.malformed_reason.find(c.reason), std::string::npos) << c.text << ": " << m.malformed_reason;
  }
}

std::string nested_arrays(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// A reply whose error.data is nested 100K deep used to overflow the stack in
// json::dump (error.data is kept as its JSON text). Now the parse drops what
// lies past 256 levels and the reply fails its call with a clear error.
TEST(CdpMessage, ReplyNested100KDeepFailsItsCallWithAClearError) {
  for (const std::string& deep :
       {R"({"id":9,"error":{"code":-32000,"message":"m","data":)" + nested_arrays(100000) + "}}",
        R"({"id":9,"result":{"value":)" + nested_arrays(100000) + "}}"}) {
    auto m = parse_cdp_message(deep);
    ASSERT_EQ(Kind::kReply, m.kind) << m.malformed_reason;
    EXPECT_EQ(9u, m.id);
    ASSERT_TRUE(m.error.has_value());
    EXPECT_NE(m.error->message.find("nested deeper than 256 levels"), std::string::npos) << m.error->message;
    EXPECT_TRUE(m.error->data.empty());
    EXPECT_TRUE(m.result.is_null());
  }
}

TEST(CdpMessage, EventNested100KDeepIsMalformed) {
  auto m = parse_cdp_message(R"({"method":"Runtime.consoleAPICalled","params":{"args":)" + nested_arrays(100000) + "}}");
  EXPECT_EQ(Kind::kMalformed, m.kind);
  EXPECT_NE(m.malformed_reason.find("nested deeper than 256 levels"), std::string::npos) << m.malformed_reason;
}

// Up to the limit, nothing changes: 256 levels in all (the message object,
// "error", and 254 arrays) parse and dump as before; one more is refused.
TEST(CdpMessage, NestingUpToTheLimitIsKept) {
  const std::string at_limit = R"({"id":1,"error":{"code":1,"message":"m","data":)" + nested_arrays(254) + "}}";
  auto m = parse_cdp_message(at_limit);
  ASSERT_EQ(Kind::kReply, m.kind);
  ASSERT_TRUE(m.error.has_value());
  EXPECT_EQ("m", m.error->message);
  EXPECT_EQ(nested_arrays(254), m.error->data);
  auto over = parse_cdp_message(R"({"id":1,"error":{"code":1,"message":"m","data":)" + nested_arrays(255) + "}}");
  ASSERT_TRUE(over.error.has_value());
  EXPECT_NE(over.error->message.find("nested deeper"), std::string::npos) << over.error->message;
}

}  // namespace
}  // namespace lantern::rig
