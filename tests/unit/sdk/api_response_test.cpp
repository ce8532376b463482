// Response objects in OpenAI's exact shapes (compared as serialized text, so
// key order and null fields are checked too), streaming chunk sequences,
// logprobs, error objects and ids.
#include <cctype>
#include <cmath>
#include <limits>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/api_error.h"
#include "api/chat_response.h"
#include "api/completion_response.h"
#include "api/json_body.h"
#include "api/response_common.h"

namespace {

using namespace lantern::api;
using nlohmann::ordered_json;

const ResponseMeta kMeta{"chatcmpl-test123", 1700000000, "lantern-test", ""};

TEST(ApiErrorJson, ExactShape) {
  ApiError e = ApiError::unknown_role("messages[2].role", "wizard");
  EXPECT_EQ(dump_json(e.to_json()),
            R"({"error":{"message":"Invalid value for 'messages[2].role': 'wizard'. Supported values are: 'system', )"
            R"('developer', 'user', 'assistant' and 'tool'.","type":"invalid_request_error","param":"messages[2].role",)"
            R"("code":"unknown_role"}})");
  ApiError j = ApiError::invalid_json("bad");
  EXPECT_EQ(j.to_json()["error"]["param"], nullptr);
  EXPECT_EQ(j.to_json()["error"]["code"], "invalid_json");
  ApiError s = ApiError::server_error("boom");
  EXPECT_EQ(s.type, "server_error");
  EXPECT_EQ(s.http_status, 500);
  ApiError c = ApiError::context_length_exceeded(4096, 4000, 200);
  EXPECT_EQ(*c.code, "context_length_exceeded");
  EXPECT_EQ(c.message,
            "This model's maximum context length is 4096 tokens. However, you requested 4200 tokens (4000 in the "
            "messages, 200 in the completion). Please reduce the length of the messages or completion.");
  EXPECT_EQ(*ApiError::missing_parameter("messages").code, "missing_required_parameter");
  EXPECT_EQ(ApiError::invalid_type("top_k", "an integer", "a string").message,
            "Invalid type for 'top_k': expected an integer, but got a string instead.");
}

TEST(ChatResponse, CompletionObject) {
  ChatChoice c;
  c.content = "Hello!";
  c.finish_reason = FinishReason::Length;
  ordered_json j = chat_completion_json(kMeta, {c}, Usage{12, 3});
  EXPECT_EQ(dump_json(j),
            R"({"id":"chatcmpl-test123","object":"chat.completion","created":1700000000,"model":"lantern-test",)"
            R"("choices":[{"index":0,"message":{"role":"assistant","content":"Hello!","refusal":null},)"
            R"("logprobs":null,"finish_reason":"length"}],)"
            R"("usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}})");
  ResponseMeta fp = kMeta;
  fp.system_fingerprint = "fp_lantern";
  EXPECT_EQ(chat_completion_json(fp, {c}, Usage{})["system_fingerprint"], "fp_lantern");
}

TEST(ChatResponse, StreamChunksInOrder) {
  EXPECT_EQ(dump_json(chat_chunk_role(kMeta, 0, false)),
            R"({"id":"chatcmpl-test123","object":"chat.completion.chunk","created":1700000000,"model":"lantern-test",)"
            R"("choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]})");
  EXPECT_EQ(dump_json(chat_chunk_content(kMeta, 0, "Hel", nullptr, false)["choices"][0]),
            R"({"index":0,"delta":{"content":"Hel"},"logprobs":null,"finish_reason":null})");
  EXPECT_EQ(dump_json(chat_chunk_finish(kMeta, 0, FinishReason::Stop, false)["choices"][0]),
            R"({"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"})");
  // include_usage: "usage": null on every chunk, then one with empty choices.
  EXPECT_TRUE(chat_chunk_role(kMeta, 0, true)["usage"].is_null());
  EXPECT_TRUE(chat_chunk_role(kMeta, 0, true).contains("usage"));
  EXPECT_FALSE(chat_chunk_role(kMeta, 0, false).contains("usage"));
  EXPECT_TRUE(chat_chunk_content(kMeta, 0, "x", nullptr, true).contains("usage"));
  EXPECT_TRUE(chat_chunk_finish(kMeta, 0, FinishReason::Length, true).contains("usage"));
  EXPECT_EQ(dump_json(chat_chunk_usage(kMeta, Usage{5, 7})),
            R"({"id":"chatcmpl-test123","object":"chat.completion.chunk","created":1700000000,"model":"lantern-test",)"
            R"("choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}})");
  EXPECT_EQ(sse_event(ordered_json{{"a", 1}}), "data: {\"a\":1}\n\n");
  EXPECT_EQ(sse_done(), "data: [DONE]\n\n");
}

TEST(ChatResponse, LogprobsShape) {
  std::vector<TokenLogprobInfo> toks = {
      {"Hi", -0.25f, {{"Hi", -0.25f}, {"Hello", -1.5f}}},
      {"\xC3", -std::numeric_limits<float>::infinity(), {}},  // half a UTF-8 character, banned token
  };
  ordered_json lp = chat_logprobs_json(toks);
  EXPECT_EQ(dump_json(lp),
            R"({"content":[{"token":"Hi","logprob":-0.25,"bytes":[72,105],"top_logprobs":[)"
            R"({"token":"Hi","logprob":-0.25,"bytes":[72,105]},{"token":"Hello","logprob":-1.5,"bytes":[72,101,108,108,111]}]},)"
            "{\"token\":\"\xEF\xBF\xBD\",\"logprob\":-9999.0,\"bytes\":[195],\"top_logprobs\":[]}],\"refusal\":null}");
  EXPECT_EQ(lp["content"][0]["top_logprobs"][1]["bytes"], ordered_json::array({72, 101, 108, 108, 111}));
  EXPECT_EQ(lp["content"][1]["token"], "\xEF\xBF\xBD");
  EXPECT_EQ(lp["content"][1]["bytes"], ordered_json::array({195}));
  EXPECT_EQ(lp["content"][1]["logprob"], -9999.0);
  EXPECT_TRUE(lp["refusal"].is_null());
  // A float logprob prints in its shortest form, not as 17 digits of a double.
  EXPECT_EQ(dump_json(token_logprob_json("a", -0.31f)), R"({"token":"a","logprob":-0.31,"bytes":[97]})");
  ordered_json chunk = chat_chunk_content(kMeta, 0, "Hi", &toks, false);
  EXPECT_EQ(chunk["choices"][0]["logprobs"]["content"].size(), 2u);
  ChatChoice c;
  c.logprobs = toks;
  EXPECT_EQ(chat_completion_json(kMeta, {c}, Usage{})["choices"][0]["logprobs"]["content"][0]["token"], "Hi");
}

TEST(ChatResponse, InvalidUtf8TextNeverBreaksSerialisation) {
  ordered_json j = chat_chunk_content(kMeta, 0, "ok \xE2\x82 cut", nullptr, false);
  EXPECT_EQ(j["choices"][0]["delta"]["content"], "ok \xEF\xBF\xBD\xEF\xBF\xBD cut");
  ordered_json raw = {{"t", std::string("\xFF")}};  // built without valid_utf8
  EXPECT_NO_THROW(dump_json(raw));
  EXPECT_EQ(dump_json(raw), "{\"t\":\"\xEF\xBF\xBD\"}");
}

TEST(CompletionResponse, ObjectChunksAndLegacyLogprobs) {
  ResponseMeta meta{"cmpl-abc", 1700000001, "m", ""};
  CompletionChoice c;
  c.text = " world";
  c.logprobs = std::vector<TokenLogprobInfo>{{" wö", -0.5f, {{" wö", -0.5f}, {" x", -2.0f}}}, {"rld", -0.125f, {}}};
  EXPECT_EQ(dump_json(completion_json(meta, {c}, Usage{2, 2})),
            R"({"id":"cmpl-abc","object":"text_completion","created":1700000001,"model":"m","choices":[)"
            R"({"text":" world","index":0,"logprobs":{"tokens":[" wö","rld"],"token_logprobs":[-0.5,-0.125],)"
            R"("top_logprobs":[{" wö":-0.5," x":-2.0},{}],"text_offset":[0,3]},"finish_reason":"stop"}],)"
            R"("usage":{"prompt_tokens":2,"completion_tokens":2,"total_tokens":4}})");
  ordered_json first = completion_chunk(meta, 0, " wo", nullptr, std::nullopt, true);
  EXPECT_EQ(dump_json(first["choices"][0]), R"({"text":" wo","index":0,"logprobs":null,"finish_reason":null})");
  EXPECT_TRUE(first.contains("usage"));
  ordered_json last = completion_chunk(meta, 0, "", nullptr, FinishReason::Length, false);
  EXPECT_EQ(last["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(last["object"], "text_completion");
  EXPECT_EQ(completion_chunk_usage(meta, Usage{1, 1})["choices"].size(), 0u);
  EXPECT_EQ(completion_logprobs_json({{"ab", -1.0f, {}}}, 10)["text_offset"][0], 10);
}

TEST(ResponseIds, DeterministicWithASeedAndWellFormed) {
  IdGenerator a(42), b(42), c(43);
  std::string x = a.next("chatcmpl-");
  EXPECT_EQ(x, b.next("chatcmpl-"));
  EXPECT_NE(x, c.next("chatcmpl-"));
  EXPECT_EQ(x.rfind("chatcmpl-", 0), 0u);
  EXPECT_EQ(x.size(), 9u + 24u);
  for (char ch : x.substr(9)) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch))) << x;
  std::set<std::string> seen;
  IdGenerator d(7);
  for (int i = 0; i < 1000; ++i) seen.insert(d.next("cmpl-"));
  EXPECT_EQ(seen.size(), 1000u);
  ResponseMeta m = new_response_meta("chatcmpl-", "model", a, 123);
  EXPECT_EQ(m.created, 123);
  EXPECT_EQ(m.model, "model");
  EXPECT_GT(unix_time_now(), 1700000000);
}

TEST(ResponseText, ValidUtf8) {
  EXPECT_EQ(valid_utf8("plain"), "plain");
  EXPECT_EQ(valid_utf8("\xC3\xA9"), "\xC3\xA9");
  EXPECT_EQ(valid_utf8("\xF0\x9F\x8C\x8D"), "\xF0\x9F\x8C\x8D");
  EXPECT_EQ(valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(valid_utf8("a\xF0\x9F"), "a\xEF\xBF\xBD\xEF\xBF\xBD");                 // truncated
  EXPECT_EQ(json_logprob(std::nanf("")), -9999.0);
  EXPECT_EQ(json_logprob(-0.5f), -0.5);
}

}  // namespace
