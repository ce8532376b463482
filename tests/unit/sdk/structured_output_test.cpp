// Constrained output end to end: OpenAI requests with response_format
// json_schema / json_object / grammar through CompletionRun on stories260K (a
// real model that knows nothing of JSON, so only the grammar makes its output
// valid), sampled with many seeds; every finished answer must validate under
// a real JSON Schema validator (tests/support/json_schema_check.h).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>

#include "engine/completion_run.h"
#include "engine/engine.h"
#include "grammar/gbnf_parser.h"
#include "grammar/grammar_matcher.h"
#include "model_test_util.h"
#include "support/json_schema_check.h"
#include "support/test_paths.h"

using namespace lantern;
using Json = nlohmann::ordered_json;

namespace {

struct StructuredRunner {
  std::unique_ptr<Engine> engine = Engine::load_file(test::stories260k(), [] {
    EngineOptions o;
    o.n_ctx = 512;
    return o;
  }());
  api::IdGenerator ids{7};

  Json run(const Json& body, Json* error = nullptr) {
    auto r = CompletionRun::start(*engine, CompletionRun::Kind::Chat, body, ids);
    if (!r) {
      if (error) *error = r.error().to_json();
      return {};
    }
    auto& run = r.value();
    for (int guard = 0; !run->done() && guard < 100000; ++guard) run->step();
    return run->response();
  }
};

Json chat(const Json& response_format, uint64_t seed, int max_tokens = 300) {
  return {{"messages", Json::array({{{"role", "user"}, {"content", "Tell me about a cat."}}})},
          {"response_format", response_format},
          {"temperature", 1.0},
          {"seed", seed},
          {"max_tokens", max_tokens}};
}

const Json kSchemas = Json::parse(R"([
  {"type": "object", "properties": {"name": {"type": "string", "maxLength": 12}, "age": {"type": "integer", "minimum": 0, "maximum": 30},
   "color": {"enum": ["black", "white", "ginger"]}, "indoor": {"type": "boolean"}}, "required": ["name", "age", "color", "indoor"]},
  {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]{1,8}$"}, "minItems": 1, "maxItems": 3},
   "born": {"type": "string", "format": "date"}, "id": {"type": "string", "format": "uuid"}}, "required": ["tags", "born", "id"],
   "additionalProperties": false},
  {"$defs": {"node": {"type": "object", "properties": {"v": {"type": "integer", "minimum": -5, "maximum": 5},
   "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}, "maxItems": 2}}, "required": ["v", "kids"]}}, "$ref": "#/$defs/node"},
  {"anyOf": [{"type": "null"}, {"type": "object", "properties": {"x": {"type": "number"}, "y": {"const": "fixed"}}, "required": ["x", "y"]}]},
  {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string", "minLength": 2, "maxLength": 4}], "items": false}
])");

}  // namespace

TEST(StructuredOutput, JsonSchemaAnswersValidateForEverySeed) {
  StructuredRunner r;
  std::vector<test::SchemaCase> cases;
  int finished = 0, total = 0;
  for (const Json& schema : kSchemas) {
    const Json rf = {{"type", "json_schema"}, {"json_schema", {{"name", "cat"}, {"schema", schema}, {"strict", true}}}};
    for (uint64_t seed = 1; seed <= 10; ++seed) {
      const Json resp = r.run(chat(rf, seed));
      ASSERT_TRUE(resp.contains("choices")) << resp.dump();
      const Json& choice = resp["choices"][0];
      ++total;
      if (choice["finish_reason"] != "stop") continue;  // cut by max_tokens: a prefix, checked below
      ++finished;
      cases.push_back({schema, choice["message"]["content"].get<std::string>()});
    }
  }
  const std::string scratch = std::filesystem::temp_directory_path() / "lantern_structured_output";
  std::filesystem::create_directories(scratch);
  const std::vector<std::string> verdicts = test::validate_with_jsonschema(cases, scratch);
  ASSERT_EQ(verdicts.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(verdicts[i], "") << "schema " << cases[i].schema.dump() << "\nanswer " << cases[i].instance;
  }
  // Bounded whitespace and lengths make a random walk end: most answers finish.
  EXPECT_GE(finished * 10, total * 8) << finished << " of " << total << " answers finished";
  std::printf("%d of %d answers finished within max_tokens; all %zu validate\n", finished, total, cases.size());
}

TEST(StructuredOutput, GreedyAndJsonObjectAndGbnfShapes) {
  StructuredRunner r;
  // json_object: one JSON object, greedy and sampled.
  for (uint64_t seed : {0ull, 3ull}) {
    Json body = chat({{"type", "json_object"}}, seed, 200);
    if (seed == 0) body["temperature"] = 0;
    const Json resp = r.run(body);
    const std::string text = resp["choices"][0]["message"]["content"];
    if (resp["choices"][0]["finish_reason"] == "stop") {
      EXPECT_TRUE(Json::parse(text).is_object()) << text;
    }
  }
  // WebLLM's shapes: json_object with a schema string, and a grammar type.
  const Json webllm = r.run(chat({{"type", "json_object"}, {"schema", R"({"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]})"}}, 4));
  ASSERT_EQ(webllm["choices"][0]["finish_reason"], "stop") << webllm.dump();
  EXPECT_TRUE(Json::parse(webllm["choices"][0]["message"]["content"].get<std::string>()).at("ok").is_boolean()) << webllm.dump();
  const Json g = r.run(chat({{"type", "grammar"}, {"grammar", "root ::= (\"yes\" | \"no\") \", \" [0-9]{2}"}}, 5));
  EXPECT_TRUE(std::regex_match(g["choices"][0]["message"]["content"].get<std::string>(), std::regex("(yes|no), [0-9]{2}")))
      << g.dump();
  // llama-server's top-level GBNF grammar, on a completion too.
  Json body = chat({{"type", "text"}}, 6);
  body["grammar"] = "root ::= \"[\" [a-z]{1,8} (\",\" [a-z]{1,8}){2} \"]\"";
  const Json top = r.run(body);
  EXPECT_TRUE(std::regex_match(top["choices"][0]["message"]["content"].get<std::string>(), std::regex("\\[[a-z]{1,8}(,[a-z]{1,8}){2}\\]")))
      << top.dump();
}

TEST(StructuredOutput, BadSchemasAndGrammarsAreErrorsNamingTheField) {
  StructuredRunner r;
  auto error_of = [&](const Json& body) {
    Json err;
    r.run(body, &err);
    return err;
  };
  Json e = error_of(chat({{"type", "json_schema"}, {"json_schema", {{"name", "x"}, {"schema", {{"type", "array"}, {"uniqueItems", true}}}}}}, 1));
  EXPECT_EQ(e["error"]["param"], "response_format.json_schema.schema") << e.dump();
  EXPECT_NE(e["error"]["message"].get<std::string>().find("uniqueItems"), std::string::npos) << e.dump();
  e = error_of(chat({{"type", "grammar"}, {"grammar", "root ::= root \"x\" | \"y\""}}, 1));
  EXPECT_EQ(e["error"]["param"], "response_format.grammar");
  EXPECT_NE(e["error"]["message"].get<std::string>().find("left-recursive"), std::string::npos) << e.dump();
  Json body = chat({{"type", "text"}}, 1);
  body["grammar"] = "root ::= [a-";
  e = error_of(body);
  EXPECT_EQ(e["error"]["param"], "grammar") << e.dump();
  e = error_of(chat({{"type", "json_schema"}, {"json_schema", {{"schema", {{"type", "object"}}}}}}, 1));
  EXPECT_EQ(e["error"]["param"], "response_format.json_schema.name") << e.dump();
  // 1,000-deep nesting and a 10 MB schema: refused quickly, no crash.
  Json deep = Json::object();
  for (int i = 0; i < 1000; ++i) deep = Json{{"type", "array"}, {"items", deep}};
  e = error_of(chat({{"type", "json_schema"}, {"json_schema", {{"name", "d"}, {"schema", deep}}}}, 1));
  EXPECT_TRUE(e.contains("error")) << e.dump().substr(0, 300);
  // A 10 MB schema (WebLLM's string form): 380,000 properties, refused
  // before nlohmann parses it (its ordered objects would make that
  // quadratic: api/json_body.h).
  std::string big = "{\"type\":\"object\",\"properties\":{";
  for (int i = 0; i < 380000; ++i) big += (i ? ",\"p" : "\"p") + std::to_string(i) + "\":{\"type\":\"string\"}";
  big += "}}";
  ASSERT_GT(big.size(), 10u << 20);
  const auto t0 = std::chrono::steady_clock::now();
  e = error_of(chat({{"type", "json_object"}, {"schema", big}}, 1));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  EXPECT_EQ(e["error"]["param"], "response_format.schema") << e.dump().substr(0, 300);
  EXPECT_NE(e["error"]["message"].get<std::string>().find("members"), std::string::npos) << e.dump().substr(0, 300);
}

// Jump-forward is counted: a key the schema fixes is taken as forced tokens
// (no decode step each), reported in usage.extra, never the whole answer. A
// byte-level BPE vocabulary (Qwen3's): with SentencePiece ones jump-forward
// stands aside (their spelling of a text is not always the tokenizer's).
TEST(StructuredOutput, ForcedTokensAreReportedInUsage) {
  std::ifstream f(test::source("fixtures/golden/real_vocab/qwen3.json"));
  const std::string path = test::build_generated_model(nlohmann::json::parse(f), "qwen3_forced");
  ASSERT_FALSE(path.empty());
  StructuredRunner r;
  r.engine = Engine::load_file(path, EngineOptions{});
  const Json schema = Json::parse(R"({"type": "object", "properties": {"the_one_and_only_property_name": {"type": "boolean"}},
    "required": ["the_one_and_only_property_name"], "additionalProperties": false})");
  Json body = chat({{"type", "json_schema"}, {"json_schema", {{"name", "one"}, {"schema", schema}}}}, 3, 40);
  const Json resp = r.run(body);
  ASSERT_TRUE(resp.is_object()) << resp.dump();
  const std::string text = resp["choices"][0]["message"]["content"];
  ASSERT_EQ(resp["choices"][0]["finish_reason"], "stop") << text;
  EXPECT_TRUE(Json::parse(text).contains("the_one_and_only_property_name")) << text;
  const int forced = resp["usage"]["extra"]["grammar_forced_tokens"].get<int>();
  EXPECT_GE(forced, 3) << text;  // the key: several tokens in any vocabulary
  EXPECT_LT(forced, resp["usage"]["completion_tokens"].get<int>()) << text;  // true/false is sampled
  // Without a grammar nothing is forced.
  body.erase("response_format");
  EXPECT_EQ(0, r.run(body)["usage"]["extra"]["grammar_forced_tokens"].get<int>());
}
