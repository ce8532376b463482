// Utf8Stream (never half a character out, U+FFFD as TextDecoder would) and
// the lenient decoder that mirrors how llama.cpp reads malformed prompts.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tokenizer/byte_unicode.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"
#include "support/test_files.h"

using lantern::Utf8Stream;
namespace utf8 = lantern::utf8;

namespace {

const std::string kFffd = "\xEF\xBF\xBD";


bool is_valid_utf8(const std::string& s) { return utf8::sanitize(s) == s; }

TEST(Utf8Stream, EveryMultiByteCharacterSplitAtEveryByte) {
  // 1-, 2-, 3- and 4-byte characters, and a ZWJ emoji sequence.
  const std::string text = "a\xC3\xA9z \xE2\x82\xAC \xF0\x9F\x98\x80 \xE4\xBD\xA0\xE5\xA5\xBD \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9";
  size_t splits = 0;
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    Utf8Stream s;
    const std::string first = s.push(text.substr(0, cut));
    EXPECT_TRUE(is_valid_utf8(first)) << "cut " << cut;
    EXPECT_EQ(first.size() + s.pending(), cut) << "cut " << cut;
    EXPECT_EQ(text.compare(0, first.size(), first), 0) << "cut " << cut;
    const std::string second = s.push(text.substr(cut));
    EXPECT_EQ(first + second, text) << "cut " << cut;
    EXPECT_EQ(s.pending(), 0u);
    EXPECT_EQ(s.flush(), "");
    ++splits;
  }
  EXPECT_EQ(splits, text.size() + 1);
}

TEST(Utf8Stream, ByteByByteHoldsIncompleteTails) {
  const std::string euro = "\xE2\x82\xAC";
  Utf8Stream s;
  EXPECT_EQ(s.push(euro.substr(0, 1)), "");
  EXPECT_EQ(s.pending(), 1u);
  EXPECT_EQ(s.push(euro.substr(1, 1)), "");
  EXPECT_EQ(s.pending(), 2u);
  EXPECT_EQ(s.push(euro.substr(2, 1)), euro);
  EXPECT_EQ(s.pending(), 0u);
  // Three pieces of one 4-byte character, then plain ASCII.
  EXPECT_EQ(s.push("\xF0"), "");
  EXPECT_EQ(s.push("\x9F\x98"), "");
  EXPECT_EQ(s.push("\x80!"), "\xF0\x9F\x98\x80!");
}

struct InvalidCase {
  const char* hex;
  const char* expected;  // TextDecoder's output ("~" stands for U+FFFD)
};

class Utf8StreamInvalid : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(Utf8StreamInvalid, ReplacedAsTextDecoderDoes) {
  std::string want;
  for (const char* p = GetParam().expected; *p; ++p) want += (*p == '~') ? kFffd : std::string(1, *p);
  Utf8Stream s;
  std::string out = s.push(lantern::test::from_hex(GetParam().hex));
  out += s.flush();
  EXPECT_EQ(out, want) << GetParam().hex;
  EXPECT_EQ(utf8::sanitize(lantern::test::from_hex(GetParam().hex)), want);
}

// Expected values taken from Node's TextDecoder on the same bytes.
INSTANTIATE_TEST_SUITE_P(Cases, Utf8StreamInvalid,
                         ::testing::Values(InvalidCase{"ff", "~"}, InvalidCase{"c328", "~("},
                                           InvalidCase{"e282", "~"}, InvalidCase{"eda080", "~~~"},
                                           InvalidCase{"f09f98", "~"}, InvalidCase{"f09f9841", "~A"},
                                           InvalidCase{"c0af", "~~"}, InvalidCase{"f4908080", "~~~~"},
                                           InvalidCase{"e080af", "~~~"}, InvalidCase{"f8888080", "~~~~"},
                                           InvalidCase{"61e282e282", "a~~"}, InvalidCase{"80bf", "~~"}));

TEST(Utf8Stream, InvalidTailIsReplacedOnlyAtFlush) {
  Utf8Stream s;
  EXPECT_EQ(s.push("ok\xE2\x82"), "ok");
  EXPECT_EQ(s.pending(), 2u);
  EXPECT_EQ(s.flush(), kFffd);
  EXPECT_EQ(s.pending(), 0u);
  // A byte that cannot continue the held sequence releases it at once.
  EXPECT_EQ(s.push("\xE2\x82"), "");
  EXPECT_EQ(s.push("x"), kFffd + "x");
  EXPECT_EQ(s.pending(), 0u);
}

TEST(Utf8Lenient, ReadsMalformedTextLikeLlamaCpp) {
  const auto cpts = [](const std::string& s) { return utf8::decode_all_lenient(s); };
  using V = std::vector<uint32_t>;
  EXPECT_EQ(cpts("a\xC3\xA9"), (V{'a', 0xE9}));
  EXPECT_EQ(cpts("\xC0\x80"), (V{0}));                      // overlong accepted
  EXPECT_EQ(cpts("\xED\xA0\x80"), (V{0xD800}));             // surrogate accepted
  EXPECT_EQ(cpts("\x80x"), (V{0xFFFD, 'x'}));               // stray continuation
  EXPECT_EQ(cpts("\xE2\x82"), (V{0xFFFD, 0xFFFD}));         // cut: each byte alone
  EXPECT_EQ(cpts("\xF8\x88"), (V{0xFFFD, 0xFFFD}));         // no 5-byte forms
  EXPECT_EQ(cpts("\xF7\xBF\xBF\xBF"), (V{0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD}));  // past U+10FFFF
  EXPECT_EQ(utf8::encode(0xD800), "\xED\xA0\x80");
  EXPECT_EQ(utf8::encode(0x1F600), "\xF0\x9F\x98\x80");
  EXPECT_EQ(utf8::encode(0x110000), kFffd);
}

TEST(ByteUnicode, GptTwoAlphabetIsABijection) {
  std::vector<bool> seen(0x200, false);
  for (int b = 0; b < 256; ++b) {
    const std::string& s = lantern::byte_unicode::byte_to_utf8(static_cast<uint8_t>(b));
    size_t pos = 0;
    const uint32_t cpt = utf8::decode_lenient(s, pos);
    EXPECT_EQ(pos, s.size());
    ASSERT_LT(cpt, 0x200u);
    EXPECT_FALSE(seen[cpt]);
    seen[cpt] = true;
    EXPECT_EQ(lantern::byte_unicode::codepoint_to_byte(cpt), b);
  }
  EXPECT_EQ(lantern::byte_unicode::byte_to_utf8(' '), "\xC4\xA0");  // "Ġ"
  EXPECT_EQ(lantern::byte_unicode::byte_to_utf8('A'), "A");
  EXPECT_EQ(lantern::byte_unicode::codepoint_to_byte(0x4E00), -1);
}

}  // namespace
