#include "sampling/json_prefix.h"

namespace lantern {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
}  // namespace

bool JsonPrefix::push(std::string_view bytes) {
  const JsonPrefix before = *this;
  for (char c : bytes) {
    if (!step(c)) {
      *this = before;
      return false;
    }
  }
  return true;
}

void JsonPrefix::end_value() {
  state_ = stack_.empty() ? State::Done : State::CommaOrEnd;
}

bool JsonPrefix::begin_value(char c) {
  switch (c) {
    case '{':
    case '[':
      if (stack_.size() >= kMaxDepth) return false;
      stack_.push_back(c);
      state_ = c == '{' ? State::KeyOrEnd : State::ValueOrEnd;
      return true;
    case '"': state_ = State::String; string_is_key_ = false; return true;
    case '-': state_ = State::Minus; return true;
    case '0': state_ = State::Zero; return true;
    case 't': state_ = State::Literal; literal_rest_ = "rue"; return true;
    case 'f': state_ = State::Literal; literal_rest_ = "alse"; return true;
    case 'n': state_ = State::Literal; literal_rest_ = "ull"; return true;
    default:
      if (c >= '1' && c <= '9') {
        state_ = State::Int;
        return true;
      }
      return false;
  }
}

bool JsonPrefix::space(char c) {
  if (space_run_ >= kMaxSpaceRun) return false;
  if (c == '\n' && breaks_in_run_++ >= kMaxBreaksInRun) return false;
  ++space_run_;
  return true;
}

bool JsonPrefix::step(char c) {
  if (!is_space(c)) space_run_ = breaks_in_run_ = 0;
  switch (state_) {
    case State::Start:
      if (is_space(c)) return space(c);
      return c == '{' && begin_value(c);
    case State::ValueOrEnd:
      if (c == ']') {
        stack_.pop_back();
        end_value();
        return true;
      }
      [[fallthrough]];
    case State::Value:
      return is_space(c) ? space(c) : begin_value(c);
    case State::KeyOrEnd:
      if (c == '}') {
        stack_.pop_back();
        end_value();
        return true;
      }
      [[fallthrough]];
    case State::Key:
      if (is_space(c)) return space(c);
      if (c != '"') return false;
      state_ = State::String;
      string_is_key_ = true;
      return true;
    case State::Colon:
      if (is_space(c)) return space(c);
      if (c != ':') return false;
      state_ = State::Value;
      return true;
    case State::CommaOrEnd: {
      if (is_space(c)) return space(c);
      const char open = stack_.back();
      if (c == ',') {
        state_ = open == '{' ? State::Key : State::Value;
        return true;
      }
      if ((open == '{' && c == '}') || (open == '[' && c == ']')) {
        stack_.pop_back();
        end_value();
        return true;
      }
      return false;
    }
    case State::String:
      if (c == '"') {
        if (string_is_key_) state_ = State::Colon;
        else end_value();
        return true;
      }
      if (c == '\\') {
        state_ = State::Escape;
        return true;
      }
      return static_cast<unsigned char>(c) >= 0x20;
    case State::Escape:
      if (c == 'u') {
        state_ = State::Unicode;
        unicode_left_ = 4;
        return true;
      }
      if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't') {
        state_ = State::String;
        return true;
      }
      return false;
    case State::Unicode:
      if (!is_hex(c)) return false;
      if (--unicode_left_ == 0) state_ = State::String;
      return true;
    case State::Literal:
      if (c != *literal_rest_) return false;
      if (*++literal_rest_ == '\0') end_value();
      return true;
    case State::Minus:
      if (c == '0') state_ = State::Zero;
      else if (is_digit(c)) state_ = State::Int;
      else return false;
      return true;
    case State::Dot:
      if (!is_digit(c)) return false;
      state_ = State::Frac;
      return true;
    case State::Exp:
      if (c == '+' || c == '-') state_ = State::ExpSign;
      else if (is_digit(c)) state_ = State::ExpInt;
      else return false;
      return true;
    case State::ExpSign:
      if (!is_digit(c)) return false;
      state_ = State::ExpInt;
      return true;
    case State::Zero:
    case State::Int:
    case State::Frac:
    case State::ExpInt:
      // A number may go on; any other byte ends it and is read after it.
      if (is_digit(c) && state_ != State::Zero) return true;
      if (c == '.' && (state_ == State::Zero || state_ == State::Int)) {
        state_ = State::Dot;
        return true;
      }
      if ((c == 'e' || c == 'E') && state_ != State::ExpInt) {
        state_ = State::Exp;
        return true;
      }
      end_value();  // numbers only occur inside containers, so this is CommaOrEnd
      return step(c);
    case State::Done:
      return is_space(c) && space(c);
  }
  return false;
}

}  // namespace lantern
