// The JSON Schema Test Suite (Debian's json-schema-test-suite, draft 7:
// the newest draft that package has) against json_schema_to_gbnf. For every
// schema the converter accepts, the grammar must agree with the suite on
// every datum: a valid datum has a text the grammar accepts, an invalid one
// has none. "A text" because the grammar writes values one way (object
// properties in the schema's order, integral numbers without a fraction),
// so each datum is tried in every key order and number spelling (all the
// same JSON value). Schemas the converter refuses are counted, not failed.
//
// Skipped: optional/bignum.json (integers past 20 digits and numbers past
// the grammar's digit bounds are outside the grammar by design).
// Format tests run with formats asserted (as the converter does).
//
// Then the other direction, with a second validator: texts sampled from the
// grammars (random walks through the matcher) of the suite's schemas and of
// our own, validated by Debian's python3-jsonschema (Draft 7 or 2020-12,
// formats asserted; date-time and time by a check of our own, since
// Debian has no rfc3339-validator). Every sampled text must be JSON and
// valid, and no walk may reach a prefix that cannot be completed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "grammar/gbnf_parser.h"
#include "grammar/grammar_matcher.h"
#include "grammar/json_schema_grammar.h"

namespace lantern::grammar {
namespace {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

const fs::path kSuite = "/usr/share/json-schema-test-suite/tests/draft7";

// Every text of the same JSON value: key orders, and integral numbers with
// and without ".0". False when there would be more than `cap`.
bool spellings(const Json& v, size_t cap, std::vector<std::string>& out) {
  out.clear();
  if (v.is_number()) {
    out.push_back(v.dump());
    if (v.is_number_float()) {
      double d = v.get<double>();
      if (d == static_cast<double>(static_cast<long long>(d)) && std::abs(d) < 1e17) {
        out.push_back(std::to_string(static_cast<long long>(d)));
      }
    } else {
      out.push_back(v.dump() + ".0");
    }
    return true;
  }
  if (v.is_array() || v.is_object()) {
    std::vector<std::string> keys;
    std::vector<std::vector<std::string>> parts;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (v.is_object()) keys.push_back(Json(it.key()).dump());
      std::vector<std::string> s;
      if (!spellings(it.value(), cap, s)) return false;
      parts.push_back(std::move(s));
    }
    std::vector<size_t> order(parts.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    do {
      // The product of the members' spellings in this order.
      std::vector<std::string> acc{""};
      for (size_t k = 0; k < order.size(); ++k) {
        std::vector<std::string> next;
        for (const std::string& a : acc) {
          for (const std::string& b : parts[order[k]]) {
            next.push_back(a + (k ? "," : "") + (v.is_object() ? keys[order[k]] + ":" : "") + b);
            if (next.size() + out.size() > cap) return false;
          }
        }
        acc = std::move(next);
      }
      for (std::string& a : acc) out.push_back(v.is_object() ? "{" + a + "}" : "[" + a + "]");
      if (out.size() > cap) return false;
    } while (v.is_object() && std::next_permutation(order.begin(), order.end()));
    return true;
  }
  out.push_back(v.dump());
  return true;
}

struct Tally {
  int cases = 0, refused = 0, data = 0, skipped = 0;
};

std::vector<fs::path> suite_files() {
  std::vector<fs::path> files;
  for (const auto& dir : {kSuite, kSuite / "optional", kSuite / "optional" / "format"}) {
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() != ".json" || e.path().filename() == "bignum.json") continue;
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

struct Sampled {
  std::string id;
  Json schema;
  std::string text;
};

// A random walk through the grammar: mostly ASCII, ending soon where it may.
// nullopt when it runs past max_len; a dead end fails the test.
std::optional<std::string> sample(const Grammar& g, std::mt19937& rng, size_t max_len) {
  GrammarMatcher m(std::shared_ptr<const Grammar>(&g, [](const Grammar*) {}));
  std::string out;
  while (out.size() < max_len) {
    if (m.can_end() && (m.finished() || rng() % 6 == 0)) return out;
    GrammarStepper stepper(g, m.arena());
    ByteSet next = stepper.next_bytes(m.state());
    std::vector<uint8_t> closing, plain, any;
    for (int b = 0; b < 256; ++b) {
      if (!next[b]) continue;
      any.push_back(static_cast<uint8_t>(b));
      if (b == '"' || b == '}' || b == ']') closing.push_back(static_cast<uint8_t>(b));
      if (b >= 0x20 && b < 0x7F && b != '\\') plain.push_back(static_cast<uint8_t>(b));
    }
    if (any.empty()) {
      ADD_FAILURE() << "dead end after " << out;
      return std::nullopt;
    }
    const std::vector<uint8_t>& from =
        !closing.empty() && rng() % 4 == 0 ? closing : !plain.empty() && rng() % 16 != 0 ? plain : any;
    uint8_t b = from[rng() % from.size()];
    out += static_cast<char>(b);
    if (!m.accept(std::string_view(&out.back(), 1))) {
      ADD_FAILURE() << "the matcher refused a byte it offered";
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void sample_into(const Json& schema, const JsonSchemaOptions& opts, const std::string& id, int count,
                 std::vector<Sampled>& out) {
  Grammar g = parse_gbnf(json_schema_to_gbnf(schema, opts), opts.limits);
  std::mt19937 rng(static_cast<uint32_t>(std::hash<std::string>()(id)));
  for (int k = 0, tries = 0; k < count && tries < 20 * count; ++tries) {
    if (auto text = sample(g, rng, 300)) {
      out.push_back(Sampled{id + "#" + std::to_string(k), schema, *text});
      ++k;
    }
  }
}

// exact: additionalProperties default as JSON Schema says, and agreement
// both ways; otherwise the strict default (closed objects) and only "what
// the grammar accepts is valid".
Tally run_suite(bool exact) {
  Tally t;
  std::vector<fs::path> files = suite_files();
  EXPECT_GE(files.size(), 50u) << "the JSON Schema Test Suite is missing: ci/setup.sh installs json-schema-test-suite";
  for (const fs::path& file : files) {
    std::ifstream in(file);
    Json cases = Json::parse(in);
    for (const Json& c : cases) {
      ++t.cases;
      Json schema = c["schema"];
      // Draft 7: the siblings of $ref are ignored.
      if (schema.is_object() && !schema.contains("$schema")) schema["$schema"] = "http://json-schema.org/draft-07/schema#";
      const std::string where = fs::relative(file, kSuite).string() + ": " + c["description"].get<std::string>();
      JsonSchemaOptions opts;
      if (exact) opts.additional_properties = true;
      std::optional<Grammar> g;
      try {
        g = parse_gbnf(json_schema_to_gbnf(schema, opts), opts.limits);
      } catch (const GrammarError& e) {
        ++t.refused;
        if (std::getenv("SUITE_VERBOSE")) std::cout << "refused " << where << ": " << e.what() << "\n";
        continue;
      }
      for (const Json& test : c["tests"]) {
        std::vector<std::string> texts;
        if (!spellings(test["data"], 5040, texts)) {
          ++t.skipped;
          continue;
        }
        ++t.data;
        const bool valid = test["valid"].get<bool>();
        std::string accepted;
        for (const std::string& s : texts) {
          if (grammar_accepts(*g, s)) {
            accepted = s;
            break;
          }
        }
        const std::string label = where + " / " + test["description"].get<std::string>() + ": " + test["data"].dump();
        if (!valid) {
          EXPECT_EQ(accepted, "") << label << " is invalid, but the grammar accepts it\n" << schema.dump();
        } else if (exact) {
          EXPECT_NE(accepted, "") << label << " is valid, but the grammar accepts no spelling of it\n"
                                  << schema.dump();
        }
      }
    }
  }
  return t;
}

TEST(JsonSchemaSuite, AcceptedSchemasAgreeWithTheSuiteOnEveryDatum) {
  Tally t = run_suite(true);
  std::cout << "[suite draft7] cases " << t.cases << ", refused " << t.refused << ", converted "
            << t.cases - t.refused << " with " << t.data << " data checked (" << t.skipped << " skipped)\n";
  // The converter must keep covering most of the suite's supported keywords.
  EXPECT_GE(t.cases - t.refused, 60);
  EXPECT_GE(t.data, 200);
}

TEST(JsonSchemaSuite, StrictDefaultsAcceptOnlyValidData) {
  Tally t = run_suite(false);
  std::cout << "[suite draft7, closed objects] cases " << t.cases << ", refused " << t.refused << ", data "
            << t.data << "\n";
}

// Validates each sampled text with python3-jsonschema; prints one line per
// failure.
const char* kValidator = R"PY(
import datetime, json, re, sys
import jsonschema

RFC3339_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)(\.\d+)?([Zz]|[+-](\d\d):(\d\d))$")

def is_time(s):
    if not isinstance(s, str):
        return True
    m = RFC3339_TIME.match(s)
    if not m:
        return False
    h, mi, se = int(m[1]), int(m[2]), int(m[3])
    if h > 23 or mi > 59 or se > 59:
        return False
    return m[6] is None or (int(m[6]) <= 23 and int(m[7]) <= 59)

def is_date_time(s):
    if not isinstance(s, str):
        return True
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)[Tt](.*)$", s, re.S)
    if not m:
        return False
    try:
        datetime.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return False
    return is_time(m[4])

def no_constants(name):
    raise ValueError("not JSON: " + name)

failures = 0
count = 0
for line in open(sys.argv[1], encoding="utf-8"):
    item = json.loads(line)
    count += 1
    try:
        value = json.loads(item["text"], parse_constant=no_constants)
    except ValueError as e:
        print("FAIL", item["id"], "not JSON:", repr(item["text"]), e)
        failures += 1
        continue
    schema = item["schema"]
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    checker = jsonschema.FormatChecker()
    checker.checks("date-time")(is_date_time)
    checker.checks("time")(is_time)
    errors = list(cls(schema, format_checker=checker).iter_errors(value))
    if errors:
        print("FAIL", item["id"], repr(item["text"]), "|", errors[0].message[:300])
        failures += 1
print("checked", count, "failed", failures)
)PY";

// Our own schemas, the shapes apps ask for (2020-12).
const char* kCorpus[] = {
    R"({"type":"object","properties":{"name":{"type":"string","minLength":1,"maxLength":12},
        "age":{"type":"integer","minimum":0,"maximum":150},"email":{"type":"string","format":"email"},
        "tags":{"type":"array","items":{"type":"string","pattern":"^[a-z]+$"},"maxItems":3}},
        "required":["name","age"]})",
    R"({"$defs":{"node":{"type":"object","properties":{"value":{"type":"integer"},
        "children":{"type":"array","items":{"$ref":"#/$defs/node"},"maxItems":2}},"required":["value"]}},
        "$ref":"#/$defs/node"})",
    R"({"anyOf":[{"type":"string","maxLength":3},{"type":"null"},{"type":"integer","exclusiveMinimum":-3,"exclusiveMaximum":3}]})",
    R"({"oneOf":[{"type":"object","properties":{"kind":{"const":"circle"},"r":{"type":"number","minimum":0}},
        "required":["kind","r"]},{"type":"object","properties":{"kind":{"const":"square"},"side":{"type":"number",
        "exclusiveMinimum":0,"maximum":10.5}},"required":["kind","side"]}]})",
    R"({"type":"number","minimum":-1.5,"exclusiveMaximum":2.25})",
    R"({"type":"number","exclusiveMinimum":0.001,"maximum":1})",
    R"({"type":"number","minimum":-100,"maximum":-99.99})",
    R"({"type":"integer","exclusiveMinimum":-1000,"maximum":987654})",
    R"({"type":"integer","minimum":9223372036854775000,"maximum":9223372036854775807})",
    R"({"type":"object","properties":{"d":{"type":"string","format":"date"},"t":{"type":"string","format":"time"},
        "dt":{"type":"string","format":"date-time"},"u":{"type":"string","format":"uuid"},
        "ip":{"type":"string","format":"ipv4"}},"required":["d","t","dt","u","ip"]})",
    R"({"enum":["a",1,null,{"x":[1,2]},2.5,true,"\"quoted\\"]})",
    R"({"type":"array","prefixItems":[{"type":"integer"},{"type":"string"}],"items":{"type":"boolean"},"minItems":1,"maxItems":4})",
    R"({"allOf":[{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]},
        {"properties":{"a":{"minimum":3},"b":{"type":"string"}}}]})",
    R"({"type":"object","properties":{"id":{"type":"integer"}},"additionalProperties":{"type":"string","maxLength":5}})",
    R"({"type":"string","pattern":"ab+c"})",
    R"({"type":"string","pattern":"^\\d{3}-\\d{4}$"})",
    R"({"type":"string","pattern":"^[^a-z]{2,5}$"})",
    R"({"type":"string","pattern":"^(cat|dog)s?$|^bird"})",
    R"({"type":"string","pattern":"^\\w+@\\w+\\.com$"})",
    R"({"type":"string","pattern":"^[\\s\\S]{0,4}\\.$"})",
    R"({"type":"string","minLength":2,"maxLength":4})",
    R"({})",
    R"({"type":"object","required":["x","y"],"properties":{"y":{"type":"boolean"}}})",
    R"({"type":["integer","string","null"],"minimum":5,"maxLength":2})",
    R"({"type":"object","properties":{"a":{"type":"integer"},"b":false,"c":{"enum":[1,2]}},"required":["c"]})",
    R"({"type":"array","items":{"anyOf":[{"type":"integer","minimum":10},{"type":"string","format":"date"}]},
        "minItems":2,"maxItems":3})",
};

// Runs kValidator over the samples; every one must be JSON and valid.
void expect_valid_under_python(const std::vector<Sampled>& samples, int schemas, size_t at_least) {
  const fs::path dir = fs::temp_directory_path() / ("lantern_schema_samples_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream out(dir / "samples.jsonl");
    for (const Sampled& s : samples) out << Json{{"id", s.id}, {"schema", s.schema}, {"text", s.text}}.dump() << "\n";
    std::ofstream(dir / "validate.py") << kValidator;
  }
  const std::string cmd = "/usr/bin/python3 " + (dir / "validate.py").string() + " " +
                          (dir / "samples.jsonl").string() + " > " + (dir / "result.txt").string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream res(dir / "result.txt");
  std::stringstream report;
  report << res.rdbuf();
  if (!std::getenv("KEEP_SAMPLES")) fs::remove_all(dir);
  ASSERT_EQ(rc, 0) << "python3-jsonschema (ci/setup.sh installs it) failed:\n" << report.str();
  const std::string r = report.str();
  const size_t tail = r.rfind("checked");
  std::cout << "[sampled] " << samples.size() << " texts from " << schemas << " grammars: "
            << (tail == std::string::npos ? r : r.substr(tail));
  EXPECT_EQ(r.find("FAIL"), std::string::npos) << r;
  EXPECT_NE(r.find("checked " + std::to_string(samples.size()) + " failed 0"), std::string::npos) << r;
  EXPECT_GE(samples.size(), at_least);
}

TEST(JsonSchemaSuite, SampledTextsValidateUnderPythonJsonschema) {
  std::vector<Sampled> samples;
  int schemas = 0;
  for (const fs::path& file : suite_files()) {
    std::ifstream in(file);
    Json cases = Json::parse(in);
    for (size_t i = 0; i < cases.size(); ++i) {
      Json schema = cases[i]["schema"];
      if (schema.is_object() && !schema.contains("$schema")) schema["$schema"] = "http://json-schema.org/draft-07/schema#";
      for (int exact = 0; exact < 2; ++exact) {
        JsonSchemaOptions opts;
        if (exact) opts.additional_properties = true;
        try {
          sample_into(schema, opts, file.filename().string() + "/" + std::to_string(i) + (exact ? "/open" : ""), 12,
                      samples);
          ++schemas;
        } catch (const GrammarError&) {
        }
      }
    }
  }
  for (size_t i = 0; i < std::size(kCorpus); ++i) {
    Json schema = Json::parse(kCorpus[i]);
    for (int exact = 0; exact < 2; ++exact) {
      JsonSchemaOptions opts;
      if (exact) opts.additional_properties = true;
      sample_into(schema, opts, "corpus/" + std::to_string(i) + (exact ? "/open" : ""), 40, samples);
      ++schemas;
    }
  }
  expect_valid_under_python(samples, schemas, 1500);
}

// Random schemas built from the supported keywords (nested, combined, with
// $refs), 2020-12: the converter either refuses one with a GrammarError or
// every text sampled from its grammar validates. This is where merges
// (allOf, anyOf spread over siblings) and the oneOf overlap check meet
// combinations nobody wrote by hand.
class RandomSchema {
 public:
  explicit RandomSchema(uint32_t seed) : rng_(seed) {}

  Json make() {
    Json root = schema(0);
    if (!root.is_object()) return root;
    Json defs = Json::object();
    for (int i = 0; i < 3; ++i) defs["d" + std::to_string(i)] = schema(2);
    root["$defs"] = defs;
    return root;
  }

 private:
  int pick(int n) { return static_cast<int>(rng_() % static_cast<uint32_t>(n)); }
  bool coin(int one_in) { return pick(one_in) == 0; }

  Json value() {
    switch (pick(9)) {
      case 0: return nullptr;
      case 1: return coin(2);
      case 2: return pick(7) - 3;
      case 3: return 1.5;
      case 4: return std::string(1, static_cast<char>('a' + pick(3)));
      case 5: return "";
      case 6: return Json::array({pick(3)});
      case 7: return Json{{"a", pick(2)}};
      default: return 2.0;
    }
  }

  Json number_bound() {
    static const double kBounds[] = {-2.5, -1, 0, 0.5, 1, 2, 3, 10, 1.25};
    return kBounds[pick(9)];
  }

  // shape: -1 any; 0 strings, 1 numbers, 2 enum/const/$ref, 3 objects,
  // 4 arrays, 5.. combinators.
  Json schema(int depth, int shape = -1) {
    if (shape < 0 && (depth > 3 || coin(12))) {
      if (coin(3)) return coin(4) ? Json(false) : Json(true);
    }
    Json s = Json::object();
    static const char* kTypes[] = {"null", "boolean", "object", "array", "string", "integer", "number"};
    if (shape < 0) shape = pick(depth > 2 ? 3 : 9);
    if (shape != 3 && coin(2)) {
      if (coin(4)) {
        s["type"] = Json::array({kTypes[pick(7)], kTypes[pick(7)]});
      } else {
        s["type"] = kTypes[pick(7)];
      }
    }
    switch (shape) {
      case 0:  // strings
        if (coin(2)) s["minLength"] = pick(3);
        if (coin(2)) s["maxLength"] = pick(4);
        if (coin(4)) {
          static const char* kPatterns[] = {"^a+$",     "b",      "^[a-c]{1,3}x?$", "^(ab|c)*$", "\\d",
                                            "^[^a]$",   "^.{2}$", "^x\\d*y$",     "^[a-c]+$",  "^(a|bc)$"};
          s["pattern"] = kPatterns[pick(10)];
          if (coin(2)) {
            s.erase("minLength");
            s.erase("maxLength");
          }
        } else if (coin(5)) {
          static const char* kFormats[] = {"date", "time", "date-time", "uuid", "email", "ipv4"};
          s = Json{{"type", "string"}, {"format", kFormats[pick(6)]}};
        }
        break;
      case 1:  // numbers
        if (coin(2)) s[coin(2) ? "minimum" : "exclusiveMinimum"] = number_bound();
        if (coin(2)) s[coin(2) ? "maximum" : "exclusiveMaximum"] = number_bound();
        break;
      case 2: {  // enum / const / refs
        int k = pick(3);
        if (k == 0) {
          Json e = Json::array();
          for (int i = 0, n = 1 + pick(4); i < n; ++i) e.push_back(value());
          s["enum"] = e;
        } else if (k == 1) {
          s["const"] = value();
        } else {
          s["$ref"] = "#/$defs/d" + std::to_string(pick(3));
        }
        break;
      }
      case 3: {  // objects
        Json props = Json::object();
        Json req = Json::array();
        for (const char* name : {"a", "b", "c"}) {
          if (coin(2)) props[name] = schema(depth + 1);
          if (coin(3)) req.push_back(name);
        }
        s["properties"] = props;
        if (!req.empty()) s["required"] = req;
        if (coin(2)) s["additionalProperties"] = coin(2) ? Json(coin(2)) : schema(depth + 1);
        if (coin(4)) s["minProperties"] = pick(3);
        if (coin(4)) s["maxProperties"] = pick(4);
        break;
      }
      case 4:  // arrays
        if (coin(2)) {
          Json pre = Json::array();
          for (int i = 0, n = 1 + pick(2); i < n; ++i) pre.push_back(schema(depth + 1));
          s["prefixItems"] = pre;
        }
        if (coin(2)) s["items"] = schema(depth + 1);
        if (coin(2)) s["minItems"] = pick(3);
        if (coin(2)) s["maxItems"] = pick(4);
        break;
      default: {  // combinators
        static const char* kComb[] = {"anyOf", "oneOf", "allOf"};
        // Often parts of one kind (objects, numbers, strings), which merge
        // and overlap in the interesting ways.
        static const int kThemes[] = {-1, -1, 3, 3, 1, 0};
        int theme = kThemes[pick(6)];
        Json parts = Json::array();
        for (int i = 0, n = 2 + pick(2); i < n; ++i) parts.push_back(schema(depth + 1, theme));
        s[kComb[pick(3)]] = parts;
        break;
      }
    }
    return s;
  }

  std::mt19937 rng_;
};

TEST(JsonSchemaSuite, RandomSchemasAreRefusedOrSound) {
  std::vector<Sampled> samples;
  int schemas = 0, refused = 0;
  for (uint32_t seed = 1; seed <= 2000; ++seed) {
    Json schema = RandomSchema(seed).make();
    for (int open = 0; open < 2; ++open) {
      JsonSchemaOptions opts;
      if (open) opts.additional_properties = true;
      try {
        sample_into(schema, opts, "random/" + std::to_string(seed) + (open ? "/open" : ""), 6, samples);
        ++schemas;
      } catch (const GrammarError&) {
        ++refused;
      }  // anything else escapes and fails the test
    }
  }
  std::cout << "[random] " << schemas << " grammars, " << refused << " refused\n";
  EXPECT_GE(schemas, 1000);
  expect_valid_under_python(samples, schemas, 3000);
}

}  // namespace
}  // namespace lantern::grammar
