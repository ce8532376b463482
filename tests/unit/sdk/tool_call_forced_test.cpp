// tool_choice "required" and a named function, enforced by the call grammar
// (engine/tool_call_grammar.h): on models that know nothing of tools
// (stories260K, prompted format; a random-weight model with Qwen3's real
// vocabulary and template, Hermes format), every sampled reply is a call of
// an allowed function whose arguments validate under its parameters schema
// (python3-jsonschema), non-streamed and streamed, and the call goes back
// into the next turn through the model's template.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/completion_run.h"
#include "engine/engine.h"
#include "grammar/gbnf_compose.h"
#include "grammar/gbnf_parser.h"
#include "grammar/grammar_matcher.h"
#include "model_test_util.h"
#include "support/json_schema_check.h"
#include "support/test_paths.h"

using namespace lantern;
using Json = nlohmann::ordered_json;

namespace {

const Json kForcedTools = Json::parse(R"([
  {"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
   "parameters": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 20},
     "unit": {"enum": ["celsius", "fahrenheit"]}}, "required": ["city", "unit"]}}},
  {"type": "function", "function": {"name": "add", "parameters": {"type": "object",
   "properties": {"a": {"type": "integer", "minimum": -100, "maximum": 100}, "b": {"type": "integer"}},
   "required": ["a", "b"], "additionalProperties": false}}}
])");

Json schema_of(const std::string& name) {
  for (const auto& t : kForcedTools)
    if (t["function"]["name"] == name) return t["function"]["parameters"];
  return nullptr;
}

std::unique_ptr<Engine> load(const std::string& path, int32_t n_ctx) {
  EngineOptions o;
  o.n_ctx = n_ctx;
  return Engine::load_file(path, o);
}

// parallel: several calls may follow one another (a random model may go on
// to all 16 a forced reply allows: past max_tokens its last call is cut).
Json request(const Json& tool_choice, uint64_t seed, bool stream = false, bool parallel = false) {
  return {{"messages", Json::array({{{"role", "user"}, {"content", "What is the weather in Paris?"}}})},
          {"tools", kForcedTools},
          {"tool_choice", tool_choice},
          {"parallel_tool_calls", parallel},
          {"temperature", 1.0},
          {"seed", seed},
          {"max_tokens", 200},
          {"stream", stream}};
}

// The reply's calls (from the response, or joined from streamed deltas).
Json run(Engine& engine, const Json& body, Json* error = nullptr) {
  api::IdGenerator ids{11};
  auto r = CompletionRun::start(engine, CompletionRun::Kind::Chat, body, ids);
  if (!r) {
    if (error) *error = r.error().to_json();
    return nullptr;
  }
  auto& run = r.value();
  Json calls = Json::array();
  std::string finish;
  while (!run->done()) {
    for (const Json& chunk : run->step().chunks) {
      for (const Json& ch : chunk.value("choices", Json::array())) {
        if (ch.contains("finish_reason") && !ch["finish_reason"].is_null()) finish = ch["finish_reason"];
        for (const Json& d : ch["delta"].value("tool_calls", Json::array())) {
          const size_t i = d["index"];
          if (calls.size() <= i) calls.push_back({{"id", d.value("id", "")}, {"name", ""}, {"arguments", ""}});
          if (d.contains("function")) {
            calls[i]["name"] = calls[i]["name"].get<std::string>() + d["function"].value("name", "");
            calls[i]["arguments"] = calls[i]["arguments"].get<std::string>() + d["function"].value("arguments", "");
          }
        }
      }
    }
  }
  if (body.value("stream", false)) return {{"finish_reason", finish}, {"calls", calls}};
  const Json resp = run->response();
  Json out = {{"finish_reason", resp["choices"][0]["finish_reason"]}, {"calls", Json::array()}, {"message", resp["choices"][0]["message"]}};
  for (const Json& c : resp["choices"][0]["message"].value("tool_calls", Json::array()))
    out["calls"].push_back({{"id", c["id"]}, {"name", c["function"]["name"]}, {"arguments", c["function"]["arguments"]}});
  return out;
}

// Every reply: finish_reason tool_calls, calls of allowed functions, and
// arguments valid under their schema.
void check_forced(Engine& engine, const Json& tool_choice, const std::string& only, bool stream, bool parallel = false) {
  std::vector<test::SchemaCase> cases;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    const Json out = run(engine, request(tool_choice, seed, stream, parallel));
    SCOPED_TRACE(out.dump());
    Json calls = out["calls"];
    if (parallel && out["finish_reason"] == "length") {
      ASSERT_GE(calls.size(), 2u);  // whole calls, then one cut short
      calls.erase(calls.size() - 1);
    } else {
      EXPECT_EQ(out["finish_reason"], "tool_calls");
    }
    ASSERT_GE(calls.size(), 1u);
    if (!parallel) {
      EXPECT_EQ(calls.size(), 1u);
    }
    for (const Json& c : calls) {
      const std::string name = c["name"];
      if (!only.empty()) {
        EXPECT_EQ(name, only);
      }
      ASSERT_FALSE(schema_of(name).is_null()) << name;
      EXPECT_FALSE(c["id"].get<std::string>().empty());
      cases.push_back({schema_of(name), c["arguments"].get<std::string>()});
    }
  }
  const std::string scratch = std::filesystem::temp_directory_path() / "lantern_tool_calls";
  std::filesystem::create_directories(scratch);
  const auto verdicts = test::validate_with_jsonschema(cases, scratch);
  for (size_t i = 0; i < cases.size(); ++i) EXPECT_EQ(verdicts[i], "") << cases[i].instance;
}

}  // namespace

TEST(ForcedToolCalls, RequiredAndNamedOnAModelWithoutTools) {
  auto engine = load(test::stories260k(), 1024);
  check_forced(*engine, "required", "", false);
  check_forced(*engine, {{"type", "function"}, {"function", {{"name", "add"}}}}, "add", true);
}

TEST(ForcedToolCalls, QwenThreeTemplateRoundTrip) {
  std::ifstream f(test::source("fixtures/golden/real_vocab/qwen3.json"));
  const std::string path = test::build_generated_model(nlohmann::json::parse(f), "qwen3_tools");
  ASSERT_FALSE(path.empty());
  auto engine = load(path, 512);  // the model's own context
  check_forced(*engine, "required", "", true, /*parallel=*/true);
  check_forced(*engine, {{"type", "function"}, {"function", {{"name", "get_weather"}}}}, "get_weather", false);
  // The call and a result go back through the template for the next turn.
  const Json first = run(*engine, request("required", 3));
  ASSERT_EQ(first["finish_reason"], "tool_calls");
  Json body = request("auto", 4);
  body["messages"].push_back(first["message"]);
  body["messages"].push_back({{"role", "tool"}, {"tool_call_id", first["calls"][0]["id"]}, {"content", "{\"temp\": 21}"}});
  body["max_tokens"] = 8;
  Json error;
  const Json second = run(*engine, body, &error);
  EXPECT_TRUE(error.is_null()) << error.dump();
  EXPECT_FALSE(second.is_null());
}

TEST(ForcedToolCalls, BadParameterSchemasAndConflictsAreErrors) {
  auto engine = load(test::stories260k(), 1024);
  Json body = request("required", 1);
  body["tools"][1]["function"]["parameters"]["properties"]["a"]["uniqueItems"] = true;
  body["tools"][1]["function"]["parameters"]["properties"]["a"]["type"] = "array";
  Json error;
  run(*engine, body, &error);
  EXPECT_EQ(error["error"]["param"], "tools") << error.dump();
  EXPECT_NE(error["error"]["message"].get<std::string>().find("tools[1].function.parameters"), std::string::npos) << error.dump();
  body = request("required", 1);
  body["response_format"] = {{"type", "json_object"}};
  error = nullptr;
  run(*engine, body, &error);
  EXPECT_EQ(error["error"]["param"], "tool_choice") << error.dump();
}

TEST(GbnfCompose, PrefixesRuleNamesOnly) {
  const std::string g = "root ::= item{2,3} \"root x\" [a-z] # root here\nitem ::= \"\\\"a\\\"\" | [\\]root]";
  const std::string p = grammar::prefix_gbnf_rules(g, "t0-");
  EXPECT_EQ(p, "t0-root ::= t0-item{2,3} \"root x\" [a-z] # root here\nt0-item ::= \"\\\"a\\\"\" | [\\]root]");
  const std::string lit = grammar::gbnf_literal("<tool_call>\n{\"name\": \"f\\\\\"}\t\x01");
  const auto gr = grammar::parse_gbnf("root ::= " + lit);
  EXPECT_TRUE(grammar::grammar_accepts(gr, "<tool_call>\n{\"name\": \"f\\\\\"}\t\x01"));
}
