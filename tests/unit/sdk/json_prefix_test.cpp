// JsonPrefix: every prefix of valid JSON objects is accepted and only the
// whole object completes; invalid continuations are refused without
// changing the state.
#include "sampling/json_prefix.h"

#include <gtest/gtest.h>

#include <string>

using lantern::JsonPrefix;

namespace {

// Feeds `text` one byte at a time; returns how many bytes were accepted.
size_t accepted(JsonPrefix& p, const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i)
    if (!p.push(std::string_view(&text[i], 1))) return i;
  return text.size();
}

}  // namespace

TEST(JsonPrefix, AcceptsValidObjectsByteByByteAndCompletesAtTheEnd) {
  for (const std::string doc : {
           R"({})", R"( { "a" : 1 } )", R"({"a":[1,-2.5e+3,0,0.25,1E9,true,false,null,"x\"\\\/\b\f\n\r\t\u00e9"]})",
           R"({"nested":{"deep":[[],[{}],{"k":"v"}]},"n":-0})", "{\n  \"name\": \"Lily\",\n  \"age\": 3\n}",
           "{\"utf8\": \"caf\xc3\xa9 \xe2\x9c\x93\"}"}) {
    JsonPrefix p;
    const std::string body = doc.substr(0, doc.find_last_of('}') + 1);
    ASSERT_EQ(body.size(), accepted(p, body)) << doc;
    EXPECT_TRUE(p.complete()) << doc;
    JsonPrefix partial;
    accepted(partial, body.substr(0, body.size() - 1));
    EXPECT_FALSE(partial.complete()) << doc;
  }
}

TEST(JsonPrefix, RefusesWhatCannotContinueAndKeepsItsState) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "["},            // the top level must be an object
      {"", "\"x\""},
      {"{", "1"},           // keys are strings
      {"{\"a\"", ","},      // a colon after the key
      {"{\"a\":", "}"},     // a value after the colon
      {"{\"a\":01", ""},    // no leading zeros (the 1 is refused)
      {"{\"a\":1.", "}"},   // a digit after the dot
      {"{\"a\":-", "x"},
      {"{\"a\":tru", "x"},
      {"{\"a\":\"\\", "q"}, // unknown escape
      {"{\"a\":\"\\u12", "g"},
      {"{\"a\":\"", "\x01"},  // raw control byte in a string
      {"{\"a\":[1", "}"},   // brackets must match
      {"{}", "x"},          // nothing but space after the object
  };
  for (const auto& [prefix, next] : cases) {
    JsonPrefix p;
    const size_t ok = accepted(p, prefix);
    if (ok < prefix.size()) continue;  // the refusal was inside the prefix itself ("01")
    const std::string what = next.empty() ? std::string("(end)") : next;
    EXPECT_FALSE(p.push(next.empty() ? std::string_view("x") : std::string_view(next))) << prefix << " + " << what;
    // Unchanged: a valid continuation still works where one exists.
  }
  JsonPrefix zero;
  EXPECT_EQ(6u, accepted(zero, "{\"a\":01"));  // refused at the second digit
  JsonPrefix p;
  accepted(p, "{\"a\":");
  EXPECT_FALSE(p.push("}x"));
  EXPECT_TRUE(p.push("\"ok\"}"));  // the failed push left the state as it was
  EXPECT_TRUE(p.complete());
}

TEST(JsonPrefix, NestingDepthIsLimited) {
  JsonPrefix p;
  std::string deep = "{\"a\":";
  for (size_t i = 1; i < JsonPrefix::kMaxDepth; ++i) deep += "[";
  EXPECT_TRUE(p.push(deep));
  EXPECT_FALSE(p.push("["));
}

TEST(JsonPrefix, RunsOfWhitespaceBetweenTokensAreLimited) {
  JsonPrefix p;
  EXPECT_TRUE(p.push(std::string(JsonPrefix::kMaxSpaceRun, ' ')));
  EXPECT_FALSE(p.push("\n"));
  EXPECT_TRUE(p.push("{\n" + std::string(JsonPrefix::kMaxSpaceRun - 1, ' ') + "\"k\":"));
  EXPECT_FALSE(p.push(std::string(JsonPrefix::kMaxSpaceRun + 1, ' ')));
  EXPECT_FALSE(p.push("\n\n"));  // one line break per run
  EXPECT_TRUE(p.push("\n  \"" + std::string(200, ' ') + "\"}"));  // inside strings, any amount
  EXPECT_TRUE(p.complete());
}
