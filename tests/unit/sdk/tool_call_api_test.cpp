// Tool calls at the API: tool_choice and parallel_tool_calls in the request,
// message.tool_calls / finish_reason "tool_calls" / delta.tool_calls in the
// responses (OpenAI's exact shapes), and a whole request with tools on the
// CPU backend (stories260K: its template knows no tools, so the prompted
// format's instruction must reach the prompt; "none" leaves it out).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/chat_request.h"
#include "api/chat_response.h"
#include "api/json_body.h"
#include "engine/completion_run.h"
#include "engine/engine.h"
#include "support/test_paths.h"

using namespace lantern;
using Json = nlohmann::ordered_json;
using api::ToolChoice;

namespace {

const api::ResponseMeta kToolMeta{"chatcmpl-test123", 1700000000, "lantern-test", ""};

Json body(const char* patch) {
  Json b = Json::parse(R"({"messages": [{"role": "user", "content": "hi"}],
    "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
               "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]})");
  const Json p = Json::parse(patch);
  for (const auto& [k, v] : p.items()) b[k] = v;
  return b;
}

api::ChatCompletionRequest parse(const char* patch) {
  auto r = api::parse_chat_completion_request(body(patch));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : api::ChatCompletionRequest{};
}

}  // namespace

TEST(ToolCallApi, ToolChoiceAndParallelInTheRequest) {
  api::ChatCompletionRequest q = parse("{}");
  EXPECT_EQ(q.tool_choice.mode, ToolChoice::Mode::Auto);
  EXPECT_TRUE(q.parallel_tool_calls);
  EXPECT_EQ(parse(R"({"tool_choice": "none"})").tool_choice.mode, ToolChoice::Mode::None);
  EXPECT_EQ(parse(R"({"tool_choice": "auto"})").tool_choice.mode, ToolChoice::Mode::Auto);
  EXPECT_EQ(parse(R"({"tool_choice": "required"})").tool_choice.mode, ToolChoice::Mode::Required);
  q = parse(R"({"tool_choice": {"type": "function", "function": {"name": "get_weather"}}, "parallel_tool_calls": false})");
  EXPECT_EQ(q.tool_choice.mode, ToolChoice::Mode::Function);
  EXPECT_EQ(q.tool_choice.function, "get_weather");
  EXPECT_FALSE(q.parallel_tool_calls);
  EXPECT_TRUE(q.ignored_fields.empty());
  // "none" and "auto" need no tools (nothing to call either way).
  auto plain = api::parse_chat_completion_request(
      Json::parse(R"({"messages": [{"role": "user", "content": "hi"}], "tool_choice": "none"})"));
  EXPECT_TRUE(plain.ok());
}

TEST(ToolCallApi, MessageWithToolCalls) {
  api::ChatChoice c;
  c.finish_reason = api::FinishReason::ToolCalls;
  c.tool_calls = {{"call_abc", "get_weather", "{\"city\": \"Paris\"}"}, {"call_def", "now", "{}"}};
  EXPECT_EQ(api::dump_json(api::chat_completion_json(kToolMeta, {c}, api::Usage{1, 2})["choices"][0]),
            R"({"index":0,"message":{"role":"assistant","content":null,"refusal":null,"tool_calls":[)"
            R"({"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}},)"
            R"({"id":"call_def","type":"function","function":{"name":"now","arguments":"{}"}}]},)"
            R"("logprobs":null,"finish_reason":"tool_calls"})");
  // Text before the calls stays the content.
  c.content = "Checking.";
  EXPECT_EQ(api::chat_completion_json(kToolMeta, {c}, api::Usage{})["choices"][0]["message"]["content"], "Checking.");
  // No calls: the content is a string even when empty, and no tool_calls key.
  api::ChatChoice plain;
  const Json m = api::chat_completion_json(kToolMeta, {plain}, api::Usage{})["choices"][0]["message"];
  EXPECT_EQ(m["content"], "");
  EXPECT_FALSE(m.contains("tool_calls"));
}

TEST(ToolCallApi, StreamChunksForParserEvents) {
  std::vector<ToolCallEvent> events(4);
  events[0].text = "Checking.";
  events[1].kind = ToolCallEvent::Kind::CallStart;
  events[1].id = "call_abc";
  events[1].name = "get_weather";
  events[2].kind = ToolCallEvent::Kind::Arguments;
  events[2].text = "{\"city\": ";
  events[3].kind = ToolCallEvent::Kind::Arguments;
  events[3].index = 1;
  events[3].text = "{}";
  std::vector<api::TokenLogprobInfo> lps = {{"x", -0.5f, {}}};
  const auto chunks = api::chat_chunks_for_tool_events(kToolMeta, 0, events, &lps, false);
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(api::dump_json(chunks[0]["choices"][0]["delta"]), R"({"content":"Checking."})");
  EXPECT_FALSE(chunks[0]["choices"][0]["logprobs"].is_null());  // the step's logprobs on its first chunk
  EXPECT_EQ(api::dump_json(chunks[1]["choices"][0]),
            R"({"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_abc","type":"function",)"
            R"("function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null})");
  EXPECT_EQ(api::dump_json(chunks[2]["choices"][0]["delta"]),
            R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"city\": "}}]})");
  EXPECT_EQ(api::dump_json(chunks[3]["choices"][0]["delta"]), R"({"tool_calls":[{"index":1,"function":{"arguments":"{}"}}]})");
  EXPECT_EQ(chunks[3]["object"], "chat.completion.chunk");
  // A step whose text is all held back still reports its logprobs.
  const auto held = api::chat_chunks_for_tool_events(kToolMeta, 0, {}, &lps, true);
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0]["choices"][0]["delta"]["content"], "");
  EXPECT_TRUE(held[0].contains("usage"));
  EXPECT_TRUE(api::chat_chunks_for_tool_events(kToolMeta, 0, {}, nullptr, false).empty());
  EXPECT_EQ(api::dump_json(api::chat_chunk_finish(kToolMeta, 0, api::FinishReason::ToolCalls, false)["choices"][0]),
            R"({"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"})");
}

namespace {

struct ToolCallRunner {
  std::unique_ptr<Engine> engine = Engine::load_file(test::stories260k(), [] {
    EngineOptions o;
    o.n_ctx = 1024;
    return o;
  }());
  api::IdGenerator ids{7};

  std::unique_ptr<CompletionRun> start(const Json& b) {
    auto r = CompletionRun::start(*engine, CompletionRun::Kind::Chat, b, ids);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? std::move(r.value()) : nullptr;
  }
  std::vector<Json> run(CompletionRun& run) {
    std::vector<Json> chunks;
    for (int guard = 0; !run.done() && guard < 10000; ++guard) {
      for (auto& c : run.step().chunks) chunks.push_back(std::move(c));
    }
    return chunks;
  }
};

}  // namespace

TEST(ToolCallApi, RequestWithToolsRunsEndToEnd) {
  ToolCallRunner r;
  auto with = r.start(body(R"({"max_tokens": 12, "temperature": 0})"));
  ASSERT_TRUE(with);
  const std::string prompt = r.engine->tokenizer().decode(with->prompt_tokens());
  EXPECT_NE(prompt.find("get_weather"), std::string::npos) << prompt;
  EXPECT_NE(prompt.find("Weather in a city"), std::string::npos);
  EXPECT_NE(prompt.find("<tool_call>"), std::string::npos);  // the prompted format's instruction
  r.run(*with);
  const Json& resp = with->response();
  const Json& msg = resp["choices"][0]["message"];
  // Random-weight noise holds no call: the text is the content, as without tools.
  EXPECT_TRUE(msg["content"].is_string());
  EXPECT_FALSE(msg.contains("tool_calls"));
  EXPECT_EQ(resp["choices"][0]["finish_reason"], "length");

  auto none = r.start(body(R"({"max_tokens": 12, "temperature": 0, "tool_choice": "none"})"));
  ASSERT_TRUE(none);
  const std::string plain = r.engine->tokenizer().decode(none->prompt_tokens());
  EXPECT_EQ(plain.find("get_weather"), std::string::npos) << plain;
  r.run(*none);
  // Same greedy text either way once no call is in it.
  auto stream = r.start(body(R"({"max_tokens": 12, "temperature": 0, "stream": true})"));
  ASSERT_TRUE(stream);
  std::string streamed;
  for (const Json& c : r.run(*stream)) {
    const Json& d = c["choices"][0]["delta"];
    EXPECT_FALSE(d.contains("tool_calls"));
    if (d.contains("content")) streamed += d["content"].get<std::string>();
  }
  EXPECT_EQ(streamed, msg["content"].get<std::string>());
}
