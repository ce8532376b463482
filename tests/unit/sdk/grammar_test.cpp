// GBNF text to a byte grammar, and the matcher stepping it.
#include <gtest/gtest.h>

#include <string>

#include "grammar/gbnf_parser.h"
#include "grammar/grammar_matcher.h"

namespace lantern::grammar {
namespace {

bool accepts(const std::string& gbnf, const std::string& text) { return grammar_accepts(parse_gbnf(gbnf), text); }

std::string error_of(const std::string& gbnf) {
  try {
    parse_gbnf(gbnf);
  } catch (const GrammarError& e) {
    return e.what();
  }
  return "";
}

TEST(Gbnf, LiteralsAlternativesAndGroups) {
  const std::string g = "root ::= \"yes\" | \"no\" | (\"may\" \"be\")";
  EXPECT_TRUE(accepts(g, "yes"));
  EXPECT_TRUE(accepts(g, "no"));
  EXPECT_TRUE(accepts(g, "maybe"));
  EXPECT_FALSE(accepts(g, "ye"));
  EXPECT_FALSE(accepts(g, "yess"));
  EXPECT_FALSE(accepts(g, ""));
}

TEST(Gbnf, RepetitionsCountExactly) {
  const std::string g = "root ::= [a-c]{2,4} \"-\" \"x\"* \"y\"+ \"z\"? digits\ndigits ::= [0-9]{3}";
  EXPECT_TRUE(accepts(g, "ab-y123"));
  EXPECT_TRUE(accepts(g, "abca-xxxyyz000"));
  EXPECT_FALSE(accepts(g, "a-y123"));       // fewer than 2
  EXPECT_FALSE(accepts(g, "abcab-y123"));   // more than 4
  EXPECT_FALSE(accepts(g, "ab-x123"));      // y+ needs one
  EXPECT_FALSE(accepts(g, "ab-y12"));
  EXPECT_FALSE(accepts(g, "ab-yzz123"));
  EXPECT_TRUE(accepts("root ::= (\"ab\" | \"c\"){2}", "abc"));
  EXPECT_FALSE(accepts("root ::= (\"ab\" | \"c\"){2}", "abcc"));
  EXPECT_TRUE(accepts("root ::= \"ab\"*", "ababab"));
  EXPECT_FALSE(accepts("root ::= \"ab\"*", "aba"));
}

TEST(Gbnf, ClassesAreCodePointsInUtf8) {
  const std::string g = "root ::= [^\"\\\\]* \"!\"";
  EXPECT_TRUE(accepts(g, "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80!"));  // é, €, 😀
  EXPECT_FALSE(accepts(g, "a\"b!"));
  EXPECT_FALSE(accepts(g, "\xC3!"));            // a lone lead byte
  EXPECT_FALSE(accepts(g, "\xED\xA0\x80!"));    // a surrogate
  EXPECT_FALSE(accepts(g, "\xC0\xAF!"));        // overlong
  EXPECT_TRUE(accepts("root ::= [α-ω]+", "λμ"));
  EXPECT_FALSE(accepts("root ::= [α-ω]+", "λA"));
  EXPECT_TRUE(accepts("root ::= .", "\xF4\x8F\xBF\xBF"));  // U+10FFFF
  EXPECT_TRUE(accepts("root ::= \"\\u00e9\\x41\\n\"", "\xC3\xA9" "A\n"));
}

TEST(Gbnf, RulesReferToEachOtherAndRecurse) {
  const std::string g = R"(
    # nested lists
    root ::= list
    list ::= "[" ( item ( "," item )* )? "]"
    item ::= list | [0-9]+
  )";
  EXPECT_TRUE(accepts(g, "[]"));
  EXPECT_TRUE(accepts(g, "[1,[2,[]],33]"));
  EXPECT_FALSE(accepts(g, "[1,]"));
  EXPECT_FALSE(accepts(g, "[[1]"));
  std::string deep(500, '[');
  deep += std::string(500, ']');
  EXPECT_TRUE(accepts(g, deep));
}

TEST(Gbnf, BadGrammarsNameTheProblem) {
  EXPECT_NE(error_of("root ::= foo").find("'foo' is used but never defined"), std::string::npos);
  EXPECT_NE(error_of("a ::= \"x\"").find("no 'root' rule"), std::string::npos);
  EXPECT_NE(error_of("root ::= root \"x\" | \"y\"").find("left-recursive"), std::string::npos);
  EXPECT_NE(error_of("root ::= e root | \"y\"\ne ::= \"\" | \"x\"").find("left-recursive"), std::string::npos);
  EXPECT_NE(error_of("root ::= (\"a\"?)*").find("left-recursive"), std::string::npos);
  EXPECT_NE(error_of("root ::= \"abc").find("line 1, column 14: unterminated"), std::string::npos);
  EXPECT_NE(error_of("root ::= \"a\"\n  x ::= [b").find("line 2"), std::string::npos);
  EXPECT_NE(error_of("root ::= [z-a]").find("end before its start"), std::string::npos);
  EXPECT_NE(error_of("root ::= \"a\"{3,2}").find("n < m"), std::string::npos);
  EXPECT_NE(error_of("root ::= \"a\"{99999999}").find("limit"), std::string::npos);
  EXPECT_NE(error_of("root ::= [^\\x00-\\U0010FFFF]").find("matches no string"), std::string::npos);
  EXPECT_NE(error_of("root ::= a\nroot ::= b").find("defined twice"), std::string::npos);
  EXPECT_NE(error_of("root ::= " + std::string(2000, '(')).find("nested deeper"), std::string::npos);
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
}

TEST(GrammarMatcher, AcceptsPrefixesAndKnowsWhenItMayEnd) {
  GrammarMatcher m(std::make_shared<Grammar>(parse_gbnf("root ::= \"{\" [a-z]* \"}\" | \"x\"")));
  EXPECT_FALSE(m.can_end());
  EXPECT_FALSE(m.accept("{A"));  // refused whole: state unchanged
  EXPECT_TRUE(m.accept("{ab"));
  EXPECT_FALSE(m.can_end());
  EXPECT_TRUE(m.accept("c}"));
  EXPECT_TRUE(m.can_end());
  EXPECT_TRUE(m.finished());
  EXPECT_FALSE(m.accept("}"));
}

TEST(GrammarMatcher, ForcedBytesStopAtABranchOrAnEnd) {
  GrammarMatcher m(std::make_shared<Grammar>(
      parse_gbnf("root ::= \"{\\\"name\\\": \\\"\" [a-z]+ \"\\\", \\\"age\\\": \" [0-9] \"}\"")));
  EXPECT_EQ(m.forced_bytes(), "{\"name\": \"");
  EXPECT_TRUE(m.accept("{\"name\": \"bo"));
  EXPECT_EQ(m.forced_bytes(), "");
  EXPECT_TRUE(m.accept("b\""));
  EXPECT_EQ(m.forced_bytes(), ", \"age\": ");
  EXPECT_TRUE(m.accept(", \"age\": 7"));
  EXPECT_EQ(m.forced_bytes(), "}");
}

TEST(GrammarMatcher, TooAmbiguousGrammarsHitTheStackLimit) {
  // After k a's, 2^k different closings are still possible: stacks that
  // share no tail. (Ambiguity alone is cheap: x* with overlapping x's keeps
  // one stack per position, since stacks are hash-consed.)
  auto g = std::make_shared<Grammar>(parse_gbnf("root ::= \"a\" root \"b\" | \"a\" root \"c\" | \"d\""));
  MatcherLimits limits;
  limits.max_stacks = 16;
  GrammarMatcher m(g, limits);
  EXPECT_THROW(
      {
        for (int i = 0; i < 100; ++i) m.accept("a");
      },
      GrammarError);
}

}  // namespace
}  // namespace lantern::grammar
