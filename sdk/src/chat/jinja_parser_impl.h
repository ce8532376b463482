// Internal to the parser files: the recursive-descent Parser class. Statement
// rules live in jinja_parser.cpp, expression rules in jinja_parser_expr.cpp.
#pragma once
#include <algorithm>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "chat/jinja_ast.h"
#include "chat/jinja_error.h"
#include "chat/jinja_lexer.h"
#include "chat/jinja_parser.h"

namespace lantern::jinja {

class Parser {
 public:
  explicit Parser(std::vector<Token> toks) : t_(std::move(toks)) {}

  StmtList parse_all() {
    StmtList body = parse_body({});
    if (peek().type != TokenType::Eof) {
      // parse_body stopped at an end tag nobody opened
      fail("unexpected '" + t_[pos_ + 1].text + "' without a matching opening tag", t_[pos_ + 1]);
    }
    return body;
  }

 private:
  // ---- token helpers ----
  const Token& peek(size_t k = 0) const {
    size_t i = pos_ + k;
    return i < t_.size() ? t_[i] : t_.back();
  }
  const Token& next() {
    const Token& tk = t_[pos_];
    if (pos_ + 1 < t_.size()) ++pos_;
    return tk;
  }
  bool is_op(const char* op, size_t k = 0) const {
    return peek(k).type == TokenType::Op && peek(k).text == op;
  }
  bool is_name(const char* n, size_t k = 0) const {
    return peek(k).type == TokenType::Name && peek(k).text == n;
  }
  bool skip_op(const char* op) {
    if (!is_op(op)) return false;
    next();
    return true;
  }
  bool skip_name(const char* n) {
    if (!is_name(n)) return false;
    next();
    return true;
  }
  [[noreturn]] void fail(const std::string& msg, const Token& at) const {
    throw JinjaError(ErrorKind::Syntax, msg, at.line, at.col);
  }
  static std::string describe(const Token& tk) {
    switch (tk.type) {
      case TokenType::Eof: return "end of template";
      case TokenType::Text: return "text";
      case TokenType::VarBegin: return "'{{'";
      case TokenType::VarEnd: return "'}}'";
      case TokenType::BlockBegin: return "'{%'";
      case TokenType::BlockEnd: return "'%}'";
      case TokenType::String: return "string literal";
      default: return "'" + tk.text + "'";
    }
  }
  void expect_op(const char* op) {
    if (!skip_op(op)) fail(std::string("expected '") + op + "', got " + describe(peek()), peek());
  }
  std::string expect_name(const char* what) {
    if (peek().type != TokenType::Name) fail(std::string("expected ") + what + ", got " + describe(peek()), peek());
    return next().text;
  }
  void expect_block_end(const char* tag) {
    if (peek().type != TokenType::BlockEnd) {
      fail(std::string("expected '%}' to end '") + tag + "', got " + describe(peek()), peek());
    }
    next();
  }

  struct DepthGuard {
    Parser& p;
    DepthGuard(Parser& parser, const Token& at) : p(parser) {
      if (++p.depth_ > kMaxParseDepth) p.fail("template nests too deeply", at);
    }
    ~DepthGuard() { --p.depth_; }
  };

  ExprPtr node(ExprKind k, const Token& at) {
    auto e = std::make_unique<Expr>();
    e->kind = k;
    e->line = at.line;
    e->col = at.col;
    return e;
  }
  // Sets the height from the children and enforces the limit.
  ExprPtr finish(ExprPtr e) {
    int h = 0;
    for (const auto& c : e->children) {
      if (c) h = std::max(h, c->height);
    }
    for (const auto& kv : e->kwargs) h = std::max(h, kv.second->height);
    e->height = h + 1;
    if (e->height > kMaxExprHeight) {
      throw JinjaError(ErrorKind::Syntax, "expression too deeply nested", e->line, e->col);
    }
    return e;
  }

  // ---- statements ----
  // Parses until EOF or a block tag whose name is in `ends` (left unconsumed:
  // pos_ points at its '{%').
  StmtList parse_body(std::initializer_list<const char*> ends);

  static bool is_end_tag(const std::string& n);

  // Consumes '{% name' of the expected end tag; reports a clear error otherwise.
  void expect_end(const char* name, const Token& opened_at, const char* opened);

  StmtPtr parse_statement();

  std::vector<std::string> parse_targets();

  // ---- expressions ----
  // An expression, or a comma-separated tuple (a list value) of them.
  ExprPtr parse_tuple(bool with_condexpr);

  ExprPtr parse_expression(bool with_condexpr);

  ExprPtr binary(ExprKind k, const Token& at, ExprPtr l, ExprPtr r, std::string op = {});

  ExprPtr parse_or();
  ExprPtr parse_and();
  ExprPtr parse_not();
  ExprPtr parse_compare();
  ExprPtr parse_math1();
  ExprPtr parse_concat();
  ExprPtr parse_math2();
  ExprPtr parse_pow();
  ExprPtr parse_unary(bool with_filter);

  ExprPtr parse_primary();

  ExprPtr parse_postfix(ExprPtr e);

  ExprPtr parse_subscript(ExprPtr obj, const Token& at);

  // Parses "( args )" into e's children[1..] / kwargs.
  void parse_call_args(Expr& e);

  ExprPtr parse_call(ExprPtr callee, const Token& at);

  ExprPtr parse_filter(ExprPtr subject, const Token& at);

  ExprPtr parse_filter_expr(ExprPtr e);

  // jinja2 allows one test argument without parentheses: `x is divisibleby 3`.
  bool starts_bare_test_arg() const;

  std::vector<Token> t_;
  size_t pos_ = 0;
  int depth_ = 0;
  int loop_depth_ = 0;
  int loop_refs_ = 0;  // how many times the name `loop` was parsed so far
};

}  // namespace lantern::jinja
