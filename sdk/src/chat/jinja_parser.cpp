#include "chat/jinja_parser.h"

#include <cerrno>
#include <cstdlib>
#include <initializer_list>

#include "chat/jinja_error.h"
#include "chat/jinja_lexer.h"

namespace lantern::jinja {

namespace {

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
  StmtList parse_body(std::initializer_list<const char*> ends) {
    StmtList body;
    while (true) {
      const Token& tk = peek();
      if (tk.type == TokenType::Eof) return body;
      if (tk.type == TokenType::Text) {
        auto s = std::make_unique<Stmt>();
        s->kind = StmtKind::Text;
        s->line = tk.line;
        s->col = tk.col;
        s->text = next().text;
        body.push_back(std::move(s));
      } else if (tk.type == TokenType::VarBegin) {
        next();
        auto s = std::make_unique<Stmt>();
        s->kind = StmtKind::Output;
        s->line = tk.line;
        s->col = tk.col;
        s->expr = parse_tuple(true);
        if (peek().type != TokenType::VarEnd) fail("expected '}}', got " + describe(peek()), peek());
        next();
        body.push_back(std::move(s));
      } else if (tk.type == TokenType::BlockBegin) {
        const Token& name = peek(1);
        if (name.type != TokenType::Name) fail("expected a statement name after '{%'", name);
        for (const char* e : ends) {
          if (name.text == e) return body;
        }
        if (is_end_tag(name.text)) return body;  // the caller reports the mismatch
        next();
        body.push_back(parse_statement());
      } else {
        fail("unexpected " + describe(tk), tk);
      }
    }
  }

  static bool is_end_tag(const std::string& n) {
    return n == "endif" || n == "elif" || n == "else" || n == "endfor" || n == "endset" ||
           n == "endmacro" || n == "endfilter" || n == "endgeneration" || n == "endcall" ||
           n == "endblock";
  }

  // Consumes '{% name' of the expected end tag; reports a clear error otherwise.
  void expect_end(const char* name, const Token& opened_at, const char* opened) {
    if (peek().type != TokenType::BlockBegin || !is_name(name, 1)) {
      const Token& at = peek().type == TokenType::BlockBegin ? peek(1) : peek();
      fail(std::string("expected '{% ") + name + " %}' to close '" + opened + "' opened at line " +
               std::to_string(opened_at.line) + ", got " + describe(at),
           at);
    }
    next();
    next();
  }

  StmtPtr parse_statement() {
    const Token& kw = next();
    DepthGuard guard(*this, kw);
    auto s = std::make_unique<Stmt>();
    s->line = kw.line;
    s->col = kw.col;
    const std::string& k = kw.text;
    if (k == "if") {
      s->kind = StmtKind::If;
      ExprPtr cond = parse_tuple(true);
      expect_block_end("if");
      StmtList body = parse_body({"elif", "else", "endif"});
      s->branches.emplace_back(std::move(cond), std::move(body));
      while (true) {
        if (peek().type != TokenType::BlockBegin) expect_end("endif", kw, "if");
        if (is_name("elif", 1)) {
          next();
          next();
          ExprPtr c = parse_tuple(true);
          expect_block_end("elif");
          s->branches.emplace_back(std::move(c), parse_body({"elif", "else", "endif"}));
        } else if (is_name("else", 1)) {
          next();
          next();
          expect_block_end("else");
          s->branches.emplace_back(nullptr, parse_body({"endif"}));
          expect_end("endif", kw, "if");
          break;
        } else {
          expect_end("endif", kw, "if");
          break;
        }
      }
      expect_block_end("endif");
    } else if (k == "for") {
      s->kind = StmtKind::For;
      s->targets = parse_targets();
      if (!skip_name("in")) fail("expected 'in' in for loop, got " + describe(peek()), peek());
      s->expr = parse_tuple(false);
      if (skip_name("if")) s->cond = parse_expression(true);
      if (is_name("recursive")) fail("recursive loops are not supported", peek());
      expect_block_end("for");
      ++loop_depth_;
      s->body = parse_body({"else", "endfor"});
      --loop_depth_;
      if (peek().type == TokenType::BlockBegin && is_name("else", 1)) {
        next();
        next();
        expect_block_end("else");
        s->else_body = parse_body({"endfor"});
      }
      expect_end("endfor", kw, "for");
      expect_block_end("endfor");
    } else if (k == "set") {
      const Token& target = peek();
      s->targets.push_back(expect_name("a variable name after 'set'"));
      if (skip_op(".")) {
        s->attr = expect_name("an attribute name");
      } else {
        while (skip_op(",")) s->targets.push_back(expect_name("a variable name"));
      }
      if (skip_op("=")) {
        s->kind = StmtKind::Set;
        s->expr = parse_tuple(true);
        expect_block_end("set");
      } else {
        if (!s->attr.empty() || s->targets.size() != 1) fail("block set needs a single variable name", target);
        s->kind = StmtKind::SetBlock;
        if (skip_op("|")) {
          s->filter = parse_filter(nullptr, peek());
          while (skip_op("|")) s->filter = parse_filter(std::move(s->filter), peek());
        }
        expect_block_end("set");
        s->body = parse_body({"endset"});
        expect_end("endset", kw, "set");
        expect_block_end("endset");
      }
    } else if (k == "macro") {
      s->kind = StmtKind::Macro;
      s->text = expect_name("a macro name");
      expect_op("(");
      while (!is_op(")")) {
        std::string p = expect_name("a parameter name");
        ExprPtr def;
        if (skip_op("=")) def = parse_expression(true);
        s->params.emplace_back(std::move(p), std::move(def));
        if (!skip_op(",")) break;
      }
      expect_op(")");
      expect_block_end("macro");
      int saved_loops = loop_depth_;
      loop_depth_ = 0;
      s->body = parse_body({"endmacro"});
      loop_depth_ = saved_loops;
      expect_end("endmacro", kw, "macro");
      if (peek().type == TokenType::Name) next();  // {% endmacro name %}
      expect_block_end("endmacro");
    } else if (k == "filter") {
      s->kind = StmtKind::FilterBlock;
      s->filter = parse_filter(nullptr, peek());
      while (skip_op("|")) s->filter = parse_filter(std::move(s->filter), peek());
      expect_block_end("filter");
      s->body = parse_body({"endfilter"});
      expect_end("endfilter", kw, "filter");
      expect_block_end("endfilter");
    } else if (k == "break" || k == "continue") {
      if (loop_depth_ == 0) fail("'" + k + "' outside of a for loop", kw);
      s->kind = k == "break" ? StmtKind::Break : StmtKind::Continue;
      expect_block_end(k.c_str());
    } else if (k == "generation") {
      // Hugging Face's marker for assistant-token masks: renders its body as is.
      s->kind = StmtKind::Scope;
      expect_block_end("generation");
      s->body = parse_body({"endgeneration"});
      expect_end("endgeneration", kw, "generation");
      expect_block_end("endgeneration");
    } else if (k == "include" || k == "import" || k == "from" || k == "extends" || k == "block") {
      fail("'" + k + "' is not supported: chat templates cannot load other templates", kw);
    } else if (k == "call") {
      fail("'{% call %}' blocks are not supported", kw);
    } else {
      fail("unknown statement '" + k + "'", kw);
    }
    return s;
  }

  std::vector<std::string> parse_targets() {
    std::vector<std::string> names;
    bool paren = skip_op("(");
    do {
      names.push_back(expect_name("a loop variable name"));
    } while (skip_op(","));
    if (paren) expect_op(")");
    return names;
  }

  // ---- expressions ----
  // An expression, or a comma-separated tuple (a list value) of them.
  ExprPtr parse_tuple(bool with_condexpr) {
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

  ExprPtr parse_expression(bool with_condexpr) {
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

  ExprPtr binary(ExprKind k, const Token& at, ExprPtr l, ExprPtr r, std::string op = {}) {
    auto e = node(k, at);
    e->name = std::move(op);
    e->children.push_back(std::move(l));
    e->children.push_back(std::move(r));
    return finish(std::move(e));
  }

  ExprPtr parse_or() {
    ExprPtr l = parse_and();
    while (is_name("or")) {
      const Token& at = next();
      l = binary(ExprKind::Or, at, std::move(l), parse_and());
    }
    return l;
  }
  ExprPtr parse_and() {
    ExprPtr l = parse_not();
    while (is_name("and")) {
      const Token& at = next();
      l = binary(ExprKind::And, at, std::move(l), parse_not());
    }
    return l;
  }
  ExprPtr parse_not() {
    if (is_name("not")) {
      const Token& at = next();
      DepthGuard guard(*this, at);
      auto e = node(ExprKind::Not, at);
      e->children.push_back(parse_not());
      return finish(std::move(e));
    }
    return parse_compare();
  }
  ExprPtr parse_compare() {
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
  ExprPtr parse_math1() {
    ExprPtr l = parse_concat();
    while (is_op("+") || is_op("-")) {
      const Token& at = next();
      l = binary(ExprKind::Binary, at, std::move(l), parse_concat(), at.text);
    }
    return l;
  }
  ExprPtr parse_concat() {
    ExprPtr l = parse_math2();
    while (is_op("~")) {
      const Token& at = next();
      l = binary(ExprKind::Binary, at, std::move(l), parse_math2(), "~");
    }
    return l;
  }
  ExprPtr parse_math2() {
    ExprPtr l = parse_pow();
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
      const Token& at = next();
      l = binary(ExprKind::Binary, at, std::move(l), parse_pow(), at.text);
    }
    return l;
  }
  ExprPtr parse_pow() {
    ExprPtr l = parse_unary(true);
    while (is_op("**")) {
      const Token& at = next();
      l = binary(ExprKind::Binary, at, std::move(l), parse_unary(true), "**");
    }
    return l;
  }
  ExprPtr parse_unary(bool with_filter) {
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

  ExprPtr parse_primary() {
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

  ExprPtr parse_postfix(ExprPtr e) {
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

  ExprPtr parse_subscript(ExprPtr obj, const Token& at) {
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

  // Parses "( args )" into e's children[1..] / kwargs.
  void parse_call_args(Expr& e) {
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

  ExprPtr parse_call(ExprPtr callee, const Token& at) {
    auto c = node(ExprKind::Call, at);
    c->children.push_back(std::move(callee));
    parse_call_args(*c);
    return finish(std::move(c));
  }

  ExprPtr parse_filter(ExprPtr subject, const Token& at) {
    auto f = node(ExprKind::Filter, at);
    f->name = expect_name("a filter name after '|'");
    f->children.push_back(std::move(subject));
    if (is_op("(")) parse_call_args(*f);
    return finish(std::move(f));
  }

  ExprPtr parse_filter_expr(ExprPtr e) {
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

  // jinja2 allows one test argument without parentheses: `x is divisibleby 3`.
  bool starts_bare_test_arg() const {
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

  std::vector<Token> t_;
  size_t pos_ = 0;
  int depth_ = 0;
  int loop_depth_ = 0;
};

}  // namespace

StmtList parse_template(std::string_view source) {
  Parser p(tokenize(source));
  return p.parse_all();
}

}  // namespace lantern::jinja
