// Where one JSON value ends in a stream of bytes, and whether it is valid
// JSON (RFC 8259) up to there: the tool-call parser scans a call's values
// with it as they are generated, so it knows when the arguments close and
// when they stop being JSON. Unlike sampling/json_prefix.h (a constraint on
// what may be generated), it takes any whitespace and any value, not only
// objects, and limits nothing but nesting depth.
#pragma once
#include <cstdint>
#include <string>

namespace lantern {

// JSON's whitespace (RFC 8259): space, tab, line feed, carriage return.
inline bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class JsonValueScanner {
 public:
  static constexpr size_t kMaxDepth = 512;

  enum class Result {
    More,            // the byte is part of the value; it goes on
    Done,            // the byte ended the value (a closing bracket, quote, or a literal's last letter)
    DoneBefore,      // the value (a number) ended just before this byte, which is not part of it
    Error,           // the byte cannot continue valid JSON
  };
  // Leading whitespace is skipped (More). After Done, DoneBefore or Error the
  // scanner must not be pushed again.
  Result push(char c);
  bool started() const { return state_ != State::Start; }

 private:
  enum class State : uint8_t {
    Start, Value, KeyOrEnd, Key, Colon, CommaOrEnd, ValueOrEnd,
    String, Escape, Unicode,
    Minus, Zero, Int, Dot, Frac, Exp, ExpSign, ExpInt,
    Literal,
  };
  Result begin_value(char c);
  Result end_value();  // a value inside (or at) the top level is complete
  Result number_end(char c);

  State state_ = State::Start;
  bool string_is_key_ = false;
  uint8_t unicode_left_ = 0;
  const char* literal_rest_ = nullptr;
  std::string stack_;  // '{' or '[' per open container
};

}  // namespace lantern
