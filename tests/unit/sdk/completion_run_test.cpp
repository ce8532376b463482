// One OpenAI request end to end on the CPU backend with the real stories260K
// model: streamed chunks concatenate to the non-streamed answer, n choices,
// usage, logprobs, errors as OpenAI error objects.
#include "engine/completion_run.h"

#include <gtest/gtest.h>

#include "engine/engine.h"
#include "grammar/gbnf_parser.h"
#include "grammar/grammar_matcher.h"
#include "grammar/json_schema_grammar.h"
#include "support/test_paths.h"

using namespace lantern;
using Json = nlohmann::ordered_json;

namespace {

struct CompletionRunner {
  std::unique_ptr<Engine> engine = Engine::load_file(test::stories260k(), [] {
    EngineOptions o;
    o.n_ctx = 256;
    return o;
  }());
  api::IdGenerator ids{42};

  // Runs to the end; returns the stream chunks (or the response as one chunk).
  std::vector<Json> run(CompletionRun::Kind kind, const Json& body, Json* error = nullptr) {
    auto r = CompletionRun::start(*engine, kind, body, ids);
    if (!r) {
      if (error) *error = r.error().to_json();
      return {};
    }
    auto& run = r.value();
    std::vector<Json> chunks;
    for (int guard = 0; !run->done() && guard < 10000; ++guard) {
      auto s = run->step();
      for (auto& c : s.chunks) chunks.push_back(c);
    }
    EXPECT_TRUE(run->done());
    if (!body.value("stream", false)) chunks.push_back(run->response());
    return chunks;
  }
};

Json chat(std::string user, Json extra = Json::object()) {
  Json b = {{"messages", Json::array({{{"role", "user"}, {"content", user}}})}};
  for (auto& [k, v] : extra.items()) b[k] = v;
  return b;
}

}  // namespace

TEST(CompletionRun, StreamedDeltasConcatenateToTheNonStreamedAnswer) {
  CompletionRunner r;
  const auto whole = r.run(CompletionRun::Kind::Chat, chat("Once upon a time", {{"max_tokens", 40}, {"temperature", 0}}));
  ASSERT_EQ(whole.size(), 1u);
  const Json& resp = whole[0];
  EXPECT_EQ(resp["object"], "chat.completion");
  const std::string text = resp["choices"][0]["message"]["content"];
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(resp["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(resp["usage"]["completion_tokens"], 40);

  const auto chunks = r.run(CompletionRun::Kind::Chat,
                            chat("Once upon a time", {{"max_tokens", 40}, {"temperature", 0}, {"stream", true},
                                                      {"stream_options", {{"include_usage", true}}}}));
  ASSERT_GE(chunks.size(), 4u);
  EXPECT_EQ(chunks.front()["choices"][0]["delta"]["role"], "assistant");
  std::string streamed;
  int content_chunks = 0;
  for (const auto& c : chunks) {
    EXPECT_EQ(c["object"], "chat.completion.chunk");
    if (!c["choices"].empty() && c["choices"][0]["delta"].contains("content")) {
      streamed += c["choices"][0]["delta"]["content"].get<std::string>();
      ++content_chunks;
    }
  }
  EXPECT_EQ(streamed, text);
  EXPECT_GT(content_chunks, 10);  // incremental, not one blob
  const Json& finish = chunks[chunks.size() - 2];
  EXPECT_EQ(finish["choices"][0]["finish_reason"], "length");
  const Json& usage = chunks.back();
  EXPECT_TRUE(usage["choices"].empty());
  EXPECT_EQ(usage["usage"]["completion_tokens"], 40);
  EXPECT_EQ(usage["usage"]["prompt_tokens"], resp["usage"]["prompt_tokens"]);
  EXPECT_GT(usage["usage"]["extra"]["decode_tokens_per_s"].get<double>(), 0.0);
}

TEST(CompletionRun, SecondTurnReusesTheCachedPrefix) {
  CompletionRunner r;
  r.run(CompletionRun::Kind::Chat, chat("Once upon a time", {{"max_tokens", 8}, {"temperature", 0}}));
  Json body = chat("Once upon a time", {{"max_tokens", 8}, {"temperature", 0}});
  body["messages"].push_back({{"role", "assistant"}, {"content", "there was a dog."}});
  body["messages"].push_back({{"role", "user"}, {"content", "What next?"}});
  const auto out = r.run(CompletionRun::Kind::Chat, body);
  EXPECT_GT(out[0]["usage"]["extra"]["cached_prompt_tokens"].get<int>(), 3);
}

TEST(CompletionRun, SeveralChoicesAndLogprobs) {
  CompletionRunner r;
  const auto out = r.run(CompletionRun::Kind::Chat, chat("The dog", {{"max_tokens", 6}, {"n", 3}, {"seed", 7},
                                                                      {"logprobs", true}, {"top_logprobs", 2}}));
  const Json& resp = out[0];
  ASSERT_EQ(resp["choices"].size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(resp["choices"][i]["index"], i);
    const auto& lp = resp["choices"][i]["logprobs"]["content"];
    ASSERT_EQ(lp.size(), 6u);
    EXPECT_LE(lp[0]["logprob"].get<double>(), 0.0);
    EXPECT_EQ(lp[0]["top_logprobs"].size(), 2u);
  }
  EXPECT_EQ(resp["usage"]["completion_tokens"], 18);
}

TEST(CompletionRun, RawCompletionWithStopString) {
  CompletionRunner r;
  const auto out = r.run(CompletionRun::Kind::Completion,
                         {{"prompt", "Once upon a time"}, {"max_tokens", 64}, {"temperature", 0}, {"stop", "Lily"}});
  const Json& resp = out[0];
  EXPECT_EQ(resp["object"], "text_completion");
  EXPECT_EQ(resp["choices"][0]["text"], ", there was a little girl named ");
  EXPECT_EQ(resp["choices"][0]["finish_reason"], "stop");
}

TEST(CompletionRun, ErrorsAreOpenAiErrorObjects) {
  CompletionRunner r;
  Json err;
  EXPECT_TRUE(r.run(CompletionRun::Kind::Chat, {{"messages", Json::array()}}, &err).empty());
  EXPECT_EQ(err["error"]["type"], "invalid_request_error");
  r.run(CompletionRun::Kind::Chat, chat("hi", {{"max_tokens", -3}}), &err);
  EXPECT_EQ(err["error"]["param"], "max_tokens");
  r.run(CompletionRun::Kind::Chat, chat(std::string(2000, 'a'), {{"max_tokens", 10}}), &err);
  EXPECT_EQ(err["error"]["code"], "context_length_exceeded");
  r.run(CompletionRun::Kind::Chat, chat("hi", {{"max_tokens", 250}}), &err);
  EXPECT_EQ(err["error"]["code"], "context_length_exceeded");
}

TEST(CompletionRun, InterruptEndsWithAbortAndTheNextRequestWorks) {
  CompletionRunner r;
  auto started = CompletionRun::start(*r.engine, CompletionRun::Kind::Chat, chat("Once", {{"max_tokens", 50}}), r.ids);
  ASSERT_TRUE(started);
  auto& run = started.value();
  run->step();
  run->step();
  run->interrupt();
  for (int i = 0; i < 10 && !run->done(); ++i) run->step();
  ASSERT_TRUE(run->done());
  EXPECT_EQ(run->response()["choices"][0]["finish_reason"], "abort");
  const auto next = r.run(CompletionRun::Kind::Chat, chat("Once", {{"max_tokens", 5}, {"temperature", 0}}));
  EXPECT_EQ(next[0]["usage"]["completion_tokens"], 5);
}

TEST(CompletionRun, ReturnTokenIdsGivesThePromptAndEachChoicesTokens) {
  CompletionRunner r;
  const Json body = {{"prompt", "Once upon a time"}, {"max_tokens", 12}, {"temperature", 0}, {"return_token_ids", true}};
  const Json resp = r.run(CompletionRun::Kind::Completion, body)[0];
  EXPECT_EQ(resp["prompt_token_ids"].get<std::vector<int32_t>>(), r.engine->tokenizer().encode("Once upon a time", true, false));
  const auto ids = resp["choices"][0]["token_ids"].get<std::vector<int32_t>>();
  ASSERT_EQ(ids.size(), 12u);
  std::string decoded;
  for (int32_t id : ids) decoded += r.engine->tokenizer().token_to_piece(id, false);
  EXPECT_EQ(decoded, resp["choices"][0]["text"]);
  // Streamed: the finish chunk carries the same ids; without the flag, nothing.
  Json streamed = body;
  streamed["stream"] = true;
  const auto chunks = r.run(CompletionRun::Kind::Completion, streamed);
  ASSERT_FALSE(chunks.empty());
  EXPECT_EQ(chunks.back()["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(chunks.back()["choices"][0]["token_ids"].get<std::vector<int32_t>>(), ids);
  EXPECT_EQ(chunks.back()["prompt_token_ids"], resp["prompt_token_ids"]);
  Json plain = body;
  plain.erase("return_token_ids");
  const Json without = r.run(CompletionRun::Kind::Completion, plain)[0];
  EXPECT_FALSE(without.contains("prompt_token_ids"));
  EXPECT_FALSE(without["choices"][0].contains("token_ids"));
}

TEST(CompletionRun, JsonObjectResponseFormatGivesOneJsonObject) {
  CompletionRunner r;
  // stories260K knows nothing of JSON: the constraint alone makes it valid.
  for (const Json& extra : {Json{{"temperature", 0}}, Json{{"temperature", 1}, {"seed", 5}, {"top_k", 40}}}) {
    Json body = chat("Tell me about a cat as JSON", {{"max_tokens", 120}, {"response_format", {{"type", "json_object"}}}});
    for (auto& [k, v] : extra.items()) body[k] = v;
    const Json resp = r.run(CompletionRun::Kind::Chat, body)[0];
    const std::string text = resp["choices"][0]["message"]["content"];
    SCOPED_TRACE(text);
    const size_t open = text.find_first_not_of(" \t\r\n");
    ASSERT_NE(open, std::string::npos);
    EXPECT_EQ('{', text[open]);
    if (resp["choices"][0]["finish_reason"] == "stop") {
      const Json parsed = Json::parse(text);  // throws if it is not JSON
      EXPECT_TRUE(parsed.is_object());
    } else {
      EXPECT_EQ(resp["choices"][0]["finish_reason"], "length");  // cut by max_tokens: a prefix
      grammar::GrammarMatcher m(std::make_shared<grammar::Grammar>(
          grammar::parse_gbnf(grammar::json_schema_to_gbnf(Json{{"type", "object"}}))));
      EXPECT_TRUE(m.accept(text));
    }
  }
  // Without the constraint the same request is not JSON.
  const Json plain = r.run(CompletionRun::Kind::Chat, chat("Tell me about a cat as JSON", {{"max_tokens", 40}, {"temperature", 0}}))[0];
  EXPECT_THROW(Json::parse(plain["choices"][0]["message"]["content"].get<std::string>()), Json::parse_error);
}
