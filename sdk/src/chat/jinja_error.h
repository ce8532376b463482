// The one exception the Jinja interpreter throws. Templates are untrusted model
// metadata, so every failure (bad syntax, a type error at render time, a
// template's own raise_exception, a step/depth/size limit) ends here with a
// kind a caller can branch on and the template line/column it happened at.
#pragma once
#include <stdexcept>
#include <string>

namespace lantern::jinja {

enum class ErrorKind {
  Syntax,   // the template text does not parse
  Runtime,  // a type error, an undefined value used wrongly, a bad call
  Raised,   // the template called raise_exception(msg)
  Limit,    // step, recursion depth or output size limit exceeded
};

const char* error_kind_name(ErrorKind k);

class JinjaError : public std::runtime_error {
 public:
  // line/col are 1-based; 0 means "not known yet" (the evaluator fills them in
  // from the node being evaluated when the error passes through it).
  JinjaError(ErrorKind kind, std::string message, int line = 0, int col = 0);

  ErrorKind kind() const { return kind_; }
  int line() const { return line_; }
  int col() const { return col_; }
  // The message without the location prefix.
  const std::string& detail() const { return detail_; }
  // A copy with the location set (used when a builtin's error surfaces at a node).
  JinjaError at(int line, int col) const { return JinjaError(kind_, detail_, line, col); }

 private:
  ErrorKind kind_;
  std::string detail_;
  int line_;
  int col_;
};

// A render-time type error or bad call from a builtin.
[[noreturn]] inline void runtime_fail(const std::string& msg) { throw JinjaError(ErrorKind::Runtime, msg); }

}  // namespace lantern::jinja
