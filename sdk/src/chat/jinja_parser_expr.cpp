// Expression rules of the parser, with jinja2's precedence from loosest to
// tightest: conditional, or, and, not, comparisons (in, ==, <, ...), + -, ~,
// * / // %, **, unary - +, then postfix (.attr, [index], (call)) and filters
// / tests, which bind tighter than any binary operator.
#include <cerrno>
#include <cstdlib>

#include "chat/jinja_parser_impl.h"

namespace lantern::jinja {

ExprPtr Parser::parse_tuple(bool with_condexpr) {
  const Token& at = peek();
  ExprPtr first = parse_expression(with_condexpr);
  if (!is_op(",")) return first;
  auto list = node(ExprKind::List, at);
  list->children.push_back(std::move(first));
  while (skip_op(",")) {
    if (peek().type == TokenType::VarEnd || peek().type == TokenType::BlockEnd || is_name("if")) break;
    list->children.push_back(parse_expression(with_condexpr));
  }
  return finish(std::move(list));
}

ExprPtr Parser::parse_expression(bool with_condexpr) {
  DepthGuard guard(*this, peek());
  if (!with_condexpr) return parse_or();
  ExprPtr e = parse_or();
  while (is_name("if")) {
    const Token& at = next();
    auto c = node(ExprKind::CondExpr, at);
    c->children.push_back(std::move(e));
    c->children.push_back(parse_or());
    c->children.push_back(skip_name("else") ? parse_expression(true) : nullptr);
    e = finish(std::move(c));
  }
  return e;
}

ExprPtr Parser::binary(ExprKind k, const Token& at, ExprPtr l, ExprPtr r, std::string op) {
  auto e = node(k, at);
  e->name = std::move(op);
  e->children.push_back(std::move(l));
  e->children.push_back(std::move(r));
  return finish(std::move(e));
}

ExprPtr Parser::parse_or() {
  ExprPtr l = parse_and();
  while (is_name("or")) {
    const Token& at = next();
    l = binary(ExprKind::Or, at, std::move(l), parse_and());
  }
  return l;
}

ExprPtr Parser::parse_and() {
  ExprPtr l = parse_not();
  while (is_name("and")) {
    const Token& at = next();
    l = binary(ExprKind::And, at, std::move(l), parse_not());
  }
  return l;
}

ExprPtr Parser::parse_not() {
  if (is_name("not")) {
    const Token& at = next();
    DepthGuard guard(*this, at);
    auto e = node(ExprKind::Not, at);
    e->children.push_back(parse_not());
    return finish(std::move(e));
  }
  return parse_compare();
}

ExprPtr Parser::parse_compare() {
  const Token& at = peek();
  ExprPtr first = parse_math1();
  ExprPtr cmp;
  while (true) {
    std::string op;
    if (peek().type == TokenType::Op &&
        (peek().text == "==" || peek().text == "!=" || peek().text == "<" || peek().text == "<=" ||
         peek().text == ">" || peek().text == ">=")) {
      op = next().text;
    } else if (is_name("in")) {
      next();
      op = "in";
    } else if (is_name("not") && is_name("in", 1)) {
      next();
      next();
      op = "notin";
    } else {
      break;
    }
    if (!cmp) {
      cmp = node(ExprKind::Compare, at);
      cmp->children.push_back(std::move(first));
    }
    cmp->ops.push_back(op);
    cmp->children.push_back(parse_math1());
    cmp = finish(std::move(cmp));
  }
  return cmp ? std::move(cmp) : std::move(first);
}

ExprPtr Parser::parse_math1() {
  ExprPtr l = parse_concat();
  while (is_op("+") || is_op("-")) {
    const Token& at = next();
    l = binary(ExprKind::Binary, at, std::move(l), parse_concat(), at.text);
  }
  return l;
}

ExprPtr Parser::parse_concat() {
  ExprPtr l = parse_math2();
  while (is_op("~")) {
    const Token& at = next();
    l = binary(ExprKind::Binary, at, std::move(l), parse_math2(), "~");
  }
  return l;
}

ExprPtr Parser::parse_math2() {
  ExprPtr l = parse_pow();
  while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
    const Token& at = next();
    l = binary(ExprKind::Binary, at, std::move(l), parse_pow(), at.text);
  }
  return l;
}

ExprPtr Parser::parse_pow() {
  ExprPtr l = parse_unary(true);
  while (is_op("**")) {
    const Token& at = next();
    l = binary(ExprKind::Binary, at, std::move(l), parse_unary(true), "**");
  }
  return l;
}

ExprPtr Parser::parse_unary(bool with_filter) {
  const Token& at = peek();
  DepthGuard guard(*this, at);
  ExprPtr e;
  if (is_op("-") || is_op("+")) {
    next();
    e = node(ExprKind::Unary, at);
    e->name = at.text;
    e->children.push_back(parse_unary(false));
    e = finish(std::move(e));
  } else {
    e = parse_primary();
  }
  e = parse_postfix(std::move(e));
  if (with_filter) e = parse_filter_expr(std::move(e));
  return e;
}

ExprPtr Parser::parse_primary() {
  const Token& tk = peek();
  switch (tk.type) {
    case TokenType::Name: {
      next();
      auto e = node(ExprKind::Literal, tk);
      if (tk.text == "true" || tk.text == "True") e->literal = Value(true);
      else if (tk.text == "false" || tk.text == "False") e->literal = Value(false);
      else if (tk.text == "none" || tk.text == "None") e->literal = Value::none();
      else {
        e->kind = ExprKind::Name;
        e->name = tk.text;
        if (tk.text == "loop") ++loop_refs_;
      }
      return e;
    }
    case TokenType::String: {
      std::string s;
      while (peek().type == TokenType::String) s += next().text;  // adjacent literals join
      auto e = node(ExprKind::Literal, tk);
      e->literal = Value(std::move(s));
      return e;
    }
    case TokenType::Int: {
      next();
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(tk.text.c_str(), &end, 10);
      if (errno == ERANGE) fail("integer literal too large", tk);
      auto e = node(ExprKind::Literal, tk);
      e->literal = Value(static_cast<int64_t>(v));
      return e;
    }
    case TokenType::Float: {
      next();
      auto e = node(ExprKind::Literal, tk);
      e->literal = Value(std::strtod(tk.text.c_str(), nullptr));
      return e;
    }
    case TokenType::Op:
      if (tk.text == "(") {
        next();
        if (skip_op(")")) return finish(node(ExprKind::List, tk));
        ExprPtr inner = parse_expression(true);
        if (is_op(",")) {
          auto list = node(ExprKind::List, tk);
          list->children.push_back(std::move(inner));
          while (skip_op(",")) {
            if (is_op(")")) break;
            list->children.push_back(parse_expression(true));
          }
          inner = finish(std::move(list));
        }
        expect_op(")");
        return inner;
      }
      if (tk.text == "[") {
        next();
        auto list = node(ExprKind::List, tk);
        while (!is_op("]")) {
          list->children.push_back(parse_expression(true));
          if (!skip_op(",")) break;
        }
        expect_op("]");
        return finish(std::move(list));
      }
      if (tk.text == "{") {
        next();
        auto dict = node(ExprKind::Dict, tk);
        while (!is_op("}")) {
          dict->children.push_back(parse_expression(true));
          expect_op(":");
          dict->children.push_back(parse_expression(true));
          if (!skip_op(",")) break;
        }
        expect_op("}");
        return finish(std::move(dict));
      }
      break;
    default: break;
  }
  fail("unexpected " + describe(tk) + " in expression", tk);
}

ExprPtr Parser::parse_postfix(ExprPtr e) {
  while (true) {
    const Token& at = peek();
    if (is_op(".")) {
      next();
      if (peek().type == TokenType::Int) {  // foo.0 is foo[0]
        auto idx = node(ExprKind::Literal, peek());
        idx->literal = Value(static_cast<int64_t>(std::strtoll(next().text.c_str(), nullptr, 10)));
        auto s = node(ExprKind::Subscript, at);
        s->children.push_back(std::move(e));
        s->children.push_back(std::move(idx));
        e = finish(std::move(s));
        continue;
      }
      auto a = node(ExprKind::Attr, at);
      a->name = expect_name("an attribute name after '.'");
      a->children.push_back(std::move(e));
      e = finish(std::move(a));
    } else if (is_op("[")) {
      next();
      e = parse_subscript(std::move(e), at);
    } else if (is_op("(")) {
      e = parse_call(std::move(e), at);
    } else {
      return e;
    }
  }
}

ExprPtr Parser::parse_subscript(ExprPtr obj, const Token& at) {
  ExprPtr start;
  if (!is_op(":")) {
    start = parse_expression(true);
    if (!is_op(":")) {
      expect_op("]");
      auto s = node(ExprKind::Subscript, at);
      s->children.push_back(std::move(obj));
      s->children.push_back(std::move(start));
      return finish(std::move(s));
    }
  }
  expect_op(":");
  ExprPtr stop, step;
  if (!is_op("]") && !is_op(":")) stop = parse_expression(true);
  if (skip_op(":") && !is_op("]")) step = parse_expression(true);
  expect_op("]");
  auto s = node(ExprKind::Slice, at);
  s->children.push_back(std::move(obj));
  s->children.push_back(std::move(start));
  s->children.push_back(std::move(stop));
  s->children.push_back(std::move(step));
  return finish(std::move(s));
}

void Parser::parse_call_args(Expr& e) {
  expect_op("(");
  while (!is_op(")")) {
    if (peek().type == TokenType::Name && is_op("=", 1)) {
      std::string k = next().text;
      next();
      e.kwargs.emplace_back(std::move(k), parse_expression(true));
    } else {
      if (!e.kwargs.empty()) fail("positional argument after keyword argument", peek());
      e.children.push_back(parse_expression(true));
    }
    if (!skip_op(",")) break;
  }
  expect_op(")");
}

ExprPtr Parser::parse_call(ExprPtr callee, const Token& at) {
  auto c = node(ExprKind::Call, at);
  c->children.push_back(std::move(callee));
  parse_call_args(*c);
  return finish(std::move(c));
}

ExprPtr Parser::parse_filter(ExprPtr subject, const Token& at) {
  auto f = node(ExprKind::Filter, at);
  f->name = expect_name("a filter name after '|'");
  f->children.push_back(std::move(subject));
  if (is_op("(")) parse_call_args(*f);
  return finish(std::move(f));
}

ExprPtr Parser::parse_filter_expr(ExprPtr e) {
  while (true) {
    const Token& at = peek();
    if (is_op("|")) {
      next();
      e = parse_filter(std::move(e), at);
    } else if (is_name("is")) {
      next();
      auto t = node(ExprKind::Test, at);
      t->negated = skip_name("not");
      t->name = expect_name("a test name after 'is'");
      t->children.push_back(std::move(e));
      if (is_op("(")) {
        parse_call_args(*t);
      } else if (starts_bare_test_arg()) {
        t->children.push_back(parse_postfix(parse_primary()));
      }
      e = finish(std::move(t));
    } else if (is_op("(")) {
      e = parse_call(std::move(e), at);
    } else {
      return e;
    }
  }
}

bool Parser::starts_bare_test_arg() const {
  const Token& tk = peek();
  if (tk.type == TokenType::Name) {
    static const char* const kStop[] = {"else", "or", "and", "if", "in", "not", "is", "recursive"};
    for (const char* s : kStop) {
      if (tk.text == s) return false;
    }
    return true;
  }
  return tk.type == TokenType::String || tk.type == TokenType::Int || tk.type == TokenType::Float ||
         is_op("[") || is_op("{");
}
}  // namespace lantern::jinja
