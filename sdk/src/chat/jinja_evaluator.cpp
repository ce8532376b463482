#include "chat/jinja_evaluator.h"

#include "chat/jinja_builtins.h"
#include "chat/jinja_error.h"
#include "chat/jinja_operators.h"
#include "chat/jinja_strings.h"

namespace lantern::jinja {

Evaluator::DepthGuard::DepthGuard(Evaluator& e) : ev(e) {
  if (++ev.depth_ > ev.limits_.max_depth) {
    --ev.depth_;
    throw JinjaError(ErrorKind::Limit, "template recursion deeper than " + std::to_string(ev.limits_.max_depth));
  }
}

Evaluator::Evaluator(const RenderLimits& limits, int64_t now_unix)
    : limits_(limits), budget_(limits), now_(now_unix) {}

std::string Evaluator::render(const StmtList& body, const Dict& context) {
  frames_.clear();
  frames_.emplace_back();
  add_globals(frames_[0]);
  for (const auto& kv : context.items) frames_[0].set(kv.first, kv.second);
  frames_.emplace_back();
  return capture(body);
}

std::string Evaluator::capture(const StmtList& body) {
  std::string buf;
  std::string* saved = out_;
  out_ = &buf;
  try {
    exec(body);
  } catch (...) {
    out_ = saved;
    throw;
  }
  out_ = saved;
  return buf;
}

void Evaluator::emit(const std::string& s) {
  if (out_->size() + s.size() > limits_.max_output_bytes) {
    throw JinjaError(ErrorKind::Limit, "template output exceeds the size limit of " +
                                           std::to_string(limits_.max_output_bytes) + " bytes");
  }
  budget_.produce(s.size());
  out_->append(s);
}

Value Evaluator::lookup(const std::string& name) const {
  for (auto it = frames_.rbegin(); it != frames_.rend(); ++it) {
    if (const Value* v = it->find(name)) return *v;
  }
  return Value::undefined("'" + name + "' is undefined");
}

// ---- statements ----

Evaluator::Flow Evaluator::exec(const StmtList& body) {
  for (const auto& s : body) {
    Flow f = exec_stmt(*s);
    if (f != Flow::Normal) return f;
  }
  return Flow::Normal;
}

Evaluator::Flow Evaluator::exec_stmt(const Stmt& s) {
  budget_.charge();
  DepthGuard guard(*this);
  try {
    switch (s.kind) {
      case StmtKind::Text: emit(s.text); break;
      case StmtKind::Output: emit(eval(*s.expr).str(budget_)); break;
      case StmtKind::If:
        for (const auto& br : s.branches) {
          if (!br.first || eval(*br.first).truthy()) return exec(br.second);
        }
        break;
      case StmtKind::For: return exec_for(s);
      case StmtKind::Set: exec_set(s); break;
      case StmtKind::SetBlock: {
        Value v(capture(s.body));
        if (s.filter) v = eval_filter(*s.filter, &v);
        frames_.back().set(s.targets[0], std::move(v));
        break;
      }
      case StmtKind::Macro: {
        const Stmt* macro = &s;
        frames_.back().set(s.text, Value::function(s.text, [macro](Evaluator& ev, const CallArgs& a) {
                             return ev.call_macro(*macro, a);
                           }));
        break;
      }
      case StmtKind::FilterBlock: {
        Value v(capture(s.body));
        emit(eval_filter(*s.filter, &v).str(budget_));
        break;
      }
      case StmtKind::Break: return Flow::Break;
      case StmtKind::Continue: return Flow::Continue;
      case StmtKind::Scope: return exec(s.body);
    }
  } catch (const JinjaError& e) {
    if (e.line() == 0) throw e.at(s.line, s.col);
    throw;
  }
  return Flow::Normal;
}

namespace {
void bind_targets(Dict& frame, const std::vector<std::string>& targets, const Value& v) {
  if (targets.size() == 1) {
    frame.set(targets[0], v);
    return;
  }
  if (!v.is_list()) {
    throw JinjaError(ErrorKind::Runtime, "cannot unpack a " + v.type_name() + " into " +
                                             std::to_string(targets.size()) + " variables");
  }
  const List& items = v.as_list();
  if (items.size() != targets.size()) {
    throw JinjaError(ErrorKind::Runtime, "expected " + std::to_string(targets.size()) + " values to unpack, got " +
                                             std::to_string(items.size()));
  }
  for (size_t i = 0; i < targets.size(); ++i) frame.set(targets[i], items[i]);
}
}  // namespace

Evaluator::Flow Evaluator::exec_for(const Stmt& s) {
  List items = iterate(eval(*s.expr));
  frames_.emplace_back();
  if (s.cond) {  // {% for x in xs if cond %}: filter first, so loop.* counts kept items
    List kept;
    for (const Value& v : items) {
      budget_.charge();
      bind_targets(frames_.back(), s.targets, v);
      if (eval(*s.cond).truthy()) kept.push_back(v);
    }
    items = std::move(kept);
  }
  const int64_t n = static_cast<int64_t>(items.size());
  for (int64_t i = 0; i < n; ++i) {
    budget_.charge();
    Dict& frame = frames_.back();
    bind_targets(frame, s.targets, items[static_cast<size_t>(i)]);
    if (!s.uses_loop) {
      if (exec(s.body) == Flow::Break) break;
      continue;
    }
    budget_.charge(2);  // building the loop object costs more than a plain step
    Dict loop;
    loop.items.reserve(11);
    loop.items.emplace_back("index", Value(i + 1));
    loop.items.emplace_back("index0", Value(i));
    loop.items.emplace_back("revindex", Value(n - i));
    loop.items.emplace_back("revindex0", Value(n - i - 1));
    loop.items.emplace_back("first", Value(i == 0));
    loop.items.emplace_back("last", Value(i == n - 1));
    loop.items.emplace_back("length", Value(n));
    loop.items.emplace_back("depth", Value(1));
    loop.items.emplace_back("depth0", Value(0));
    if (i > 0) loop.items.emplace_back("previtem", items[static_cast<size_t>(i - 1)]);
    if (i + 1 < n) loop.items.emplace_back("nextitem", items[static_cast<size_t>(i + 1)]);
    frame.set("loop", Value::dict(std::move(loop)));
    if (exec(s.body) == Flow::Break) break;
  }
  if (n == 0 && !s.else_body.empty()) exec(s.else_body);
  frames_.pop_back();
  return Flow::Normal;
}

void Evaluator::exec_set(const Stmt& s) {
  Value v = eval(*s.expr);
  if (s.attr.empty()) {
    bind_targets(frames_.back(), s.targets, v);
    return;
  }
  Value target = lookup(s.targets[0]);
  if (!target.is_namespace()) {
    throw JinjaError(ErrorKind::Runtime, "cannot assign attribute '" + s.attr + "' on '" + s.targets[0] +
                                             "': only namespace() objects allow it");
  }
  if (v.has_namespace()) throw JinjaError(ErrorKind::Runtime, "a namespace cannot hold another namespace");
  if (v.depth() + 1 > kMaxNesting) throw JinjaError(ErrorKind::Limit, "values nest too deeply");
  target.namespace_items().set(s.attr, std::move(v));
}

Value Evaluator::call_macro(const Stmt& m, const CallArgs& a) {
  DepthGuard guard(*this);
  if (a.pos.size() > m.params.size()) {
    throw JinjaError(ErrorKind::Runtime, "macro '" + m.text + "' takes " + std::to_string(m.params.size()) +
                                             " arguments, got " + std::to_string(a.pos.size()));
  }
  for (const auto& kv : a.kw) {
    bool known = false;
    for (const auto& p : m.params) known = known || p.first == kv.first;
    if (!known) throw JinjaError(ErrorKind::Runtime, "macro '" + m.text + "' has no parameter '" + kv.first + "'");
  }
  // A macro sees the globals and template-level variables, not its caller's locals.
  std::vector<Dict> saved(std::make_move_iterator(frames_.begin() + 2), std::make_move_iterator(frames_.end()));
  frames_.resize(2);
  frames_.emplace_back();
  std::string out;
  try {
    for (size_t i = 0; i < m.params.size(); ++i) {
      const Value* given = a.arg(i, m.params[i].first);
      Value v;
      if (given) v = *given;
      else if (m.params[i].second) v = eval(*m.params[i].second);
      else v = Value::undefined("'" + m.params[i].first + "' is undefined (macro argument not given)");
      frames_.back().set(m.params[i].first, std::move(v));
    }
    out = capture(m.body);
  } catch (...) {
    frames_.resize(2);
    for (auto& f : saved) frames_.push_back(std::move(f));
    throw;
  }
  frames_.resize(2);
  for (auto& f : saved) frames_.push_back(std::move(f));
  return Value(std::move(out));
}

// ---- expressions ----

Value Evaluator::eval(const Expr& e) {
  budget_.charge();
  DepthGuard guard(*this);
  try {
    return eval_inner(e);
  } catch (const JinjaError& err) {
    if (err.line() == 0) throw err.at(e.line, e.col);
    throw;
  }
}

Value Evaluator::eval_inner(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Literal: return e.literal;
    case ExprKind::Name: return lookup(e.name);
    case ExprKind::List: {
      List items;
      items.reserve(e.children.size());
      for (const auto& c : e.children) items.push_back(eval(*c));
      return Value::list(std::move(items));
    }
    case ExprKind::Dict: {
      Dict d;
      for (size_t i = 0; i + 1 < e.children.size(); i += 2) {
        Value k = eval(*e.children[i]);
        std::optional<std::string> key = encode_key(k);
        if (!key) throw JinjaError(ErrorKind::Runtime, "unhashable type: '" + k.type_name() + "'");
        d.set(std::move(*key), eval(*e.children[i + 1]));
      }
      return Value::dict(std::move(d));
    }
    case ExprKind::Attr: return attribute(eval(*e.children[0]), e.name);
    case ExprKind::Subscript: {
      Value obj = eval(*e.children[0]);
      return item(obj, eval(*e.children[1]));
    }
    case ExprKind::Slice: return eval_slice(e);
    case ExprKind::Call: return eval_call(e);
    case ExprKind::Filter: return eval_filter(e, nullptr);
    case ExprKind::Test: {
      Value v = eval(*e.children[0]);
      CallArgs args = eval_args(e, 1);
      return Value(apply_test(*this, e.name, v, args) != e.negated);
    }
    case ExprKind::Unary: return unary_op(e.name, eval(*e.children[0]));
    case ExprKind::Binary: {
      Value l = eval(*e.children[0]);
      return binary_op(e.name, l, eval(*e.children[1]), budget_);
    }
    case ExprKind::And: {
      Value l = eval(*e.children[0]);
      return l.truthy() ? eval(*e.children[1]) : l;
    }
    case ExprKind::Or: {
      Value l = eval(*e.children[0]);
      return l.truthy() ? l : eval(*e.children[1]);
    }
    case ExprKind::Not: return Value(!eval(*e.children[0]).truthy());
    case ExprKind::Compare: {
      Value l = eval(*e.children[0]);
      for (size_t i = 0; i < e.ops.size(); ++i) {
        Value r = eval(*e.children[i + 1]);
        if (!compare_op(e.ops[i], l, r, budget_)) return Value(false);
        l = std::move(r);
      }
      return Value(true);
    }
    case ExprKind::CondExpr:
      if (eval(*e.children[1]).truthy()) return eval(*e.children[0]);
      if (e.children[2]) return eval(*e.children[2]);
      return Value::undefined("the conditional expression has no else branch");
  }
  return Value();
}

CallArgs Evaluator::eval_args(const Expr& e, size_t first) {
  CallArgs a;
  for (size_t i = first; i < e.children.size(); ++i) a.pos.push_back(eval(*e.children[i]));
  for (const auto& kv : e.kwargs) a.kw.emplace_back(kv.first, eval(*kv.second));
  return a;
}

Value Evaluator::eval_call(const Expr& e) {
  const Expr& callee = *e.children[0];
  if (callee.kind == ExprKind::Attr) {  // obj.method(args)
    Value obj = eval(*callee.children[0]);
    if (obj.is_undefined()) fail_undefined(obj);
    CallArgs args = eval_args(e, 1);
    if (obj.is_dict() || obj.is_namespace()) {
      const Value* member = obj.as_dict().find(callee.name);
      if (member && member->is_function()) return call(*member, args);
    }
    Value out;
    if (call_method(*this, obj, callee.name, args, out)) return out;
    throw JinjaError(ErrorKind::Runtime, "'" + obj.type_name() + "' object has no method '" + callee.name + "'");
  }
  Value fn = eval(callee);
  CallArgs args = eval_args(e, 1);
  return call(fn, args);
}

Value Evaluator::call(const Value& fn, const CallArgs& args) {
  if (fn.is_undefined()) fail_undefined(fn);
  if (!fn.is_function()) throw JinjaError(ErrorKind::Runtime, "'" + fn.type_name() + "' object is not callable");
  DepthGuard guard(*this);
  return fn.as_function().fn(*this, args);
}

Value Evaluator::eval_filter(const Expr& e, const Value* subject) {
  Value v;
  if (e.children[0]) {
    v = e.children[0]->kind == ExprKind::Filter && subject ? eval_filter(*e.children[0], subject)
                                                          : eval(*e.children[0]);
  } else if (subject) {
    v = *subject;
  }
  CallArgs args = eval_args(e, 1);
  try {
    return apply_filter(*this, e.name, v, args);
  } catch (const JinjaError& err) {
    if (err.line() == 0) throw err.at(e.line, e.col);
    throw;
  }
}

Value Evaluator::eval_slice(const Expr& e) {
  Value obj = eval(*e.children[0]);
  std::optional<int64_t> parts[3];
  for (int i = 0; i < 3; ++i) {
    if (!e.children[i + 1]) continue;
    Value p = eval(*e.children[i + 1]);
    if (p.is_none()) continue;
    if (!p.is_int()) throw JinjaError(ErrorKind::Runtime, "slice indices must be integers or none");
    parts[i] = p.as_int();
  }
  int64_t step = parts[2].value_or(1);
  if (step == 0) throw JinjaError(ErrorKind::Runtime, "slice step cannot be zero");
  if (obj.is_undefined()) fail_undefined(obj);
  if (obj.is_list()) {
    const List& l = obj.as_list();
    const SliceRange r = slice_range(static_cast<int64_t>(l.size()), parts[0], parts[1], step);
    budget_.produce(static_cast<uint64_t>(r.count) * sizeof(Value));
    List out;
    out.reserve(static_cast<size_t>(r.count));
    for (int64_t j = 0; j < r.count; ++j) out.push_back(l[static_cast<size_t>(r.at(j))]);
    return Value::list(std::move(out));
  }
  if (obj.is_string()) {
    const std::string& s = obj.as_string();
    budget_.charge_bytes(2 * s.size());  // the length, and the walk to the slice
    std::string out;
    if (is_ascii(s)) {
      const SliceRange r = slice_range(static_cast<int64_t>(s.size()), parts[0], parts[1], step);
      budget_.produce(static_cast<uint64_t>(r.count));
      out.reserve(static_cast<size_t>(r.count));
      for (int64_t j = 0; j < r.count; ++j) out.push_back(s[static_cast<size_t>(r.at(j))]);
      return Value(std::move(out));
    }
    const SliceRange r = slice_range(static_cast<int64_t>(utf8_length(s)), parts[0], parts[1], step);
    if (r.step > 0) {  // one walk (charged above), no offset table
      int64_t j = 0;
      for (size_t i = 0, n = 0; i < s.size() && j < r.count; ++n) {
        const size_t len = utf8_seq_len(s, i);
        if (static_cast<int64_t>(n) == r.at(j)) {
          out.append(s, i, len);
          ++j;
        }
        i += len;
      }
      budget_.produce(out.size());
      return Value(std::move(out));
    }
    // backwards: code point offsets (8 bytes a character), then the text
    budget_.produce(s.size() * (1 + sizeof(size_t)));
    std::vector<size_t> offs = utf8_offsets(s);
    for (int64_t j = 0; j < r.count; ++j) {
      size_t k = static_cast<size_t>(r.at(j));
      out.append(s, offs[k], offs[k + 1] - offs[k]);
    }
    return Value(std::move(out));
  }
  throw JinjaError(ErrorKind::Runtime, "'" + obj.type_name() + "' object is not subscriptable");
}

Value Evaluator::attribute(const Value& obj, const std::string& name) {
  if (obj.is_undefined()) fail_undefined(obj);
  if (obj.is_dict() || obj.is_namespace()) {
    budget_.charge(obj.as_dict().items.size() / 16);  // lookups are linear
    if (const Value* v = obj.as_dict().find(name)) return *v;
  }
  std::string hint = "'";
  hint += obj.type_name() + " object' has no attribute '" + name + "'";
  return Value::undefined(std::move(hint));
}

Value Evaluator::item(const Value& obj, const Value& key) {
  if (obj.is_undefined()) fail_undefined(obj);
  if (key.is_undefined()) fail_undefined(key);
  bool int_key = key.kind() == Value::Kind::Int || key.kind() == Value::Kind::Bool;
  int64_t k = key.kind() == Value::Kind::Bool ? (key.as_bool() ? 1 : 0) : int_key ? key.as_int() : 0;
  if (obj.is_list() && int_key) {
    int64_t n = static_cast<int64_t>(obj.as_list().size());
    if (k < 0) k += n;
    if (k >= 0 && k < n) return obj.as_list()[static_cast<size_t>(k)];
    return Value::undefined("list index out of range");
  }
  if (obj.is_string() && int_key) {  // walks the text (no offset table): s[i] in a loop stays linear per access
    const std::string& s = obj.as_string();
    budget_.charge_bytes(2 * s.size());
    if (k < 0) k += static_cast<int64_t>(utf8_length(s));
    size_t at = 0, len = 0;
    if (k >= 0 && utf8_nth(s, static_cast<size_t>(k), at, len)) return Value(s.substr(at, len));
    return Value::undefined("string index out of range");
  }
  if (obj.is_dict() || obj.is_namespace()) {
    budget_.charge(obj.as_dict().items.size() / 16);
    std::optional<std::string> k = encode_key(key);
    if (k) {
      if (const Value* v = obj.as_dict().find(*k)) return *v;
    }
    return Value::undefined("'dict object' has no attribute " + key.repr(budget_));
  }
  std::string hint = "'";
  hint += obj.type_name() + " object' has no item " + key.repr(budget_);
  return Value::undefined(std::move(hint));
}

List Evaluator::iterate(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Undefined: return {};
    case Value::Kind::List:  // a copy: held for the loop, so it counts as made
      budget_.produce(v.as_list().size() * sizeof(Value));
      return v.as_list();
    case Value::Kind::Dict:
    case Value::Kind::Namespace: {
      budget_.produce(v.as_dict().items.size() * (sizeof(Value) + 32));
      List keys;
      for (const auto& kv : v.as_dict().items) keys.push_back(decode_key(kv.first));
      return keys;
    }
    case Value::Kind::String: {
      const std::string& s = v.as_string();
      // each character becomes its own string value (slot, string, shared box)
      budget_.produce(s.size() * (sizeof(Value) + sizeof(size_t) + 64));
      std::vector<size_t> offs = utf8_offsets(s);
      List chars;
      for (size_t i = 0; i + 1 < offs.size(); ++i) chars.emplace_back(s.substr(offs[i], offs[i + 1] - offs[i]));
      return chars;
    }
    default:
      throw JinjaError(ErrorKind::Runtime, "'" + v.type_name() + "' object is not iterable");
  }
}

}  // namespace lantern::jinja
