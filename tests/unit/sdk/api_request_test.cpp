// Request parsing: every invalid shape gives OpenAI's error object naming the
// parameter (table-driven), valid requests fill the sampling/stop params, and
// no JSON input makes the parser throw.
#include <chrono>
#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/chat_request.h"
#include "api/completion_request.h"
#include "api/json_body.h"

namespace {

using lantern::api::ApiError;
using lantern::api::ChatCompletionRequest;
using lantern::api::CompletionRequest;
using lantern::api::RequestLimits;
using nlohmann::ordered_json;

// A valid request with `patch` merged in (a null in the patch deletes a key).
ordered_json chat_body(const char* patch) {
  ordered_json body = ordered_json::parse(R"({"model": "m", "messages": [{"role": "user", "content": "hi"}]})");
  ordered_json p = ordered_json::parse(patch);
  for (auto it = p.begin(); it != p.end(); ++it) {
    if (it.value().is_string() && it.value() == "<delete>") body.erase(it.key());
    else body[it.key()] = it.value();
  }
  return body;
}

struct BadCase {
  const char* patch;
  const char* code;
  const char* param;  // nullptr: param is null
};

void expect_error(const lantern::api::ApiResult<ChatCompletionRequest>& r, const BadCase& c) {
  ASSERT_FALSE(r.ok()) << "accepted";
  const ApiError& e = r.error();
  EXPECT_EQ(e.type, "invalid_request_error");
  EXPECT_EQ(e.http_status, 400);
  ASSERT_TRUE(e.code.has_value());
  EXPECT_EQ(*e.code, c.code) << e.message;
  if (c.param) {
    ASSERT_TRUE(e.param.has_value()) << e.message;
    EXPECT_EQ(*e.param, c.param) << e.message;
    EXPECT_NE(e.message.find(c.param), std::string::npos) << e.message;
  } else {
    EXPECT_FALSE(e.param.has_value());
  }
}

TEST(ChatRequestErrors, EveryInvalidShapeNamesItsParameter) {
  const BadCase cases[] = {
      {R"({"messages": "<delete>"})", "missing_required_parameter", "messages"},
      {R"({"messages": {"role": "user"}})", "invalid_type", "messages"},
      {R"({"messages": []})", "empty_messages", "messages"},
      {R"({"messages": ["hi"]})", "invalid_type", "messages[0]"},
      {R"({"messages": [{"content": "x"}]})", "missing_required_parameter", "messages[0].role"},
      {R"({"messages": [{"role": 5, "content": "x"}]})", "invalid_type", "messages[0].role"},
      {R"({"messages": [{"role": "user", "content": "a"}, {"role": "wizard", "content": "x"}]})", "unknown_role",
       "messages[1].role"},
      {R"({"messages": [{"role": "user"}]})", "missing_required_parameter", "messages[0].content"},
      {R"({"messages": [{"role": "user", "content": null}]})", "invalid_type", "messages[0].content"},
      {R"({"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}, {"role": "assistant", "content": 42}]})",
       "invalid_type", "messages[2].content"},
      {R"({"messages": [{"role": "user", "content": ["text"]}]})", "invalid_type", "messages[0].content[0]"},
      {R"({"messages": [{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "image_url", "image_url": {"url": "x"}}]}]})",
       "unsupported_parameter", "messages[0].content[1].type"},
      {R"({"messages": [{"role": "user", "content": [{"type": "text"}]}]})", "missing_required_parameter",
       "messages[0].content[0].text"},
      {R"({"messages": [{"role": "user", "content": [{"type": "text", "text": 7}]}]})", "invalid_type",
       "messages[0].content[0].text"},
      {R"({"messages": [{"role": "user", "content": [{"text": "a"}]}]})", "missing_required_parameter",
       "messages[0].content[0].type"},
      {R"({"messages": [{"role": "user", "content": "q"}, {"role": "tool", "content": "42"}]})",
       "missing_required_parameter", "messages[1].tool_call_id"},
      {R"({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "tool_calls": "call"}]})", "invalid_type",
       "messages[1].tool_calls"},
      {R"({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "tool_calls": [{"id": "c", "function": {}}]}]})",
       "missing_required_parameter", "messages[1].tool_calls[0].function.name"},
      {R"({"messages": [{"role": "user", "content": "q", "name": 3}]})", "invalid_type", "messages[0].name"},
      {R"({"model": 5})", "invalid_type", "model"},
      {R"({"temperature": "hot"})", "invalid_type", "temperature"},
      {R"({"temperature": 2.5})", "invalid_value", "temperature"},
      {R"({"temperature": -0.1})", "invalid_value", "temperature"},
      {R"({"temperature": 1e308})", "invalid_value", "temperature"},
      {R"({"temperature": true})", "invalid_type", "temperature"},
      {R"({"top_p": 0})", "invalid_value", "top_p"},
      {R"({"top_p": 1.01})", "invalid_value", "top_p"},
      {R"({"top_k": -1})", "invalid_value", "top_k"},
      {R"({"top_k": 2.5})", "invalid_type", "top_k"},
      {R"({"top_k": 1e12})", "invalid_value", "top_k"},
      {R"({"min_p": 1.5})", "invalid_value", "min_p"},
      {R"({"frequency_penalty": 2.1})", "invalid_value", "frequency_penalty"},
      {R"({"presence_penalty": -3})", "invalid_value", "presence_penalty"},
      {R"({"repetition_penalty": 0})", "invalid_value", "repetition_penalty"},
      {R"({"repetition_penalty": -1})", "invalid_value", "repetition_penalty"},
      {R"({"logit_bias": [1, 2]})", "invalid_type", "logit_bias"},
      {R"({"logit_bias": {"abc": 1}})", "invalid_value", "logit_bias"},
      {R"({"logit_bias": {"-1": 1}})", "invalid_value", "logit_bias"},
      {R"({"logit_bias": {"99999999999": 1}})", "invalid_value", "logit_bias"},
      {R"({"logit_bias": {"5": 200}})", "invalid_value", "logit_bias[5]"},
      {R"({"logit_bias": {"5": "x"}})", "invalid_type", "logit_bias[5]"},
      {R"({"logit_bias": {"5": null}})", "invalid_type", "logit_bias[5]"},
      {R"({"seed": 1.5})", "invalid_type", "seed"},
      {R"({"seed": "42"})", "invalid_type", "seed"},
      {R"({"stop": 5})", "invalid_type", "stop"},
      {R"({"stop": ""})", "invalid_value", "stop"},
      {R"({"stop": ["a", "b", "c", "d", "e"]})", "invalid_value", "stop"},
      {R"({"stop": ["a", ""]})", "invalid_value", "stop[1]"},
      {R"({"stop": ["a", 3]})", "invalid_type", "stop[1]"},
      {R"({"max_tokens": 0})", "invalid_value", "max_tokens"},
      {R"({"max_tokens": -5})", "invalid_value", "max_tokens"},
      {R"({"max_tokens": 1e9})", "invalid_value", "max_tokens"},
      {R"({"max_tokens": 1e300})", "invalid_value", "max_tokens"},
      {R"({"max_tokens": 18446744073709551615})", "invalid_value", "max_tokens"},
      {R"({"max_tokens": "10"})", "invalid_type", "max_tokens"},
      {R"({"max_tokens": 10.5})", "invalid_type", "max_tokens"},
      {R"({"max_completion_tokens": 0})", "invalid_value", "max_completion_tokens"},
      {R"({"max_tokens": 10, "max_completion_tokens": 20})", "invalid_value", "max_tokens"},
      {R"({"ignore_eos": 1})", "invalid_type", "ignore_eos"},
      {R"({"logprobs": "yes"})", "invalid_type", "logprobs"},
      {R"({"logprobs": true, "top_logprobs": 21})", "invalid_value", "top_logprobs"},
      {R"({"top_logprobs": 3})", "invalid_value", "top_logprobs"},
      {R"({"logprobs": false, "top_logprobs": 3})", "invalid_value", "top_logprobs"},
      {R"({"n": 0})", "invalid_value", "n"},
      {R"({"n": 17})", "invalid_value", "n"},
      {R"({"n": 2, "stream": true})", "invalid_value", "n"},
      {R"({"stream": "true"})", "invalid_type", "stream"},
      {R"({"stream_options": {"include_usage": true}})", "invalid_value", "stream_options"},
      {R"({"stream": true, "stream_options": []})", "invalid_type", "stream_options"},
      {R"({"stream": true, "stream_options": {"include_usage": "x"}})", "invalid_type", "stream_options.include_usage"},
      {R"({"response_format": "json"})", "invalid_type", "response_format"},
      {R"({"response_format": {}})", "missing_required_parameter", "response_format.type"},
      {R"({"response_format": {"type": "json_schema", "json_schema": {"schema": {}}}})",
       "missing_required_parameter", "response_format.json_schema.name"},
      {R"({"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"not": {}}}}})",
       "invalid_value", "response_format.json_schema.schema"},
      {R"({"response_format": {"type": "grammar", "grammar": "root ::= ["}})", "invalid_value", "response_format.grammar"},
      {R"({"grammar": "root ::= x"})", "invalid_value", "grammar"},
      {R"({"grammar": 5})", "invalid_type", "grammar"},
      {R"({"response_format": {"type": "xml"}})", "invalid_value", "response_format.type"},
      {R"({"tools": "x"})", "invalid_type", "tools"},
      {R"({"tools": [{"type": "retrieval"}]})", "unsupported_parameter", "tools[0].type"},
      {R"({"tools": [{"type": "function"}]})", "missing_required_parameter", "tools[0].function"},
      {R"({"tools": [{"type": "function", "function": {"description": "d"}}]})", "missing_required_parameter",
       "tools[0].function.name"},
      {R"({"tool_choice": "required"})", "invalid_value", "tool_choice"},  // only with tools
      {R"({"tool_choice": {"type": "function", "function": {"name": "f"}}})", "invalid_value", "tool_choice"},
      {R"({"tool_choice": "sometimes"})", "invalid_value", "tool_choice"},
      {R"({"tool_choice": 1})", "invalid_type", "tool_choice"},
      {R"({"tool_choice": {"type": "retrieval"}})", "invalid_value", "tool_choice.type"},
      {R"({"tool_choice": {"function": {"name": "f"}}})", "missing_required_parameter", "tool_choice.type"},
      {R"({"tool_choice": {"type": "function"}})", "missing_required_parameter", "tool_choice.function"},
      {R"({"tool_choice": {"type": "function", "function": {}}})", "missing_required_parameter",
       "tool_choice.function.name"},
      {R"({"tools": [{"type": "function", "function": {"name": "f"}}],
           "tool_choice": {"type": "function", "function": {"name": "g"}}})",
       "invalid_value", "tool_choice.function.name"},
      {R"({"parallel_tool_calls": "no"})", "invalid_type", "parallel_tool_calls"},
      {R"({"user": 12})", "invalid_type", "user"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.patch);
    expect_error(lantern::api::parse_chat_completion_request(chat_body(c.patch)), c);
  }
}

TEST(ChatRequestErrors, BodyShapeAndJsonText) {
  for (const char* body : {"[]", "\"text\"", "42", "null"}) {
    auto r = lantern::api::parse_chat_completion_request(ordered_json::parse(body));
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(*r.error().code, "invalid_type");
    EXPECT_EQ(*r.error().param, "body");
  }
  const char* texts[] = {"", "{", "{\"messages\": [}", "{\"temperature\": 1e400}", "{\"a\": \"\xff\xfe\"}",
                         "{\"a\": NaN}", "{\"a\": 01}"};
  for (const char* t : texts) {
    auto r = lantern::api::parse_chat_completion_request(std::string_view(t));
    ASSERT_FALSE(r.ok()) << t;
    EXPECT_EQ(*r.error().code, "invalid_json") << t;
    EXPECT_FALSE(r.error().param.has_value());
    EXPECT_NO_THROW(lantern::api::dump_json(r.error().to_json()));
  }
  // Deep nesting is refused before nlohmann recurses into it.
  std::string deep = "{\"messages\": " + std::string(200000, '[') + std::string(200000, ']') + "}";
  auto r = lantern::api::parse_chat_completion_request(std::string_view(deep));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(*r.error().code, "invalid_json");
  EXPECT_NE(r.error().message.find("nesting"), std::string::npos);
  // ...and also when a caller hands over an already built nlohmann::json.
  nlohmann::json built = 1;
  for (int i = 0; i < 100; ++i) built = nlohmann::json::array({built});
  auto r2 = lantern::api::parse_chat_completion_request(nlohmann::json{{"messages", built}});
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(*r2.error().code, "invalid_json");
  // Brackets inside strings do not count as nesting.
  std::string in_string = R"({"messages": [{"role": "user", "content": ")" + std::string(1000, '[') + "\"}]}";
  EXPECT_TRUE(lantern::api::parse_chat_completion_request(std::string_view(in_string)).ok());
  // An object of 100,000 members (quadratic for ordered_json) is refused
  // before parsing, in a second; colons in strings and arrays do not count.
  std::string wide = R"({"messages": [{"role": "user", "content": "a:b:c"}], "logit_bias": {)";
  for (int i = 0; i < 100000; ++i) wide += (i ? ",\"" : "\"") + std::to_string(i) + "\": 1";
  wide += "}}";
  const auto t0 = std::chrono::steady_clock::now();
  auto r3 = lantern::api::parse_chat_completion_request(std::string_view(wide));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.error().message.find("more than 4096 members"), std::string::npos) << r3.error().message;
  std::string colons = R"({"messages": [{"role": "user", "content": ")" + std::string(10000, ':') + "\"}], \"stop\": [\"" +
                       std::string(5000, ':') + "\"]}";
  EXPECT_TRUE(lantern::api::parse_chat_completion_request(std::string_view(colons)).ok());
}

TEST(ChatRequestErrors, NonFiniteNumbersBuiltInCode) {
  // JSON text cannot hold NaN or infinity, but a caller-built value can.
  for (double bad : {std::nan(""), std::numeric_limits<double>::infinity()}) {
    ordered_json body = chat_body("{}");
    body["temperature"] = bad;
    auto r = lantern::api::parse_chat_completion_request(body);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(*r.error().code, "invalid_value");
    EXPECT_EQ(*r.error().param, "temperature");
    body = chat_body("{}");
    body["max_tokens"] = bad;
    r = lantern::api::parse_chat_completion_request(body);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(*r.error().param, "max_tokens");
  }
}

TEST(ChatRequestErrors, RequestLimits) {
  RequestLimits limits;
  limits.vocab_size = 100;
  limits.max_messages = 2;
  limits.max_content_bytes = 10;
  auto r = lantern::api::parse_chat_completion_request(chat_body(R"({"logit_bias": {"100": 1}})"), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(*r.error().param, "logit_bias[100]");
  EXPECT_TRUE(lantern::api::parse_chat_completion_request(chat_body(R"({"logit_bias": {"99": 1}})"), limits).ok());
  r = lantern::api::parse_chat_completion_request(
      chat_body(R"({"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}]})"),
      limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(*r.error().code, "invalid_value");
  EXPECT_EQ(*r.error().param, "messages");
  r = lantern::api::parse_chat_completion_request(chat_body(R"({"messages": [{"role": "user", "content": "0123456789x"}]})"),
                                                  limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(*r.error().code, "request_too_large");
  EXPECT_EQ(r.error().http_status, 413);
  auto big = lantern::api::parse_json_body(std::string(100, ' '), {50, 64});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(*big.error().code, "request_too_large");
}

TEST(ChatRequest, DefaultsWhenOnlyMessagesAreGiven) {
  auto r = lantern::api::parse_chat_completion_request(
      ordered_json::parse(R"({"messages": [{"role": "user", "content": "hi"}], "temperature": null, "stop": null})"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const ChatCompletionRequest& q = r.value();
  EXPECT_EQ(q.model, "");
  EXPECT_EQ(q.sampling.temperature, 1.0f);
  EXPECT_EQ(q.sampling.top_p, 1.0f);
  EXPECT_EQ(q.sampling.top_k, 0);
  EXPECT_EQ(q.sampling.logprobs, -1);
  EXPECT_FALSE(q.sampling.seed.has_value());
  EXPECT_TRUE(q.sampling.logit_bias.empty());
  EXPECT_TRUE(q.stop.stop.empty());
  EXPECT_FALSE(q.stop.max_tokens.has_value());
  EXPECT_EQ(q.n, 1);
  EXPECT_FALSE(q.stream);
  EXPECT_TRUE(q.tools.is_null());
  EXPECT_TRUE(q.ignored_fields.empty());
}

TEST(ChatRequest, EveryFieldLandsInTheParams) {
  auto r = lantern::api::parse_chat_completion_request(ordered_json::parse(R"({
    "model": "qwen2.5-0.5b",
    "messages": [
      {"role": "developer", "content": "Be terse."},
      {"role": "user", "content": [{"type": "text", "text": "line one"}, {"type": "text", "text": "line two"}], "name": "ann"},
      {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
        "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\", \"days\": 2}"}}]},
      {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
      {"role": "assistant", "content": "It is sunny."}
    ],
    "temperature": 0.7, "top_p": 0.9, "top_k": 40, "min_p": 0.05,
    "frequency_penalty": 0.5, "presence_penalty": -0.5, "repetition_penalty": 1.1,
    "logit_bias": {"50256": -100, "11": 2.5}, "seed": -3, "stop": ["\n\n", "END"],
    "max_completion_tokens": 128, "ignore_eos": true, "logprobs": true, "top_logprobs": 5,
    "stream": true, "stream_options": {"include_usage": true},
    "response_format": {"type": "json_object"},
    "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
    "tool_choice": "auto", "user": "u-1", "metadata": {"a": 1}, "store": false
  })"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const ChatCompletionRequest& q = r.value();
  EXPECT_EQ(q.model, "qwen2.5-0.5b");
  ASSERT_EQ(q.messages.size(), 5u);
  EXPECT_EQ(q.messages[0].role, "system");
  EXPECT_EQ(q.messages[1].content, "line one\nline two");
  EXPECT_EQ(q.messages[1].extra["name"], "ann");
  EXPECT_EQ(q.messages[2].content, "");
  EXPECT_EQ(q.messages[2].extra["tool_calls"][0]["function"]["arguments"]["days"], 2);  // parsed to an object
  EXPECT_EQ(q.messages[3].extra["tool_call_id"], "call_1");
  EXPECT_EQ(q.sampling.temperature, 0.7f);
  EXPECT_EQ(q.sampling.top_p, 0.9f);
  EXPECT_EQ(q.sampling.top_k, 40);
  EXPECT_EQ(q.sampling.min_p, 0.05f);
  EXPECT_EQ(q.sampling.frequency_penalty, 0.5f);
  EXPECT_EQ(q.sampling.presence_penalty, -0.5f);
  EXPECT_EQ(q.sampling.repetition_penalty, 1.1f);
  ASSERT_EQ(q.sampling.logit_bias.size(), 2u);
  EXPECT_EQ(q.sampling.logit_bias.at(50256), -100.0f);
  EXPECT_EQ(q.sampling.logit_bias.at(11), 2.5f);
  EXPECT_EQ(q.sampling.seed, static_cast<uint64_t>(int64_t{-3}));
  EXPECT_EQ(q.stop.stop, (std::vector<std::string>{"\n\n", "END"}));
  EXPECT_EQ(q.stop.max_tokens, 128);
  EXPECT_TRUE(q.stop.ignore_eos);
  EXPECT_TRUE(q.logprobs);
  EXPECT_EQ(q.top_logprobs, 5);
  EXPECT_EQ(q.sampling.logprobs, 5);
  EXPECT_TRUE(q.stream);
  EXPECT_TRUE(q.include_usage);
  EXPECT_NE(q.sampling.grammar.find("root ::="), std::string::npos);  // json_object is a grammar
  ASSERT_TRUE(q.tools.is_array());
  EXPECT_EQ(q.tools[0]["function"]["name"], "get_weather");
  EXPECT_EQ(q.user, "u-1");
  EXPECT_EQ(q.ignored_fields, (std::vector<std::string>{"metadata", "store"}));
}

TEST(ChatRequest, LenientForms) {
  auto r = lantern::api::parse_chat_completion_request(chat_body(
      R"({"max_tokens": 5.0, "stop": "###", "seed": 18446744073709551615, "logprobs": true, "tools": []})"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().stop.max_tokens, 5);
  EXPECT_EQ(r.value().stop.stop, std::vector<std::string>{"###"});
  EXPECT_EQ(r.value().sampling.seed, 18446744073709551615ull);
  EXPECT_EQ(r.value().sampling.logprobs, 0);  // logprobs without top_logprobs: the chosen token only
  EXPECT_TRUE(r.value().tools.is_null());
  auto same = lantern::api::parse_chat_completion_request(chat_body(R"({"max_tokens": 7, "max_completion_tokens": 7})"));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same.value().stop.max_tokens, 7);
  // The nlohmann::json overload gives the same result.
  auto plain = lantern::api::parse_chat_completion_request(
      nlohmann::json::parse(R"({"messages": [{"role": "user", "content": "x"}], "top_k": 3})"));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain.value().sampling.top_k, 3);
}

TEST(CompletionRequest, PromptFormsAndDefaults) {
  auto parse = [](const char* body, const RequestLimits& l = {}) {
    return lantern::api::parse_completion_request(ordered_json::parse(body), l);
  };
  auto r = parse(R"({"prompt": "Once upon a time"})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().prompt, "Once upon a time");
  EXPECT_FALSE(r.value().prompt_is_tokens);
  EXPECT_EQ(r.value().stop.max_tokens, 16);  // OpenAI's default for /v1/completions
  EXPECT_EQ(r.value().sampling.logprobs, -1);
  r = parse(R"({"prompt": ["only one"], "max_tokens": 3, "logprobs": 2, "echo": false, "suffix": "", "best_of": 1})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().prompt, "only one");
  EXPECT_EQ(r.value().stop.max_tokens, 3);
  EXPECT_EQ(r.value().sampling.logprobs, 2);
  r = parse(R"({"prompt": [1, 15043, 2]})");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().prompt_is_tokens);
  EXPECT_EQ(r.value().prompt_tokens, (std::vector<int32_t>{1, 15043, 2}));
  r = parse(R"({"prompt": [[7, 8]]})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().prompt_tokens, (std::vector<int32_t>{7, 8}));
}

TEST(CompletionRequest, InvalidShapes) {
  struct Case {
    const char* body;
    const char* code;
    const char* param;
  } cases[] = {
      {R"({})", "missing_required_parameter", "prompt"},
      {R"({"prompt": null})", "missing_required_parameter", "prompt"},
      {R"({"prompt": 5})", "invalid_type", "prompt"},
      {R"({"prompt": []})", "invalid_value", "prompt"},
      {R"({"prompt": ["a", "b"]})", "unsupported_parameter", "prompt"},
      {R"({"prompt": [[1], [2]]})", "unsupported_parameter", "prompt"},
      {R"({"prompt": [1, -2]})", "invalid_value", "prompt[1]"},
      {R"({"prompt": [1, "x"]})", "invalid_type", "prompt[1]"},
      {R"({"prompt": [[1, 1.5]]})", "invalid_type", "prompt[0][1]"},
      {R"({"prompt": [true]})", "invalid_type", "prompt[0]"},
      {R"({"prompt": "x", "logprobs": 6})", "invalid_value", "logprobs"},
      {R"({"prompt": "x", "logprobs": true})", "invalid_type", "logprobs"},
      {R"({"prompt": "x", "echo": true})", "unsupported_parameter", "echo"},
      {R"({"prompt": "x", "suffix": "end"})", "unsupported_parameter", "suffix"},
      {R"({"prompt": "x", "best_of": 3})", "unsupported_parameter", "best_of"},
      {R"({"prompt": "x", "temperature": 9})", "invalid_value", "temperature"},
      {R"({"prompt": "x", "n": 3, "stream": true})", "invalid_value", "n"},
      {R"({"prompt": "x", "stream_options": {}})", "invalid_value", "stream_options"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    auto r = lantern::api::parse_completion_request(ordered_json::parse(c.body));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(*r.error().code, c.code) << r.error().message;
    EXPECT_EQ(*r.error().param, c.param) << r.error().message;
  }
  RequestLimits limits;
  limits.vocab_size = 10;
  auto r = lantern::api::parse_completion_request(ordered_json::parse(R"({"prompt": [9, 10]})"), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(*r.error().param, "prompt[1]");
  EXPECT_EQ(*lantern::api::parse_completion_request(std::string_view("{\"prompt\": ")).error().code, "invalid_json");
}

}  // namespace
