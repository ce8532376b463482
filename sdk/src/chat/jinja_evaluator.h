// Renders a parsed template: variable scopes (a for loop and a macro call each
// get their own, as in jinja2), statements, expressions, and the limits that
// keep an untrusted template from hanging or exhausting memory: a step budget,
// a recursion depth limit and an output size limit.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "chat/jinja_ast.h"
#include "chat/jinja_budget.h"
#include "chat/jinja_value.h"

namespace lantern::jinja {

class Evaluator {
 public:
  // now_unix: what strftime_now() formats (UTC).
  Evaluator(const RenderLimits& limits, int64_t now_unix);

  // Renders `body` with `context` variables on top of the builtin globals.
  std::string render(const StmtList& body, const Dict& context);

  // Used by the builtins (filters, methods, functions).
  Value eval(const Expr& e);
  Value call(const Value& fn, const CallArgs& args);
  Value attribute(const Value& obj, const std::string& name);  // obj.name
  Value item(const Value& obj, const Value& key);              // obj[key]
  List iterate(const Value& v);  // list items, dict keys, string characters
  Budget& budget() { return budget_; }
  int64_t now() const { return now_; }

 private:
  enum class Flow { Normal, Break, Continue };
  struct DepthGuard {
    Evaluator& ev;
    explicit DepthGuard(Evaluator& e);
    ~DepthGuard() { --ev.depth_; }
  };

  Flow exec(const StmtList& body);
  Flow exec_stmt(const Stmt& s);
  Flow exec_for(const Stmt& s);
  void exec_set(const Stmt& s);
  std::string capture(const StmtList& body);
  Value call_macro(const Stmt& macro, const CallArgs& args);
  Value eval_inner(const Expr& e);
  Value eval_call(const Expr& e);
  Value eval_slice(const Expr& e);
  Value eval_filter(const Expr& e, const Value* subject);
  CallArgs eval_args(const Expr& e, size_t first);
  Value lookup(const std::string& name) const;
  void emit(const std::string& s);

  RenderLimits limits_;
  Budget budget_;
  int64_t now_;
  int depth_ = 0;
  std::vector<Dict> frames_;  // [0] globals + context, [1] template level, then loop/macro scopes
  std::string* out_ = nullptr;
};

}  // namespace lantern::jinja
