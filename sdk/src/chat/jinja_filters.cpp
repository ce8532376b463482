// Filters and tests. Semantics follow jinja2 3.1 (and Hugging Face's tojson,
// which is json.dumps(ensure_ascii=False) rather than jinja2's HTML-safe one).
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "chat/jinja_builtins.h"
#include "chat/jinja_error.h"
#include "chat/jinja_evaluator.h"
#include "chat/jinja_operators.h"
#include "chat/jinja_strings.h"

namespace lantern::jinja {

namespace {


int64_t length_of(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Undefined: return 0;
    case Value::Kind::String: return static_cast<int64_t>(utf8_length(v.as_string()));
    case Value::Kind::List: return static_cast<int64_t>(v.as_list().size());
    case Value::Kind::Dict:
    case Value::Kind::Namespace: return static_cast<int64_t>(v.as_dict().items.size());
    default: runtime_fail("object of type '" + v.type_name() + "' has no len()");
  }
}

Value items_of(Budget& b, const Value& v) {
  if (v.is_undefined()) return Value::list({});
  if (!v.is_dict() && !v.is_namespace()) runtime_fail("items filter needs a mapping, got " + v.type_name());
  b.produce(v.as_dict().items.size() * 3 * sizeof(Value));
  List out;
  for (const auto& kv : v.as_dict().items) out.push_back(Value::list({decode_key(kv.first), kv.second}));
  return Value::list(std::move(out));
}

// attribute="a.b.0" lookups used by map/selectattr/sort/join.
Value path_attr(Evaluator& ev, const Value& v, const std::string& path) {
  Value cur = v;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    bool digits = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (cur.is_undefined()) return cur;
    cur = digits && cur.is_list() ? ev.item(cur, Value(static_cast<int64_t>(std::strtoll(part.c_str(), nullptr, 10))))
                                  : ev.item(cur, Value(part));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

// The remaining arguments after the first `skip` positional ones.
CallArgs rest_args(const CallArgs& a, size_t skip) {
  CallArgs r;
  for (size_t i = skip; i < a.pos.size(); ++i) r.pos.push_back(a.pos[i]);
  return r;
}

Value select_like(Evaluator& ev, const Value& v, const CallArgs& a, bool by_attr, bool keep_if) {
  std::string attr;
  size_t next = 0;
  if (by_attr) attr = string_arg(a, next++, "attribute", by_attr ? "selectattr" : "select", "");
  std::string test;
  if (const Value* t = a.arg(next, "test")) {
    if (!t->is_string()) runtime_fail("the test name must be a string");
    test = t->as_string();
  }
  CallArgs targs = rest_args(a, next + 1);
  List out;
  if (!v.truthy()) return Value::list({});  // jinja2 yields nothing for a falsy input (e.g. none)
  for (const Value& x : ev.iterate(v)) {
    ev.budget().charge();
    Value subject = by_attr ? path_attr(ev, x, attr) : x;
    bool ok = test.empty() ? subject.truthy() : apply_test(ev, test, subject, targs);
    if (ok == keep_if) out.push_back(x);
  }
  return Value::list(std::move(out));
}

Value do_map(Evaluator& ev, const Value& v, const CallArgs& a) {
  List out;
  if (!v.truthy()) return Value::list({});
  if (const Value* attr = a.kwarg("attribute")) {
    if (!attr->is_string()) runtime_fail("map: attribute must be a string");
    const Value* def = a.kwarg("default");
    for (const Value& x : ev.iterate(v)) {
      ev.budget().charge();
      Value r = path_attr(ev, x, attr->as_string());
      out.push_back(r.is_undefined() && def ? *def : r);
    }
    return Value::list(std::move(out));
  }
  if (a.pos.empty() || !a.pos[0].is_string()) runtime_fail("map needs a filter name or attribute=");
  std::string filter = a.pos[0].as_string();
  CallArgs fargs = rest_args(a, 1);
  for (const Value& x : ev.iterate(v)) {
    ev.budget().charge();
    out.push_back(apply_filter(ev, filter, x, fargs));
  }
  return Value::list(std::move(out));
}

Value do_sort(Evaluator& ev, const Value& v, const CallArgs& a) {
  bool reverse = bool_arg(a, 0, "reverse", false);
  bool case_sensitive = bool_arg(a, 1, "case_sensitive", false);
  std::string attr = string_arg(a, 2, "attribute", "sort", "");
  List items = ev.iterate(v);
  auto key = [&](const Value& x) {
    Value k = attr.empty() ? x : path_attr(ev, x, attr);
    if (!case_sensitive && k.is_string()) return Value(py_lower(k.as_string()));
    return k;
  };
  ev.budget().charge(items.size() * 8);
  std::vector<std::pair<Value, Value>> keyed;
  for (const Value& x : items) keyed.emplace_back(key(x), x);
  Budget& b = ev.budget();
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& p, const auto& q) {
    int c = order(p.first, q.first, b);
    return reverse ? c > 0 : c < 0;
  });
  List out;
  for (auto& p : keyed) out.push_back(std::move(p.second));
  return Value::list(std::move(out));
}

std::string do_indent(const std::string& s, const std::string& ind, bool first, bool blank) {
  std::vector<std::string> lines;
  size_t pos = 0;
  std::string t = s + "\n";
  while (pos < t.size()) {  // splitlines on the "\n"-terminated text
    size_t nl = t.find('\n', pos);
    lines.push_back(t.substr(pos, nl - pos));
    pos = nl + 1;
  }
  std::string rv;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) {
      rv += "\n";
      if (blank || !lines[i].empty()) rv += ind;
    }
    rv += lines[i];
  }
  if (first) rv = ind + rv;
  return rv;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

Value first_or_last(Evaluator& ev, const Value& v, bool first) {
  if (v.is_undefined()) fail_undefined(v);
  if (v.is_list()) {
    const List& l = v.as_list();
    if (l.empty()) return Value::undefined("first/last of an empty list");
    return first ? l.front() : l.back();
  }
  List items = ev.iterate(v);
  if (items.empty()) return Value::undefined("first/last of an empty sequence");
  return first ? items.front() : items.back();
}

Value to_int(const Value& v, const Value& def, int64_t base) {
  switch (v.kind()) {
    case Value::Kind::Int: return v;
    case Value::Kind::Bool: return Value(static_cast<int64_t>(v.as_bool()));
    case Value::Kind::Float: {
      double d = v.as_number();
      if (!std::isfinite(d) || std::fabs(d) >= 9.2e18) return def;
      return Value(static_cast<int64_t>(d));
    }
    case Value::Kind::String: {
      std::string s = py_strip(v.as_string(), nullptr, true, true);
      if (s.empty() || base < 2 || base > 36) return def;
      errno = 0;
      char* end = nullptr;
      long long r = std::strtoll(s.c_str(), &end, static_cast<int>(base));
      if (errno == 0 && end && *end == '\0') return Value(static_cast<int64_t>(r));
      char* fend = nullptr;
      double d = std::strtod(s.c_str(), &fend);  // int(float(value)) fallback
      if (fend && *fend == '\0' && std::isfinite(d) && std::fabs(d) < 9.2e18) return Value(static_cast<int64_t>(d));
      return def;
    }
    default: return def;
  }
}

Value to_float(const Value& v, const Value& def) {
  if (v.is_number() || v.kind() == Value::Kind::Bool) return Value(v.as_number());
  if (v.is_string()) {
    std::string s = py_strip(v.as_string(), nullptr, true, true);
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end && *end == '\0') return Value(d);
  }
  return def;
}

}  // namespace

namespace {

Value filter_impl(Evaluator& ev, const std::string& name, const Value& v, const CallArgs& a) {
  Budget& b = ev.budget();
  b.charge_bytes(v.is_string() ? v.as_string().size() : 0);  // filters walk their input
  auto text = [&]() { return v.str(b); };
  if (name == "trim") {
    const Value* chars = a.arg(0, "chars");
    std::string cs = chars && chars->is_string() ? chars->as_string() : "";
    return Value(py_strip(text(), chars && chars->is_string() ? &cs : nullptr, true, true));
  }
  if (name == "length" || name == "count") return Value(length_of(v));
  if (name == "upper") return Value(py_upper(text()));
  if (name == "lower") return Value(py_lower(text()));
  if (name == "capitalize") return Value(py_capitalize(text()));
  if (name == "title") return Value(jinja_title(text()));
  if (name == "string") return Value(text());
  if (name == "safe") return v;
  if (name == "escape" || name == "e") return Value(html_escape(text()));
  if (name == "tojson") {
    int64_t indent = -1;
    if (const Value* i = a.arg(0, "indent")) {
      if (i->is_int()) indent = i->as_int();
      else if (!i->is_none()) runtime_fail("tojson: indent must be an integer");
    }
    if (indent > 64) runtime_fail("tojson: indent larger than 64");
    return Value(to_json_text(v, b, static_cast<int>(indent), bool_arg(a, 1, "sort_keys", false)));
  }
  if (name == "default" || name == "d") {
    const Value* def = a.arg(0, "default_value");
    bool boolean = bool_arg(a, 1, "boolean", false);
    if (v.is_undefined() || (boolean && !v.truthy())) return def ? *def : Value(std::string());
    return v;
  }
  if (name == "first") return first_or_last(ev, v, true);
  if (name == "last") return first_or_last(ev, v, false);
  if (name == "join") {
    std::string sep = string_arg(a, 0, "d", "join", "");
    const Value* attr = a.arg(1, "attribute");
    std::string out;
    bool first = true;
    for (const Value& x : ev.iterate(v)) {
      b.produce(sep.size());
      if (!first) out += sep;
      first = false;
      out += (attr && attr->is_string() ? path_attr(ev, x, attr->as_string()) : x).str(b);  // str() charges
      b.check_size(out.size());
    }
    return Value(std::move(out));
  }
  if (name == "replace") {
    std::string s = text();
    const Value& old_v = require_arg(a, 0, "old", "replace");
    const Value& new_v = require_arg(a, 1, "new", "replace");
    int64_t count = -1;
    if (const Value* c = a.arg(2, "count")) {
      if (c->is_int()) count = c->as_int();
    }
    auto r = py_replace(s, old_v.str(b), new_v.str(b), count, b);
    if (!r) b.check_size(b.max_value_bytes() + 1);
    return Value(std::move(*r));
  }
  if (name == "items") return items_of(b, v);
  if (name == "dictsort") {
    Value its = items_of(b, v);
    CallArgs sa;
    sa.kw.emplace_back("reverse", Value(bool_arg(a, 2, "reverse", false)));
    sa.kw.emplace_back("case_sensitive", Value(bool_arg(a, 0, "case_sensitive", false)));
    std::string by = string_arg(a, 1, "by", "dictsort", "key");
    sa.kw.emplace_back("attribute", Value(std::string(by == "value" ? "1" : "0")));
    return do_sort(ev, its, sa);
  }
  if (name == "int") {
    Value def = a.arg(0, "default") ? *a.arg(0, "default") : Value(0);
    return to_int(v, def, int_arg(a, 1, "base", "int", 10));
  }
  if (name == "float") return to_float(v, a.arg(0, "default") ? *a.arg(0, "default") : Value(0.0));
  if (name == "abs") {
    if (!v.is_number()) runtime_fail("bad operand type for abs(): '" + v.type_name() + "'");
    return v.as_number() < 0 ? unary_op("-", v) : v;
  }
  if (name == "round") {
    if (!v.is_number() && v.kind() != Value::Kind::Bool) runtime_fail("round needs a number");
    int64_t prec = int_arg(a, 0, "precision", "round", 0);
    std::string method = string_arg(a, 1, "method", "round", "common");
    if (prec < 0 || prec > 15) runtime_fail("round: precision must be 0..15");
    double scale = std::pow(10.0, static_cast<double>(prec));
    double x = v.as_number() * scale;
    // "common" is Python's round(): halves go to the even neighbour
    x = method == "ceil" ? std::ceil(x) : method == "floor" ? std::floor(x) : std::nearbyint(x);
    return Value(x / scale);
  }
  if (name == "list") return Value::list(ev.iterate(v));
  if (name == "reverse") {
    if (v.is_string()) {
      std::vector<size_t> offs = utf8_offsets(v.as_string());
      std::string out;
      for (size_t i = offs.size() - 1; i > 0; --i) out.append(v.as_string(), offs[i - 1], offs[i] - offs[i - 1]);
      return Value(std::move(out));
    }
    List items = ev.iterate(v);
    std::reverse(items.begin(), items.end());
    return Value::list(std::move(items));
  }
  if (name == "unique") {
    List out;
    for (const Value& x : ev.iterate(v)) {
      bool seen = false;
      for (const Value& y : out) seen = seen || y.equals(x, b);
      if (!seen) out.push_back(x);
    }
    return Value::list(std::move(out));
  }
  if (name == "sort") return do_sort(ev, v, a);
  if (name == "map") return do_map(ev, v, a);
  if (name == "select") return select_like(ev, v, a, false, true);
  if (name == "reject") return select_like(ev, v, a, false, false);
  if (name == "selectattr") return select_like(ev, v, a, true, true);
  if (name == "rejectattr") return select_like(ev, v, a, true, false);
  if (name == "attr") {  // getattr only: a dict's keys are items, not attributes
    std::string attr = string_arg(a, 0, "name", "attr", "");
    if (v.is_namespace()) return ev.attribute(v, attr);
    if (v.is_undefined()) fail_undefined(v);
    return Value::undefined("'" + v.type_name() + " object' has no attribute '" + attr + "'");
  }
  if (name == "min" || name == "max") {
    List items = ev.iterate(v);
    if (items.empty()) return Value::undefined("min/max of an empty sequence");
    Value best = items[0];
    for (const Value& x : items) {
      int c = order(x, best, b);
      if (name == "min" ? c < 0 : c > 0) best = x;
    }
    return best;
  }
  if (name == "sum") {
    Value total = a.arg(1, "start") ? *a.arg(1, "start") : Value(0);
    const Value* attr = a.arg(0, "attribute");
    for (const Value& x : ev.iterate(v)) {
      total = binary_op("+", total, attr && attr->is_string() ? path_attr(ev, x, attr->as_string()) : x, b);
    }
    return total;
  }
  if (name == "indent") {
    std::string ind;
    const Value* w = a.arg(0, "width");
    if (w && w->is_string()) ind = w->as_string();
    else ind = std::string(static_cast<size_t>(std::clamp<int64_t>(int_arg(a, 0, "width", "indent", 4), 0, 64)), ' ');
    std::string r = do_indent(text(), ind, bool_arg(a, 1, "first", false), bool_arg(a, 2, "blank", false));
    b.check_size(r.size());
    return Value(std::move(r));
  }
  if (name == "wordcount") return Value(static_cast<int64_t>(py_split(text(), nullptr, -1, b).size()));
  runtime_fail("unknown filter '" + name + "'");
}

}  // namespace

Value apply_filter(Evaluator& ev, const std::string& name, const Value& v, const CallArgs& a) {
  Value r = filter_impl(ev, name, v, a);
  // Filters that make a new text of about their input's size (or, for
  // escape, up to six times it) pay for it here; join, replace and tojson
  // charge as they build, and lists are charged by iterate().
  static const char* const kTextMakers[] = {"trim",   "upper", "lower",  "capitalize", "title",
                                            "string", "escape", "e",     "reverse",    "indent"};
  if (r.is_string()) {
    for (const char* m : kTextMakers) {
      if (name == m) {
        ev.budget().check_size(r.as_string().size());
        ev.budget().produce(r.as_string().size());
        break;
      }
    }
  }
  return r;
}

bool apply_test(Evaluator& ev, const std::string& name, const Value& v, const CallArgs& a) {
  Budget& b = ev.budget();
  using K = Value::Kind;
  K k = v.kind();
  if (name == "defined") return k != K::Undefined;
  if (name == "undefined") return k == K::Undefined;
  if (name == "none") return k == K::None;
  if (name == "boolean") return k == K::Bool;
  if (name == "true") return k == K::Bool && v.as_bool();
  if (name == "false") return k == K::Bool && !v.as_bool();
  if (name == "integer") return k == K::Int;
  if (name == "float") return k == K::Float;
  if (name == "number") return k == K::Int || k == K::Float || k == K::Bool;
  if (name == "string") return k == K::String;
  if (name == "mapping") return k == K::Dict;
  // jinja2's Undefined is iterable (as empty) and has len(), so these hold for it.
  if (name == "iterable") return k == K::String || k == K::List || k == K::Dict || k == K::Namespace || k == K::Undefined;
  if (name == "sequence") return k == K::String || k == K::List || k == K::Dict || k == K::Undefined;
  if (name == "callable") return k == K::Function;
  if (name == "odd" || name == "even") {
    if (k != K::Int) runtime_fail("'" + name + "' test needs an integer");
    bool odd = (v.as_int() % 2) != 0;
    return name == "odd" ? odd : !odd;
  }
  if (name == "divisibleby") {
    int64_t n = int_arg(a, 0, "num", "divisibleby", 0);
    if (n == 0) runtime_fail("divisibleby(0)");
    if (k != K::Int) runtime_fail("'divisibleby' test needs an integer");
    return n == -1 || v.as_int() % n == 0;
  }
  if (name == "lower" || name == "upper") {
    if (k != K::String) return false;
    const std::string& s = v.as_string();
    bool cased = false;
    for (char c : s) {
      bool lo = c >= 'a' && c <= 'z', up = c >= 'A' && c <= 'Z';
      if ((name == "lower" && up) || (name == "upper" && lo)) return false;
      cased = cased || lo || up;
    }
    return cased;
  }
  if (name == "escaped") return false;
  if (name == "in") return contains(require_arg(a, 0, "seq", "in"), v, b);
  static const char* const kCmp[][3] = {
      {"==", "eq", "equalto"}, {"!=", "ne", "ne"}, {"<", "lt", "lessthan"},
      {"<=", "le", "le"},      {">", "gt", "greaterthan"}, {">=", "ge", "ge"}};
  for (const auto& row : kCmp) {
    if (name == row[0] || name == row[1] || name == row[2]) {
      return compare_op(row[0], v, require_arg(a, 0, "other", name.c_str()), b);
    }
  }
  if (name == "sameas") {
    const Value& o = require_arg(a, 0, "other", "sameas");
    if (k != o.kind()) return false;
    if (k == K::None || k == K::Undefined) return true;
    if (k == K::Bool) return v.as_bool() == o.as_bool();
    return (k == K::Namespace || k == K::Function) && v.equals(o, b);
  }
  runtime_fail("unknown test '" + name + "'");
}

}  // namespace lantern::jinja
