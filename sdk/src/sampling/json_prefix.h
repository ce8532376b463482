// Whether the text generated so far can still become one JSON object (RFC
// 8259, top level an object as OpenAI's response_format json_object asks),
// fed byte by byte. The state is a small value (copy it to try a token's
// bytes and keep the copy only if they fit). Strings take any byte >= 0x20
// (UTF-8 is the tokenizer's business); numbers follow the JSON grammar
// exactly; nesting depth and runs of whitespace between tokens are limited
// (as llama.cpp's JSON grammar does) so a model cannot pad or nest forever.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace lantern {

class JsonPrefix {
 public:
  static constexpr size_t kMaxDepth = 64;
  static constexpr uint8_t kMaxSpaceRun = 24;  // bytes: a line break and an indent
  static constexpr uint8_t kMaxBreaksInRun = 1;

  // False (and the state unchanged) when `bytes` cannot continue the prefix.
  bool push(std::string_view bytes);
  // The top-level object has closed: nothing more may follow but whitespace.
  bool complete() const { return state_ == State::Done; }
  // Inside a string, where any text goes (a hint for tests and callers).
  bool in_string() const { return state_ == State::String || state_ == State::Escape || state_ == State::Unicode; }

 private:
  enum class State : uint8_t {
    Start,        // before the top-level '{'
    ValueOrEnd,   // after '[': a value or ']'
    Value,        // after ':' or an array's ',': a value
    KeyOrEnd,     // after '{': a key or '}'
    Key,          // after an object's ',': a key
    Colon,        // after a key
    CommaOrEnd,   // after a value inside a container
    String, Escape, Unicode,
    Minus, Zero, Int, Dot, Frac, Exp, ExpSign, ExpInt,
    Literal,      // inside true / false / null
    Done,
  };
  bool step(char c);
  bool space(char c);  // whitespace between tokens, counted
  bool begin_value(char c);
  void end_value();

  State state_ = State::Start;
  bool string_is_key_ = false;
  uint8_t unicode_left_ = 0;
  uint8_t space_run_ = 0, breaks_in_run_ = 0;
  const char* literal_rest_ = nullptr;  // what a literal still needs
  std::string stack_;                   // '{' or '[' per open container
};

}  // namespace lantern
