// JSON Schema to GBNF: for each supported keyword, texts the grammar must
// accept and texts it must refuse (through parse_gbnf + grammar_accepts);
// errors that name the keyword and its path; recursion through $ref; and
// the bounds an untrusted schema runs into.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "grammar/gbnf_parser.h"
#include "grammar/grammar_matcher.h"
#include "grammar/json_schema_grammar.h"

namespace lantern::grammar {
namespace {

using Json = nlohmann::ordered_json;

struct Compiled {
  std::string gbnf;
  Grammar g;
  bool ok(const std::string& text) const { return grammar_accepts(g, text); }
};

Compiled compile(const std::string& schema, const JsonSchemaOptions& opts = {}) {
  std::string text = json_schema_to_gbnf(Json::parse(schema), opts);
  return Compiled{text, parse_gbnf(text, opts.limits)};
}

Compiled compile_open(const std::string& schema) {
  JsonSchemaOptions o;
  o.additional_properties = true;
  return compile(schema, o);
}

std::string error_of(const Json& schema, const JsonSchemaOptions& opts = {}) {
  try {
    parse_gbnf(json_schema_to_gbnf(schema, opts), opts.limits);
  } catch (const GrammarError& e) {
    return e.what();
  }
  return "";
}

std::string error_of(const char* schema) { return error_of(Json::parse(schema)); }

#define EXPECT_ACCEPTS(c, text) EXPECT_TRUE((c).ok(text)) << (text) << "\n" << (c).gbnf
#define EXPECT_REFUSES(c, text) EXPECT_FALSE((c).ok(text)) << (text) << "\n" << (c).gbnf

TEST(JsonSchemaGrammar, TypesAndUnions) {
  Compiled s = compile(R"({"type":"string"})");
  EXPECT_ACCEPTS(s, R"("")");
  EXPECT_ACCEPTS(s, R"("caf\u00e9 \"q\" \\ \/ \b\f\n\r\t é 😀")");
  EXPECT_ACCEPTS(s, R"("\ud83d\ude00")");  // a surrogate pair
  EXPECT_REFUSES(s, R"("\ud83d")");        // a lone surrogate
  EXPECT_REFUSES(s, "\"a\nb\"");           // raw control character
  EXPECT_REFUSES(s, R"("\x41")");
  EXPECT_REFUSES(s, R"("abc)");
  EXPECT_REFUSES(s, "1");

  Compiled i = compile(R"({"type":"integer"})");
  for (const char* t : {"0", "-0", "7", "-12", "12345678901234567890"}) EXPECT_ACCEPTS(i, t);
  for (const char* t : {"01", "1.5", "1.0", "1e3", "+1", "123456789012345678901", "\"1\"", "-"}) EXPECT_REFUSES(i, t);

  Compiled n = compile(R"({"type":"number"})");
  for (const char* t : {"0", "-0.5", "3.25", "1e3", "1E+30", "2.5e-07", "-12"}) EXPECT_ACCEPTS(n, t);
  for (const char* t : {".5", "1.", "01", "1e", "NaN", "Infinity", "--1", "1e1234"}) EXPECT_REFUSES(n, t);

  Compiled b = compile(R"({"type":"boolean"})");
  EXPECT_ACCEPTS(b, "true");
  EXPECT_ACCEPTS(b, "false");
  EXPECT_REFUSES(b, "null");
  EXPECT_REFUSES(b, "True");

  Compiled z = compile(R"({"type":"null"})");
  EXPECT_ACCEPTS(z, "null");
  EXPECT_REFUSES(z, "0");

  Compiled u = compile(R"({"type":["integer","null","array"]})");
  EXPECT_ACCEPTS(u, "3");
  EXPECT_ACCEPTS(u, "null");
  EXPECT_ACCEPTS(u, "[1,\"x\",{}]");
  EXPECT_REFUSES(u, "3.5");
  EXPECT_REFUSES(u, "\"3\"");
  EXPECT_REFUSES(u, "{}");
  EXPECT_NE(error_of(R"({"type":"int"})").find("'type'"), std::string::npos);
}

TEST(JsonSchemaGrammar, WhitespaceIsBoundedAndOnlyBetweenTokens) {
  Compiled c = compile(R"({"type":"object","properties":{"a":{"type":"array","items":{"type":"integer"}}}})");
  EXPECT_ACCEPTS(c, R"({"a":[1,2]})");
  EXPECT_ACCEPTS(c, R"({ "a" : [ 1 , 2 ] })");
  EXPECT_ACCEPTS(c, "{\n  \"a\": [\n\t\t1,\n    2\n  ]\n}");
  EXPECT_REFUSES(c, R"( {"a":[1]})");               // before the value
  EXPECT_REFUSES(c, "{\"a\":[1]}\n");               // after it
  EXPECT_REFUSES(c, R"({"a":[1,  2]})");            // two spaces
  EXPECT_REFUSES(c, "{\n\n\"a\":[1]}");             // two newlines
  EXPECT_REFUSES(c, "{\n" + std::string(21, ' ') + "\"a\":[1]}");  // past 20 of indent
  EXPECT_ACCEPTS(c, "{\n" + std::string(20, ' ') + "\"a\":[1]}");
  EXPECT_REFUSES(c, "{\r\n\"a\":[1]}");
}

TEST(JsonSchemaGrammar, PropertiesInSchemaOrderRequiredAndOptional) {
  Compiled c = compile(R"({"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string"},
                           "c":{"type":"boolean"}},"required":["b"]})");
  EXPECT_ACCEPTS(c, R"({"b":"x"})");
  EXPECT_ACCEPTS(c, R"({"a":1,"b":"x"})");
  EXPECT_ACCEPTS(c, R"({"b":"x","c":true})");
  EXPECT_ACCEPTS(c, R"({"a":1,"b":"x","c":false})");
  EXPECT_REFUSES(c, R"({})");                     // b is required
  EXPECT_REFUSES(c, R"({"a":1})");
  EXPECT_REFUSES(c, R"({"b":"x","a":1})");        // out of order
  EXPECT_REFUSES(c, R"({"a":"1","b":"x"})");      // a is an integer
  EXPECT_REFUSES(c, R"({"b":"x","b":"y"})");      // twice
  EXPECT_REFUSES(c, R"({"b":"x","d":1})");        // strict: no others
  EXPECT_REFUSES(c, R"({"a":1,,"b":"x"})");
  EXPECT_REFUSES(c, R"({,"b":"x"})");
  EXPECT_REFUSES(c, R"({"b":"x",})");

  // All optional: the empty object too.
  Compiled o = compile(R"({"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}}})");
  EXPECT_ACCEPTS(o, "{}");
  EXPECT_ACCEPTS(o, "{ }");
  EXPECT_ACCEPTS(o, R"({"b":2})");
  EXPECT_REFUSES(o, R"({"b":2,"a":1})");

  // Names that need escaping.
  Compiled e = compile(R"({"type":"object","properties":{"a\"b\\c\nd":{"const":1},"é/~":{"const":2}},
                           "required":["a\"b\\c\nd","é/~"]})");
  EXPECT_ACCEPTS(e, R"({"a\"b\\c\nd":1,"é/~":2})");
}

TEST(JsonSchemaGrammar, AdditionalProperties) {
  const std::string listed = R"({"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]})";
  // Strict (the default): objects that list properties get no others.
  Compiled strict = compile(listed);
  EXPECT_ACCEPTS(strict, R"({"id":1})");
  EXPECT_REFUSES(strict, R"({"id":1,"x":2})");
  // Not strict, or asked for: JSON Schema's default, any others after.
  JsonSchemaOptions loose;
  loose.strict = false;
  Compiled open = compile(listed, loose);
  EXPECT_ACCEPTS(open, R"({"id":1,"x":[2],"y":{"z":null}})");
  EXPECT_REFUSES(open, R"({"id":1,"id":2})");     // a listed name is no extra
  EXPECT_REFUSES(open, R"({"x":2,"id":1})");      // extras come last
  EXPECT_ACCEPTS(compile_open(listed), R"({"id":1,"i":2,"idx":3,"":4})");
  JsonSchemaOptions closed;
  closed.strict = false;
  closed.additional_properties = false;
  EXPECT_REFUSES(compile(listed, closed), R"({"id":1,"x":2})");
  // An object schema that lists nothing takes any object.
  Compiled free = compile(R"({"type":"object"})");
  EXPECT_ACCEPTS(free, R"({"a":1,"b":{"c":[true]}})");
  EXPECT_ACCEPTS(free, "{}");

  // false / true / a schema, whatever the default.
  EXPECT_REFUSES(compile_open(R"({"properties":{"a":{}},"additionalProperties":false})"), R"({"a":1,"b":2})");
  EXPECT_ACCEPTS(compile(R"({"properties":{"a":{}},"additionalProperties":true})"), R"({"a":1,"b":2})");
  Compiled typed = compile(R"({"type":"object","properties":{"a":{"type":"string"}},
                               "additionalProperties":{"type":"integer","minimum":0}})");
  EXPECT_ACCEPTS(typed, R"({"a":"x","b":1,"c":2})");
  EXPECT_ACCEPTS(typed, R"({"b":1})");
  EXPECT_REFUSES(typed, R"({"a":"x","b":-1})");
  EXPECT_REFUSES(typed, R"({"a":1})");             // "a" is listed: a string, not an extra integer
  EXPECT_REFUSES(typed, R"({"b":1,"a":"x"})");
  // Extra names differ from listed ones in any character, escapes included.
  Compiled names = compile(R"({"properties":{"ab":{"type":"string"},"abc":{"type":"string"}},
                               "additionalProperties":{"type":"integer"}})");
  for (const char* t : {R"({"a":1})", R"({"abd":1})", R"({"abcd":1})", R"({"b":1})", R"({"":1})", R"({"ab\n":1})"}) {
    EXPECT_ACCEPTS(names, t);
  }
  for (const char* t : {R"({"ab":1})", R"({"abc":1})", R"({"\u0061b":1})"}) EXPECT_REFUSES(names, t);

  // minProperties / maxProperties that the shape settles.
  Compiled one = compile(R"({"type":"object","properties":{"a":{},"b":{}},"minProperties":1,"maxProperties":2})");
  EXPECT_REFUSES(one, "{}");
  EXPECT_ACCEPTS(one, R"({"b":1})");
  EXPECT_ACCEPTS(one, R"({"a":1,"b":2})");
  EXPECT_REFUSES(compile(R"({"type":"object","minProperties":1})"), "{}");
  EXPECT_ACCEPTS(compile(R"({"type":"object","minProperties":1})"), R"({"x":1})");
  EXPECT_NO_THROW(compile(R"({"type":"object","properties":{"a":{}},"required":["a"],"minProperties":1})"));
  EXPECT_NE(error_of(R"({"type":"object","required":["a","b"],"maxProperties":1})").find("no JSON value"),
            std::string::npos);

  // required names not in properties: present, with additionalProperties' schema.
  Compiled req = compile(R"({"type":"object","properties":{"a":{"type":"integer"}},"required":["z"],
                             "additionalProperties":{"type":"boolean"}})");
  EXPECT_ACCEPTS(req, R"({"z":true})");
  EXPECT_ACCEPTS(req, R"({"a":1,"z":false,"q":true})");
  EXPECT_REFUSES(req, R"({"a":1})");
  EXPECT_REFUSES(req, R"({"z":1})");
}

TEST(JsonSchemaGrammar, EnumAndConst) {
  Compiled e = compile(R"({"enum":["red","green",null,1.0,2.5,[1,{"a":true}],{"k":"v"}]})");
  for (const char* t : {R"("red")", R"("green")", "null", "1", "2.5", R"([1,{"a":true}])", R"({"k":"v"})"}) {
    EXPECT_ACCEPTS(e, t);
  }
  for (const char* t : {R"("blue")", R"("Red")", "2", "true", "[1]", R"({"k":"w"})"}) EXPECT_REFUSES(e, t);

  Compiled c = compile(R"({"const":"a\"b"})");
  EXPECT_ACCEPTS(c, R"("a\"b")");
  EXPECT_REFUSES(c, R"("ab")");

  // Other keywords filter the values.
  Compiled f = compile(R"({"type":"string","enum":["a","bb","ccc",3],"minLength":2})");
  EXPECT_REFUSES(f, R"("a")");
  EXPECT_ACCEPTS(f, R"("bb")");
  EXPECT_REFUSES(f, "3");
  Compiled r = compile(R"({"type":"integer","enum":[1,5,10,2.5],"exclusiveMinimum":1,"maximum":10})");
  EXPECT_REFUSES(r, "1");
  EXPECT_ACCEPTS(r, "5");
  EXPECT_ACCEPTS(r, "10");
  EXPECT_REFUSES(r, "2.5");
  Compiled both = compile(R"({"allOf":[{"enum":[1,2,3]},{"enum":[2,3,4]},{"not_a_const_but":0}]})", [] {
    JsonSchemaOptions o;
    o.strict = false;
    return o;
  }());
  EXPECT_REFUSES(both, "1");
  EXPECT_ACCEPTS(both, "2");
  EXPECT_ACCEPTS(both, "3");
  EXPECT_NE(error_of(R"({"enum":[]})").find("matches no JSON value"), std::string::npos);
  // A long enum shares prefixes: more values than the matcher's stack
  // limit still match, and a long value costs its length.
  Json many = Json{{"enum", Json::array()}};
  for (int i = 0; i < 6000; ++i) many["enum"].push_back("item-" + std::to_string(i * 7));
  many["enum"].push_back(std::string(200000, 'z'));
  auto t0 = std::chrono::steady_clock::now();
  Compiled big = compile(many.dump());
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
  EXPECT_ACCEPTS(big, R"("item-41993")");
  EXPECT_ACCEPTS(big, R"("item-0")");
  EXPECT_REFUSES(big, R"("item-1")");
  EXPECT_REFUSES(big, R"("item-")");
  EXPECT_TRUE(big.ok("\"" + std::string(200000, 'z') + "\""));
  EXPECT_NE(error_of(R"({"type":"string","enum":["x"],"pattern":"^x$"})").find("'pattern'"), std::string::npos);
}

TEST(JsonSchemaGrammar, AnyOfAndOneOf) {
  Compiled a = compile(R"({"anyOf":[{"type":"string","maxLength":2},{"type":"integer","minimum":10}]})");
  EXPECT_ACCEPTS(a, R"("ab")");
  EXPECT_ACCEPTS(a, "10");
  EXPECT_REFUSES(a, R"("abc")");
  EXPECT_REFUSES(a, "9");
  // The rest of the schema holds in every branch.
  Compiled base = compile(R"({"type":"string","anyOf":[{"maxLength":1},{"minLength":3}]})");
  EXPECT_ACCEPTS(base, R"("a")");
  EXPECT_ACCEPTS(base, R"("abc")");
  EXPECT_REFUSES(base, R"("ab")");
  EXPECT_REFUSES(base, "1");

  // oneOf whose branches cannot overlap: as anyOf.
  Compiled tagged = compile(R"({"oneOf":[
      {"type":"object","properties":{"kind":{"const":"a"},"x":{"type":"integer"}},"required":["kind","x"]},
      {"type":"object","properties":{"kind":{"const":"b"},"y":{"type":"string"}},"required":["kind","y"]},
      {"type":"null"}]})");
  EXPECT_ACCEPTS(tagged, R"({"kind":"a","x":1})");
  EXPECT_ACCEPTS(tagged, R"({"kind":"b","y":"s"})");
  EXPECT_ACCEPTS(tagged, "null");
  EXPECT_REFUSES(tagged, R"({"kind":"a","y":"s"})");
  EXPECT_NO_THROW(compile(R"({"oneOf":[{"type":"integer","maximum":0},{"type":"integer","minimum":1}]})"));
  EXPECT_NO_THROW(compile(R"({"oneOf":[{"type":"string","maxLength":2},{"type":"string","minLength":3}]})"));
  EXPECT_NO_THROW(compile(R"({"oneOf":[{"enum":[1,2]},{"enum":[3,"x"]}]})"));
  // Branches that can both match a value are refused (anyOf would accept
  // it), or relaxed to anyOf with a warning.
  const Json overlap = Json::parse(R"({"properties":{"p":{"oneOf":[{"type":"integer"},{"minimum":2}]}}})");
  EXPECT_EQ(error_of(overlap),
            "unsupported keyword 'oneOf' at /properties/p (a value might match more than one branch; anyOf would "
            "accept it)");
  JsonSchemaOptions loose;
  loose.strict = false;
  std::vector<std::string> warnings;
  EXPECT_NO_THROW(json_schema_to_gbnf(overlap, loose, &warnings));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("'oneOf' at /properties/p"), std::string::npos);
  // Untyped branches overlap on the types they leave alone.
  EXPECT_NE(error_of(R"({"oneOf":[{"required":["a"]},{"required":["b"]}]})").find("'oneOf'"), std::string::npos);
  EXPECT_NO_THROW(compile(R"({"type":"object","oneOf":[
      {"properties":{"a":{"type":"integer"}},"required":["a"],"additionalProperties":false},
      {"properties":{"b":{"type":"integer"}},"required":["b"],"additionalProperties":false}]})"));
}

TEST(JsonSchemaGrammar, AllOfMergesKeywordByKeyword) {
  Compiled m = compile(R"({"allOf":[
      {"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]},
      {"properties":{"a":{"minimum":5},"b":{"type":"string","maxLength":2}},"required":["b"]},
      {"type":["object","null"]}]})");
  EXPECT_ACCEPTS(m, R"({"a":5,"b":"xy"})");
  EXPECT_REFUSES(m, R"({"a":4,"b":"xy"})");
  EXPECT_REFUSES(m, R"({"a":5,"b":"xyz"})");
  EXPECT_REFUSES(m, R"({"a":5})");
  EXPECT_REFUSES(m, "null");
  // additionalProperties: false in one part forbids the other part's names.
  Compiled closed = compile_open(R"({"allOf":[{"properties":{"a":{}},"additionalProperties":false},
                                              {"properties":{"b":{}}}]})");
  EXPECT_ACCEPTS(closed, R"({"a":1})");
  EXPECT_REFUSES(closed, R"({"a":1,"b":2})");
  EXPECT_REFUSES(closed, R"({"b":2})");
  Compiled later = compile_open(R"({"allOf":[{"properties":{"a":{}}},
                                             {"properties":{"b":{}},"additionalProperties":{"type":"string"}}]})");
  EXPECT_ACCEPTS(later, R"({"a":"x","b":1})");
  EXPECT_REFUSES(later, R"({"a":1})");          // a is an additional property of the second part
  EXPECT_REFUSES(later, R"({"b":1,"c":2})");
  // Items merge index by index.
  Compiled arr = compile(R"({"allOf":[{"prefixItems":[{"type":"integer"}],"items":{"type":"string"}},
                                      {"items":{"maxLength":1}},{"maxItems":3}]})");
  EXPECT_ACCEPTS(arr, R"([1,"a","b"])");
  EXPECT_REFUSES(arr, R"([1,"ab"])");
  EXPECT_REFUSES(arr, R"([1,"a","b","c"])");
  EXPECT_REFUSES(arr, R"(["a"])");
  // Contradictions: nothing matches.
  EXPECT_EQ(error_of(R"({"allOf":[{"type":"string"},{"type":"integer"}]})"), "the schema matches no JSON value");
  EXPECT_NE(error_of(R"({"allOf":[{"pattern":"^a"},{"pattern":"b$"}]})").find("'pattern'"), std::string::npos);
  // anyOf inside allOf spreads over the merge.
  Compiled spread = compile(R"({"allOf":[{"type":"integer"},{"anyOf":[{"maximum":0},{"minimum":100}]}]})");
  EXPECT_ACCEPTS(spread, "-4");
  EXPECT_ACCEPTS(spread, "100");
  EXPECT_REFUSES(spread, "50");
}

TEST(JsonSchemaGrammar, ItemsPrefixItemsAndCounts) {
  Compiled a = compile(R"({"type":"array","items":{"type":"integer"},"minItems":2,"maxItems":3})");
  EXPECT_REFUSES(a, "[]");
  EXPECT_REFUSES(a, "[1]");
  EXPECT_ACCEPTS(a, "[1,2]");
  EXPECT_ACCEPTS(a, "[1, 2, 3]");
  EXPECT_REFUSES(a, "[1,2,3,4]");
  EXPECT_REFUSES(a, "[1,\"2\"]");
  EXPECT_REFUSES(a, "[1,2,]");

  Compiled t = compile(R"({"prefixItems":[{"type":"integer"},{"type":"string"}],"items":false})");
  EXPECT_ACCEPTS(t, "[]");
  EXPECT_ACCEPTS(t, "[1]");
  EXPECT_ACCEPTS(t, "[1,\"a\"]");
  EXPECT_REFUSES(t, "[1,\"a\",2]");
  EXPECT_REFUSES(t, "[\"a\"]");
  EXPECT_ACCEPTS(t, "7");  // no type: other values pass

  Compiled rest = compile(R"({"type":"array","prefixItems":[{"const":0}],"items":{"type":"boolean"},"minItems":3})");
  EXPECT_ACCEPTS(rest, "[0,true,false]");
  EXPECT_REFUSES(rest, "[0,true]");
  EXPECT_REFUSES(rest, "[1,true,false]");

  // Draft 7's tuple form.
  Compiled d7 = compile(R"({"$schema":"http://json-schema.org/draft-07/schema#","type":"array",
                            "items":[{"type":"string"}],"additionalItems":{"type":"integer"}})");
  EXPECT_ACCEPTS(d7, "[\"a\",1,2]");
  EXPECT_REFUSES(d7, "[\"a\",\"b\"]");
  EXPECT_REFUSES(d7, "[1]");
  Compiled any = compile(R"({"type":"array"})");
  EXPECT_ACCEPTS(any, "[1,\"x\",[null],{\"a\":{}}]");
  EXPECT_NE(error_of(R"({"minItems":3,"maxItems":2,"type":"array"})").find("matches no JSON value"),
            std::string::npos);
}

TEST(JsonSchemaGrammar, StringLengthsCountCodePoints) {
  Compiled c = compile(R"({"type":"string","minLength":2,"maxLength":3})");
  EXPECT_REFUSES(c, R"("a")");
  EXPECT_ACCEPTS(c, R"("ab")");
  EXPECT_ACCEPTS(c, R"("abc")");
  EXPECT_REFUSES(c, R"("abcd")");
  EXPECT_ACCEPTS(c, R"("éü")");
  EXPECT_REFUSES(c, R"("😀")");               // one code point, four bytes
  EXPECT_ACCEPTS(c, R"("😀😀😀")");
  EXPECT_ACCEPTS(c, R"("\ud83d\ude00\n")");   // an escaped pair is one
  EXPECT_REFUSES(c, R"("\n")");
  EXPECT_ACCEPTS(compile(R"({"maxLength":0})"), R"("")");
  EXPECT_ACCEPTS(compile(R"({"maxLength":0})"), "[1,2]");  // no type: only strings are held to it
}

TEST(JsonSchemaGrammar, Patterns) {
  auto pat = [](const std::string& p) { return compile(Json{{"type", "string"}, {"pattern", p}}.dump()); };
  Compiled anchored = pat("^[a-c]+\\d{2}$");
  EXPECT_ACCEPTS(anchored, R"("ab12")");
  EXPECT_REFUSES(anchored, R"("ab1")");
  EXPECT_REFUSES(anchored, R"("xab12")");
  EXPECT_REFUSES(anchored, R"("ab12x")");
  Compiled loose = pat("b+c");  // not anchored: anywhere in the string
  EXPECT_ACCEPTS(loose, R"("xxbbcyy")");
  EXPECT_ACCEPTS(loose, R"("bc")");
  EXPECT_REFUSES(loose, R"("cb")");
  Compiled alt = pat("^(cat|dog)s?$|^bird");
  for (const char* t : {R"("cat")", R"("dogs")", R"("birdie")"}) EXPECT_ACCEPTS(alt, t);
  for (const char* t : {R"("cats!")", R"("a bird")", R"("")"}) EXPECT_REFUSES(alt, t);
  Compiled classes = pat("^\\w\\s\\S\\D\\W.$");
  EXPECT_ACCEPTS(classes, R"("a\tbx!é")");
  EXPECT_REFUSES(classes, R"("a\tb1!é")");
  EXPECT_REFUSES(classes, R"("a\tbx!\n")");  // . is no line terminator
  // Characters JSON escapes: the pattern sees the decoded string.
  Compiled quote = pat("^[\"\\\\/]{3}$");
  EXPECT_ACCEPTS(quote, R"("\"\\/")");
  EXPECT_ACCEPTS(quote, R"("\"\\\/")");
  EXPECT_REFUSES(quote, R"("abc")");
  Compiled counts = pat("^(ab){2,3}x?$");
  EXPECT_ACCEPTS(counts, R"("abab")");
  EXPECT_ACCEPTS(counts, R"("abababx")");
  EXPECT_REFUSES(counts, R"("ab")");
  EXPECT_REFUSES(counts, R"("abababab")");
  Compiled neg = pat("^[^0-9a-z]*$");
  EXPECT_ACCEPTS(neg, R"("AB \n\u0001")");
  EXPECT_REFUSES(neg, R"("A1")");
  EXPECT_ACCEPTS(pat("^\\u00e9\\x41\\.\\-$"), R"("éA.-")");
  // Constructs outside the subset are refused by name.
  for (const auto& [p, what] : std::vector<std::pair<std::string, std::string>>{
           {"(?=a)", "lookaround"}, {"(a)\\1", "backreference"}, {"\\bword", "word boundary"},
           {"a^b", "'^'"}, {"a$b", "'$'"}, {"\\p{L}", "Unicode property"}, {"(a*)*", "can match nothing"},
           {"[z-a]", "out of order"}, {"a{3,2}", "out of order"}, {"(a", "missing ')'"}, {"a)", "unmatched"},
           {"*a", "nothing to repeat"}, {"a{20000}", "limit"}}) {
    std::string e = error_of(Json{{"type", "string"}, {"pattern", p}});
    EXPECT_NE(e.find("unsupported keyword 'pattern' at /"), std::string::npos) << p << ": " << e;
    EXPECT_NE(e.find(what), std::string::npos) << p << ": " << e;
  }
  // Lengths beside a pattern: already implied, or taken into the one
  // repeated class of an anchored pattern; otherwise refused.
  Compiled implied = compile(R"({"type":"string","pattern":"^[a-z]{2,4}$","maxLength":10,"minLength":1})");
  EXPECT_ACCEPTS(implied, R"("abcd")");
  Compiled fit = compile(R"({"type":"string","pattern":"^\\d{3}-[a-z]+$","minLength":6,"maxLength":8})");
  EXPECT_REFUSES(fit, R"("123-a")");
  EXPECT_ACCEPTS(fit, R"("123-ab")");
  EXPECT_ACCEPTS(fit, R"("123-abcd")");
  EXPECT_REFUSES(fit, R"("123-abcde")");
  EXPECT_NE(error_of(R"({"type":"string","pattern":"^[a-z]+$","maxLength":2,"minLength":3})").find("no JSON value"),
            std::string::npos);
  EXPECT_EQ(error_of(R"({"type":"string","pattern":"^a+b*$","maxLength":3})"),
            "unsupported keyword 'maxLength' at / (beside 'pattern')");
  EXPECT_NE(error_of(R"({"type":"string","pattern":"x","maxLength":3})").find("'maxLength'"), std::string::npos);
  // Patterns constrain strings only.
  EXPECT_ACCEPTS(compile(R"({"pattern":"^a$"})"), "12");
}

TEST(JsonSchemaGrammar, Formats) {
  auto fmt = [](const std::string& f) { return compile(Json{{"type", "string"}, {"format", f}}.dump()); };
  Compiled date = fmt("date");
  for (const char* t : {"2024-02-29", "2000-02-29", "2023-12-31", "0001-01-01", "1999-04-30"}) {
    EXPECT_ACCEPTS(date, std::string("\"") + t + "\"");
  }
  for (const char* t : {"2023-02-29", "1900-02-29", "2023-04-31", "2023-13-01", "2023-00-10", "2023-1-01",
                        "0000-01-01", "2023-01-32", "20230101"}) {
    EXPECT_REFUSES(date, std::string("\"") + t + "\"");
  }
  Compiled time = fmt("time");
  for (const char* t : {"23:59:59Z", "00:00:00.123456+05:30", "12:00:00z", "08:30:06-08:00"}) {
    EXPECT_ACCEPTS(time, std::string("\"") + t + "\"");
  }
  for (const char* t : {"24:00:00Z", "12:60:00Z", "12:00:00", "12:00Z", "12:00:00+24:00", "12:00:00.Z"}) {
    EXPECT_REFUSES(time, std::string("\"") + t + "\"");
  }
  Compiled dt = fmt("date-time");
  EXPECT_ACCEPTS(dt, R"("1963-06-19T08:30:06.283185Z")");
  EXPECT_ACCEPTS(dt, R"("1963-06-19t08:30:06+01:00")");
  EXPECT_REFUSES(dt, R"("1963-06-19 08:30:06Z")");
  EXPECT_REFUSES(dt, R"("1963-02-30T08:30:06Z")");
  Compiled uuid = fmt("uuid");
  EXPECT_ACCEPTS(uuid, R"("123e4567-e89b-12d3-A456-426614174000")");
  EXPECT_REFUSES(uuid, R"("123e4567e89b12d3a456426614174000")");
  EXPECT_REFUSES(uuid, R"("123e4567-e89b-12d3-a456-42661417400g")");
  Compiled email = fmt("email");
  for (const char* t : {"joe.bloggs@example.com", "a+b@x", "te~st@my-host.example.org"}) {
    EXPECT_ACCEPTS(email, std::string("\"") + t + "\"");
  }
  for (const char* t : {"2962", ".a@b.c", "a.@b.c", "a..b@c", "a@-b.c", "a@b-.c", "a b@c", "@b.c"}) {
    EXPECT_REFUSES(email, std::string("\"") + t + "\"");
  }
  Compiled ip = fmt("ipv4");
  EXPECT_ACCEPTS(ip, R"("192.168.0.255")");
  for (const char* t : {"256.1.1.1", "01.1.1.1", "1.1.1", "1.1.1.1.1"}) EXPECT_REFUSES(ip, std::string("\"") + t + "\"");
  EXPECT_EQ(error_of(R"({"properties":{"u":{"type":"string","format":"uri"}}})"),
            "unsupported keyword 'format' at /properties/u (format \"uri\")");
  // Formats describe strings: on an integer they say nothing.
  EXPECT_ACCEPTS(compile(R"({"type":"integer","format":"int64"})"), "5");
  // Lengths every text of the format has are no conflict; others are.
  EXPECT_ACCEPTS(compile(R"({"type":"string","format":"date-time","maxLength":64})"), R"("2024-01-01T00:00:00Z")");
  EXPECT_ACCEPTS(compile(R"({"type":"string","format":"uuid","minLength":36,"maxLength":36})"),
                 R"("123e4567-e89b-12d3-a456-426614174000")");
  EXPECT_EQ(error_of(R"({"type":"string","format":"email","maxLength":64})"),
            "unsupported keyword 'maxLength' at / (beside 'format')");
}

// Every integer in a window around the bounds, against the bounds.
void check_range(const std::string& schema, long long lo, long long hi, long long from, long long to) {
  Compiled c = compile(schema);
  for (long long v = from; v <= to; ++v) {
    EXPECT_EQ(c.ok(std::to_string(v)), v >= lo && v <= hi) << schema << " " << v << "\n" << c.gbnf;
  }
}

TEST(JsonSchemaGrammar, IntegerRangesAreExact) {
  check_range(R"({"type":"integer","minimum":0,"maximum":9})", 0, 9, -30, 30);
  check_range(R"({"type":"integer","minimum":-5,"maximum":120})", -5, 120, -150, 150);
  check_range(R"({"type":"integer","exclusiveMinimum":-1000,"exclusiveMaximum":1000})", -999, 999, -1200, 1200);
  check_range(R"({"type":"integer","minimum":37,"maximum":4321})", 37, 4321, -10, 5000);
  check_range(R"({"type":"integer","minimum":1.5,"maximum":99.9})", 2, 99, -10, 200);
  check_range(R"({"type":"integer","minimum":-99.5,"exclusiveMaximum":-10.0})", -99, -11, -200, 20);
  check_range(R"({"type":"integer","minimum":7,"maximum":7})", 7, 7, -20, 20);
  check_range(R"({"type":"integer","minimum":100})", 100, 1LL << 62, 0, 2000);
  check_range(R"({"type":"integer","exclusiveMaximum":-3})", -(1LL << 62), -4, -2000, 100);
  check_range(R"({"type":"integer","minimum":999,"maximum":1000001})", 999, 1000001, 990, 1010);
  check_range(R"({"type":"integer","minimum":999,"maximum":1000001})", 999, 1000001, 999990, 1000010);
  Compiled big = compile(R"({"type":"integer","minimum":-9223372036854775808,"maximum":18446744073709551615})");
  EXPECT_ACCEPTS(big, "-9223372036854775808");
  EXPECT_ACCEPTS(big, "18446744073709551615");
  EXPECT_REFUSES(big, "18446744073709551616");
  EXPECT_REFUSES(big, "-9223372036854775809");
  EXPECT_REFUSES(big, "01");
  EXPECT_NE(error_of(R"({"type":"integer","minimum":5,"maximum":4})").find("matches no JSON value"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"type":"integer","minimum":1e30})").find("matches no JSON value"), std::string::npos);
  EXPECT_NE(error_of(R"({"type":"integer","exclusiveMinimum":true})").find("'exclusiveMinimum'"), std::string::npos);
}

TEST(JsonSchemaGrammar, NumberRangesAreExactForTheTextsWritten) {
  Compiled c = compile(R"({"type":"number","minimum":-1.5,"exclusiveMaximum":2.25})");
  for (const char* t : {"-1.5", "-1.49", "-1", "0", "0.5", "2", "2.2", "2.249999", "-0.000001", "1.000000"}) {
    EXPECT_ACCEPTS(c, t);
  }
  for (const char* t : {"-1.51", "-2", "2.25", "2.250", "2.26", "3", "-1.500001", "1e0", "2.2500001", "-0"}) {
    EXPECT_REFUSES(c, t);
  }
  Compiled pos = compile(R"({"type":"number","exclusiveMinimum":0})");
  for (const char* t : {"0.000001", "1", "123456789.5"}) EXPECT_ACCEPTS(pos, t);
  for (const char* t : {"0", "0.0", "-0.5", "-1", "0.0000001"}) EXPECT_REFUSES(pos, t);
  Compiled tiny = compile(R"({"type":"number","minimum":1e-7,"maximum":0.00125})");
  EXPECT_ACCEPTS(tiny, "0.00125");
  EXPECT_ACCEPTS(tiny, "0.000001");
  EXPECT_REFUSES(tiny, "0.001251");
  EXPECT_REFUSES(tiny, "0");
  // Number bounds hold for integers too ("number" includes them).
  Compiled whole = compile(R"({"minimum":10,"maximum":20})");
  EXPECT_ACCEPTS(whole, "10");
  EXPECT_ACCEPTS(whole, "19.5");
  EXPECT_REFUSES(whole, "20.5");
  EXPECT_ACCEPTS(whole, "\"not a number\"");
}

TEST(JsonSchemaGrammar, RefsDefsAndRecursion) {
  Compiled list = compile(R"({"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},
                              "next":{"anyOf":[{"$ref":"#/$defs/node"},{"type":"null"}]}},"required":["v","next"]}},
                              "$ref":"#/$defs/node"})");
  EXPECT_ACCEPTS(list, R"({"v":1,"next":{"v":2,"next":{"v":3,"next":null}}})");
  EXPECT_REFUSES(list, R"({"v":1,"next":{"v":2}})");
  std::string deep = "null";
  for (int i = 0; i < 60; ++i) deep = R"({"v":)" + std::to_string(i) + R"(,"next":)" + deep + "}";
  EXPECT_ACCEPTS(list, deep);

  // Mutual recursion, "definitions", a chain of refs, escaped pointers.
  Compiled mutual = compile(R"({"definitions":{"a":{"type":"array","items":{"$ref":"#/definitions/b"}},
                                "b":{"anyOf":[{"type":"integer"},{"$ref":"#/definitions/a"}]},
                                "c":{"$ref":"#/definitions/b"},"x/y~z%":{"const":1}},
                                "type":"object","properties":{"t":{"$ref":"#/definitions/c"},
                                "e":{"$ref":"#/definitions/x~1y~0z%25"}}})");
  EXPECT_ACCEPTS(mutual, R"({"t":[1,[2,[3]],[]],"e":1})");
  EXPECT_REFUSES(mutual, R"({"t":[1,["x"]]})");
  EXPECT_REFUSES(mutual, R"({"e":2})");
  // The root itself.
  Compiled self = compile(R"({"type":"array","items":{"$ref":"#"},"maxItems":2})");
  EXPECT_ACCEPTS(self, "[[],[[],[]]]");
  EXPECT_REFUSES(self, "[[],[],[]]");

  // 2020-12: siblings of $ref apply; draft 7: they are ignored.
  const char* sib = R"({"$defs":{"s":{"type":"string"}},"$ref":"#/$defs/s","maxLength":2})";
  EXPECT_REFUSES(compile(sib), R"("abc")");
  Json d7 = Json::parse(sib);
  d7["$schema"] = "http://json-schema.org/draft-07/schema#";
  Compiled legacy = compile(d7.dump());
  EXPECT_ACCEPTS(legacy, R"("abc")");
  EXPECT_REFUSES(legacy, "1");

  EXPECT_EQ(error_of(R"({"$ref":"#/$defs/missing"})"), "invalid '$ref' at /: \"#/$defs/missing\" points nowhere");
  EXPECT_NE(error_of(R"({"$ref":"https://example.com/s.json"})").find("unsupported keyword '$ref' at /"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"$ref":"#anchor"})").find("'$ref'"), std::string::npos);
  EXPECT_NE(error_of(R"({"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"})")
                .find("circular"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"$defs":{"a":{"allOf":[{"$ref":"#/$defs/a"}]}},"$ref":"#/$defs/a"})").find("circular"),
            std::string::npos);
  // Recursion that never bottoms out matches nothing.
  EXPECT_NE(error_of(R"({"type":"object","properties":{"x":{"$ref":"#"}},"required":["x"]})")
                .find("matches no JSON value"),
            std::string::npos);
}

TEST(JsonSchemaGrammar, EmptyTrueAndFalseSchemas) {
  for (const char* schema : {"{}", "true", R"({"title":"t","description":"d","examples":[1],"default":2,
                                           "$schema":"https://json-schema.org/draft/2020-12/schema",
                                           "$id":"https://example.com/s","$comment":"c"})"}) {
    Compiled c = compile(schema);
    for (const char* t : {"null", "true", "0", "-1.5e3", R"("s")", "[]", R"({"a":[1,{"b":null}]})"}) {
      EXPECT_ACCEPTS(c, t);
    }
    EXPECT_REFUSES(c, "[1,]");
    EXPECT_REFUSES(c, "nul");
  }
  EXPECT_EQ(error_of("false"), "the schema matches no JSON value");
  // A property that can never be there: no prefix leads to it.
  Compiled c = compile(R"({"type":"object","properties":{"a":false,"b":{"type":"integer"}}})");
  EXPECT_ACCEPTS(c, R"({"b":1})");
  GrammarMatcher m(std::make_shared<Grammar>(c.g));
  EXPECT_TRUE(m.accept("{"));
  EXPECT_FALSE(m.accept("\"a"));
}

TEST(JsonSchemaGrammar, UnsupportedKeywordsNameKeywordAndPath) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"type":"object","properties":{"tags":{"type":"array","uniqueItems":true}}})",
       "unsupported keyword 'uniqueItems' at /properties/tags"},
      {R"({"not":{"type":"string"}})", "unsupported keyword 'not' at /"},
      {R"({"if":{},"then":{}})", "unsupported keyword 'if' at /"},
      {R"({"type":"object","patternProperties":{"^x":{}}})", "unsupported keyword 'patternProperties' at /"},
      {R"({"type":"object","minProperties":2})",
       "unsupported keyword 'minProperties' at / (more than the required properties)"},
      {R"({"type":"object","maxProperties":2})",
       "unsupported keyword 'maxProperties' at / (fewer than the properties that may be written)"},
      {R"({"type":"object","dependentRequired":{"a":["b"]}})", "unsupported keyword 'dependentRequired' at /"},
      {R"({"items":{"type":"number","multipleOf":2}})", "unsupported keyword 'multipleOf' at /items"},
      {R"({"$defs":{"x":{"type":"array","contains":{}}},"anyOf":[{"$ref":"#/$defs/x"}]})",
       "unsupported keyword 'contains' at /$defs/x"},
      {R"({"properties":{"a/b":{"nullable":true}}})", "unsupported keyword 'nullable' at /properties/a~1b"},
      {R"({"allOf":[{"unevaluatedProperties":false}]})", "unsupported keyword 'unevaluatedProperties' at /allOf/0"},
  };
  for (const auto& [schema, message] : cases) EXPECT_EQ(error_of(schema), message) << schema;
  // Type-specific keywords say nothing about other types.
  EXPECT_NO_THROW(compile(R"({"type":"string","uniqueItems":true,"multipleOf":3})"));
  // Malformed values are errors, strict or not.
  JsonSchemaOptions loose;
  loose.strict = false;
  EXPECT_EQ(error_of(Json::parse(R"({"minLength":-1})"), loose),
            "invalid 'minLength' at /: expected a non-negative integer");
  EXPECT_NE(error_of(Json::parse(R"({"properties":[1]})"), loose).find("invalid 'properties'"), std::string::npos);
  EXPECT_NE(error_of(Json::parse(R"({"anyOf":[]})"), loose).find("invalid 'anyOf'"), std::string::npos);
  EXPECT_NE(error_of(Json::parse(R"({"properties":{"a":3}})"), loose).find("invalid schema at /properties/a"),
            std::string::npos);
}

TEST(JsonSchemaGrammar, NotStrictDropsUnsupportedKeywordsWithWarnings) {
  JsonSchemaOptions loose;
  loose.strict = false;
  std::vector<std::string> warnings;
  const Json schema = Json::parse(R"({"type":"object","properties":{
      "tags":{"type":"array","items":{"type":"string"},"uniqueItems":true},
      "code":{"type":"string","pattern":"(?=x)y","maxLength":3},
      "when":{"type":"string","format":"uri"}},"required":["tags"],"not":{}})");
  Grammar g = parse_gbnf(json_schema_to_gbnf(schema, loose, &warnings));
  EXPECT_EQ(warnings, (std::vector<std::string>{
                          "unsupported keyword 'not' at /",
                          "unsupported keyword 'uniqueItems' at /properties/tags",
                          "unsupported keyword 'pattern' at /properties/code (unsupported pattern: lookaround '(?=' at "
                          "offset 1)",
                          "unsupported keyword 'format' at /properties/when (format \"uri\")",
                      }));
  // What is left is still enforced.
  EXPECT_TRUE(grammar_accepts(g, R"({"tags":["a","a"],"code":"abc","when":"x"})"));
  EXPECT_FALSE(grammar_accepts(g, R"({"tags":["a"],"code":"abcd"})"));
  EXPECT_FALSE(grammar_accepts(g, R"({"tags":[1]})"));
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

TEST(JsonSchemaGrammar, BoundsOnUntrustedSchemas) {
  auto t0 = std::chrono::steady_clock::now();
  // 1,000-deep nesting: refused before any recursion.
  Json deep = Json::object();
  for (int i = 0; i < 1000; ++i) deep = Json{{"type", "object"}, {"properties", {{"a", deep}}}};
  EXPECT_NE(error_of(deep).find("nests deeper than 128"), std::string::npos);
  // Deep but within the limit works.
  Json ok = Json{{"type", "integer"}};
  for (int i = 0; i < 40; ++i) ok = Json{{"type", "array"}, {"items", ok}};
  EXPECT_NO_THROW(parse_gbnf(json_schema_to_gbnf(ok)));

  // 10 MB schemas: refused by size. (Built as arrays and strings:
  // ordered_json objects insert in linear time, so a test building one
  // with 10 MB of keys would take minutes itself.)
  Json big_enum = Json{{"enum", Json::array()}};
  for (int i = 0; i < 500000; ++i) big_enum["enum"].push_back("value_number_" + std::to_string(i));
  EXPECT_GT(big_enum.dump().size(), 10u << 20);
  EXPECT_NE(error_of(big_enum).find("larger than the limit"), std::string::npos);
  Json big_text = Json{{"type", "string"}, {"description", std::string(10u << 20, 'x')}};
  EXPECT_NE(error_of(big_text).find("larger than the limit"), std::string::npos);
  // A large schema within the limit converts in time linear in its size.
  Json wide = Json::parse(R"({"type":"object","properties":{},"additionalProperties":{"type":"integer"}})");
  std::string props = "{";
  for (int i = 0; i < 2000; ++i) props += (i ? ",\"p" : "\"p") + std::to_string(i) + "\":{\"type\":\"string\"}";
  wide["properties"] = Json::parse(props + "}");
  wide["required"] = Json::array({"p1", "p1999"});
  auto tw = std::chrono::steady_clock::now();
  Grammar gw = parse_gbnf(json_schema_to_gbnf(wide));
  EXPECT_TRUE(grammar_accepts(gw, R"({"p1":"a","p1999":"b","q":1})"));
  EXPECT_FALSE(grammar_accepts(gw, R"({"p1":"a","p1999":"b","p5":1})"));
  EXPECT_LT(seconds_since(tw), 10.0);

  // Counts past max_repeat are refused, never expanded.
  EXPECT_EQ(error_of(R"({"type":"array","minItems":1000000000})"),
            "minItems of 1000000000 is over the limit of 10000 ('minItems' at /)");
  EXPECT_NE(error_of(R"({"type":"array","maxItems":1000000000})").find("maxItems"), std::string::npos);
  EXPECT_NE(error_of(R"({"properties":{"s":{"type":"string","maxLength":100000}}})").find("'maxLength' at /properties/s"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"type":"string","minLength":10001})").find("minLength"), std::string::npos);
  EXPECT_NO_THROW(compile(R"({"type":"string","maxLength":10000})"));

  // anyOf products and allOf / $ref fan-out: cut off by the work limit.
  Json product = Json{{"allOf", Json::array()}};
  for (int i = 0; i < 40; ++i) product["allOf"].push_back(Json::parse(R"({"anyOf":[{"type":"integer"},{"minimum":0}]})"));
  EXPECT_NE(error_of(product).find("anyOf"), std::string::npos);
  Json fan = Json::parse(R"({"$defs":{"d0":{"type":"integer"}}})");
  for (int i = 1; i <= 40; ++i) {
    std::string prev = "#/$defs/d" + std::to_string(i - 1);
    fan["$defs"]["d" + std::to_string(i)] = {{"allOf", {{{"$ref", prev}}, {{"$ref", prev}}}}};
  }
  fan["$ref"] = "#/$defs/d40";
  EXPECT_NE(error_of(fan).find("too complex"), std::string::npos);

  // Many $refs become one rule each, never copies.
  Json refs = Json::parse(R"({"$defs":{"leaf":{"type":"object","properties":{"x":{"type":"integer"}}}},
                              "type":"object","properties":{}})");
  for (int i = 0; i < 2000; ++i) refs["properties"]["p" + std::to_string(i)] = {{"$ref", "#/$defs/leaf"}};
  std::string text = json_schema_to_gbnf(refs);
  EXPECT_LT(text.size(), 400000u);
  EXPECT_EQ(text.find("leaf ::="), text.rfind("leaf ::="));
  EXPECT_NO_THROW(parse_gbnf(text));
  // Rule count limit.
  JsonSchemaOptions few;
  few.limits.max_rules = 50;
  EXPECT_NE(error_of(refs, few).find("more than 50 grammar rules"), std::string::npos);

  EXPECT_LT(seconds_since(t0), 20.0);  // none of these may hang
}

}  // namespace
}  // namespace lantern::grammar
