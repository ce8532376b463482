#include "chat/json_value_scanner.h"

namespace lantern {

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
}  // namespace

JsonValueScanner::Result JsonValueScanner::begin_value(char c) {
  switch (c) {
    case '{':
    case '[':
      if (stack_.size() >= kMaxDepth) return Result::Error;
      stack_.push_back(c);
      state_ = c == '{' ? State::KeyOrEnd : State::ValueOrEnd;
      return Result::More;
    case '"':
      state_ = State::String;
      string_is_key_ = false;
      return Result::More;
    case '-': state_ = State::Minus; return Result::More;
    case '0': state_ = State::Zero; return Result::More;
    case 't': literal_rest_ = "rue"; state_ = State::Literal; return Result::More;
    case 'f': literal_rest_ = "alse"; state_ = State::Literal; return Result::More;
    case 'n': literal_rest_ = "ull"; state_ = State::Literal; return Result::More;
    default:
      if (c >= '1' && c <= '9') {
        state_ = State::Int;
        return Result::More;
      }
      return Result::Error;
  }
}

JsonValueScanner::Result JsonValueScanner::end_value() {
  if (stack_.empty()) return Result::Done;
  state_ = State::CommaOrEnd;
  return Result::More;
}

JsonValueScanner::Result JsonValueScanner::number_end(char c) {
  if (stack_.empty()) return Result::DoneBefore;
  state_ = State::CommaOrEnd;
  return push(c);  // the byte belongs to the container around the number
}

JsonValueScanner::Result JsonValueScanner::push(char c) {
  switch (state_) {
    case State::Start:
    case State::Value:
      if (is_json_space(c)) return Result::More;
      return begin_value(c);
    case State::ValueOrEnd:
      if (is_json_space(c)) return Result::More;
      if (c == ']') {
        stack_.pop_back();
        return end_value();
      }
      return begin_value(c);
    case State::KeyOrEnd:
    case State::Key:
      if (is_json_space(c)) return Result::More;
      if (c == '}' && state_ == State::KeyOrEnd) {
        stack_.pop_back();
        return end_value();
      }
      if (c != '"') return Result::Error;
      state_ = State::String;
      string_is_key_ = true;
      return Result::More;
    case State::Colon:
      if (is_json_space(c)) return Result::More;
      if (c != ':') return Result::Error;
      state_ = State::Value;
      return Result::More;
    case State::CommaOrEnd:
      if (is_json_space(c)) return Result::More;
      if (c == ',') {
        state_ = stack_.back() == '{' ? State::Key : State::Value;
        return Result::More;
      }
      if ((c == '}' && stack_.back() == '{') || (c == ']' && stack_.back() == '[')) {
        stack_.pop_back();
        return end_value();
      }
      return Result::Error;
    case State::String:
      if (c == '"') {
        if (!string_is_key_) return end_value();
        state_ = State::Colon;
        return Result::More;
      }
      if (c == '\\') state_ = State::Escape;
      else if (static_cast<unsigned char>(c) < 0x20) return Result::Error;
      return Result::More;
    case State::Escape:
      if (c == 'u') {
        state_ = State::Unicode;
        unicode_left_ = 4;
        return Result::More;
      }
      if (c != '"' && c != '\\' && c != '/' && c != 'b' && c != 'f' && c != 'n' && c != 'r' && c != 't')
        return Result::Error;
      state_ = State::String;
      return Result::More;
    case State::Unicode:
      if (!is_hex(c)) return Result::Error;
      if (--unicode_left_ == 0) state_ = State::String;
      return Result::More;
    case State::Minus:
      if (c == '0') state_ = State::Zero;
      else if (is_digit(c)) state_ = State::Int;
      else return Result::Error;
      return Result::More;
    case State::Zero:
    case State::Int:
      if (is_digit(c) && state_ == State::Int) return Result::More;
      if (c == '.') state_ = State::Dot;
      else if (c == 'e' || c == 'E') state_ = State::Exp;
      else if (is_digit(c)) return Result::Error;  // "01"
      else return number_end(c);
      return Result::More;
    case State::Dot:
      if (!is_digit(c)) return Result::Error;
      state_ = State::Frac;
      return Result::More;
    case State::Frac:
      if (is_digit(c)) return Result::More;
      if (c == 'e' || c == 'E') {
        state_ = State::Exp;
        return Result::More;
      }
      return number_end(c);
    case State::Exp:
      if (c == '+' || c == '-') state_ = State::ExpSign;
      else if (is_digit(c)) state_ = State::ExpInt;
      else return Result::Error;
      return Result::More;
    case State::ExpSign:
      if (!is_digit(c)) return Result::Error;
      state_ = State::ExpInt;
      return Result::More;
    case State::ExpInt:
      if (is_digit(c)) return Result::More;
      return number_end(c);
    case State::Literal:
      if (c != *literal_rest_) return Result::Error;
      if (*++literal_rest_ == '\0') return end_value();
      return Result::More;
  }
  return Result::Error;
}

}  // namespace lantern
