// The parsed form of a template: expression and statement nodes. One generic
// node type per category keeps the parser and evaluator short; what each field
// means per kind is listed below. Every node has its source line/column for
// error messages.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "chat/jinja_value.h"

namespace lantern::jinja {

enum class ExprKind {
  Literal,    // literal
  Name,       // name
  List,       // children: items (tuples are lists too)
  Dict,       // children: key0, value0, key1, value1, ...
  Attr,       // children[0] . name
  Subscript,  // children[0] [ children[1] ]
  Slice,      // children[0] [ children[1] : children[2] : children[3] ]; missing parts are null
  Call,       // children[0] ( children[1..], kwargs )
  Filter,     // children[0] | name ( children[1..], kwargs ); children[0] is null in a filter block
  Test,       // children[0] is [not] name ( children[1..], kwargs ); negated
  Unary,      // name is "-" or "+"; children[0]
  Binary,     // name is + - * / // % ** ~ ; children[0], children[1]
  And,        // children[0] and children[1]
  Or,         // children[0] or children[1]
  Not,        // not children[0]
  Compare,    // children[0] ops[0] children[1] ops[1] children[2] ... (== != < <= > >= in notin)
  CondExpr,   // children[0] if children[1] else children[2] (children[2] may be null)
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind;
  int line = 0;
  int col = 0;
  int height = 1;  // 1 + the tallest child; bounded by the parser
  Value literal;
  std::string name;
  std::vector<ExprPtr> children;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  std::vector<std::string> ops;
  bool negated = false;
};

enum class StmtKind {
  Text,         // text
  Output,       // {{ expr }}
  If,           // branches: (cond, body); a null cond is the else branch
  For,          // targets in expr [if cond]: body [else else_body]
  Set,          // targets = expr; with attr non-empty: targets[0].attr = expr
  SetBlock,     // {% set targets[0] [| filter] %} body {% endset %}
  Macro,        // name = text, params (default may be null), body
  FilterBlock,  // {% filter f %} body {% endfilter %}: filter is a Filter expr with a null subject
  Break,
  Continue,
  Scope,        // a block that only groups its body (e.g. {% generation %})
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using StmtList = std::vector<StmtPtr>;

struct Stmt {
  StmtKind kind;
  int line = 0;
  int col = 0;
  std::string text;
  ExprPtr expr;
  ExprPtr cond;
  ExprPtr filter;
  std::vector<std::string> targets;
  std::string attr;
  std::vector<std::pair<ExprPtr, StmtList>> branches;
  StmtList body;
  StmtList else_body;
  std::vector<std::pair<std::string, ExprPtr>> params;
  bool uses_loop = true;  // For: the body mentions `loop`, so the loop object is built
};

}  // namespace lantern::jinja
