#include "chat/jinja_parser.h"

#include "chat/jinja_parser_impl.h"

namespace lantern::jinja {

StmtList Parser::parse_body(std::initializer_list<const char*> ends) {
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

bool Parser::is_end_tag(const std::string& n) {
  return n == "endif" || n == "elif" || n == "else" || n == "endfor" || n == "endset" ||
         n == "endmacro" || n == "endfilter" || n == "endgeneration" || n == "endcall" ||
         n == "endblock";
}

void Parser::expect_end(const char* name, const Token& opened_at, const char* opened) {
  if (peek().type != TokenType::BlockBegin || !is_name(name, 1)) {
    const Token& at = peek().type == TokenType::BlockBegin ? peek(1) : peek();
    fail(std::string("expected '{% ") + name + " %}' to close '" + opened + "' opened at line " +
             std::to_string(opened_at.line) + ", got " + describe(at),
         at);
  }
  next();
  next();
}

StmtPtr Parser::parse_statement() {
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
    int refs_before = loop_refs_;
    s->body = parse_body({"else", "endfor"});
    s->uses_loop = loop_refs_ != refs_before;
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

std::vector<std::string> Parser::parse_targets() {
  std::vector<std::string> names;
  bool paren = skip_op("(");
  do {
    names.push_back(expect_name("a loop variable name"));
  } while (skip_op(","));
  if (paren) expect_op(")");
  return names;
}
StmtList parse_template(std::string_view source) {
  Parser p(tokenize(source));
  return p.parse_all();
}

}  // namespace lantern::jinja
