// Methods on strings and dicts (Python's str/dict API as templates use it),
// the global functions, and the argument helpers shared with the filters.
#include <algorithm>
#include <ctime>

#include "chat/jinja_builtins.h"
#include "chat/jinja_error.h"
#include "chat/jinja_evaluator.h"
#include "chat/jinja_strings.h"

namespace lantern::jinja {

namespace {
}  // namespace

const Value& require_arg(const CallArgs& a, size_t i, const char* name, const char* fn) {
  const Value* v = a.arg(i, name);
  if (!v) runtime_fail(std::string(fn) + "() missing required argument '" + name + "'");
  return *v;
}

int64_t int_arg(const CallArgs& a, size_t i, const char* name, const char* fn, int64_t def) {
  const Value* v = a.arg(i, name);
  if (!v || v->is_none()) return def;
  if (v->kind() == Value::Kind::Bool) return v->as_bool() ? 1 : 0;
  if (!v->is_int()) runtime_fail(std::string(fn) + "(): '" + name + "' must be an integer, got " + v->type_name());
  return v->as_int();
}

bool bool_arg(const CallArgs& a, size_t i, const char* name, bool def) {
  const Value* v = a.arg(i, name);
  return v ? v->truthy() : def;
}

std::string string_arg(const CallArgs& a, size_t i, const char* name, const char* fn, const std::string& def) {
  const Value* v = a.arg(i, name);
  if (!v || v->is_none() || v->is_undefined()) return def;
  if (!v->is_string()) runtime_fail(std::string(fn) + "(): '" + name + "' must be a string, got " + v->type_name());
  return v->as_string();
}

void check_max_args(const CallArgs& a, size_t n, const char* fn) {
  if (a.pos.size() > n) {
    runtime_fail(std::string(fn) + "() takes at most " + std::to_string(n) + " arguments (" +
         std::to_string(a.pos.size()) + " given)");
  }
}

namespace {

// str.format with {} / {0} / {name} fields and {{ }} escapes; conversions
// !s and !r; format specs beyond that are refused.
std::string py_format(Evaluator& ev, const std::string& s, const CallArgs& a) {
  std::string out;
  size_t auto_index = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '}') {
      if (i + 1 < s.size() && s[i + 1] == '}') ++i;
      else runtime_fail("format(): single '}' in format string");
      out.push_back('}');
      continue;
    }
    if (c != '{') {
      out.push_back(c);
      continue;
    }
    if (i + 1 < s.size() && s[i + 1] == '{') {
      out.push_back('{');
      ++i;
      continue;
    }
    size_t close = s.find('}', i);
    if (close == std::string::npos) runtime_fail("format(): unclosed '{' in format string");
    std::string field = s.substr(i + 1, close - i - 1);
    i = close;
    char conv = 's';
    size_t bang = field.find('!');
    if (bang != std::string::npos) {
      if (field.size() != bang + 2 || (field[bang + 1] != 's' && field[bang + 1] != 'r')) {
        runtime_fail("format(): unsupported conversion in '{" + field + "}'");
      }
      conv = field[bang + 1];
      field.resize(bang);
    }
    if (field.find(':') != std::string::npos) runtime_fail("format(): format specs are not supported");
    const Value* v = nullptr;
    if (field.empty()) {
      v = auto_index < a.pos.size() ? &a.pos[auto_index] : nullptr;
      ++auto_index;
    } else if (std::all_of(field.begin(), field.end(), [](char d) { return d >= '0' && d <= '9'; })) {
      size_t k = field.size() > 6 ? a.pos.size() : std::stoul(field);
      v = k < a.pos.size() ? &a.pos[k] : nullptr;
    } else {
      v = a.kwarg(field);
    }
    if (!v) runtime_fail("format(): no argument for '{" + field + "}'");
    out += conv == 'r' ? v->repr(ev.budget()) : v->str(ev.budget());
    ev.budget().check_size(out.size());
  }
  return out;
}

bool string_method(Evaluator& ev, const std::string& s, const std::string& name, const CallArgs& a, Value& out) {
  Budget& b = ev.budget();
  b.charge_bytes(s.size());
  // a new string of about the input's size (case mapping, strip)
  auto made = [&b](std::string r) {
    b.check_size(r.size());
    b.produce(r.size());
    return Value(std::move(r));
  };
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    check_max_args(a, 1, name.c_str());
    const Value* c = a.arg(0, "chars");
    std::string chars = c && c->is_string() ? c->as_string() : "";
    bool have = c && c->is_string();
    out = made(py_strip(s, have ? &chars : nullptr, name != "rstrip", name != "lstrip"));
    return true;
  }
  if (name == "startswith" || name == "endswith") {
    const Value& p = require_arg(a, 0, "prefix", name.c_str());
    bool starts = name == "startswith";
    auto test = [&](const Value& x) {
      if (!x.is_string()) runtime_fail(name + "() argument must be a string or a tuple of strings");
      b.charge_bytes(x.as_string().size());
      return starts ? starts_with(s, x.as_string()) : ends_with(s, x.as_string());
    };
    bool r = false;
    if (p.is_list()) {
      for (const Value& x : p.as_list()) r = r || test(x);
    } else {
      r = test(p);
    }
    out = Value(r);
    return true;
  }
  if (name == "split") {
    check_max_args(a, 2, "split");
    const Value* sep = a.arg(0, "sep");
    int64_t maxsplit = int_arg(a, 1, "maxsplit", "split", -1);
    std::string sep_s;
    if (sep && !sep->is_none()) {
      if (!sep->is_string()) runtime_fail("split(): separator must be a string");
      sep_s = sep->as_string();
      if (sep_s.empty()) runtime_fail("split(): empty separator");
    }
    List parts;
    for (auto& p : py_split(s, sep && !sep->is_none() ? &sep_s : nullptr, maxsplit, b)) parts.emplace_back(std::move(p));
    out = Value::list(std::move(parts));
    return true;
  }
  if (name == "upper") { out = made(py_upper(s)); return true; }
  if (name == "lower") { out = made(py_lower(s)); return true; }
  if (name == "title") { out = made(py_title(s)); return true; }
  if (name == "capitalize") { out = made(py_capitalize(s)); return true; }
  if (name == "replace") {
    const Value& o = require_arg(a, 0, "old", "replace");
    const Value& n = require_arg(a, 1, "new", "replace");
    if (!o.is_string() || !n.is_string()) runtime_fail("replace() arguments must be strings");
    auto r = py_replace(s, o.as_string(), n.as_string(), int_arg(a, 2, "count", "replace", -1), b);
    if (!r) b.check_size(b.max_value_bytes() + 1);
    out = Value(std::move(*r));
    return true;
  }
  if (name == "find" || name == "count") {
    const Value& sub = require_arg(a, 0, "sub", name.c_str());
    if (!sub.is_string()) runtime_fail(name + "() argument must be a string");
    if (name == "find") {
      size_t p = b.find(s, sub.as_string());
      out = Value(p == std::string::npos ? int64_t{-1} : static_cast<int64_t>(utf8_length(std::string_view(s).substr(0, p))));
    } else {
      int64_t n = 0;
      const std::string& t = sub.as_string();
      if (t.empty()) {
        n = static_cast<int64_t>(utf8_length(s)) + 1;
      } else {
        for (size_t p = b.find(s, t); p != std::string::npos; p = b.find(s, t, p + t.size())) ++n;
      }
      out = Value(n);
    }
    return true;
  }
  if (name == "join") {
    std::string r;
    bool first = true;
    for (const Value& x : ev.iterate(require_arg(a, 0, "iterable", "join"))) {
      if (!x.is_string()) runtime_fail("join(): sequence item must be a string, got " + x.type_name());
      b.check_size(r.size() + s.size() + x.as_string().size());
      b.produce(s.size() + x.as_string().size());
      if (!first) r += s;
      first = false;
      r += x.as_string();
    }
    out = Value(std::move(r));
    return true;
  }
  if (name == "format") {
    out = made(py_format(ev, s, a));
    return true;
  }
  if (name == "isdigit" || name == "isspace" || name == "isalpha") {
    bool r = !s.empty();
    for (char c : s) {
      if (name == "isdigit") r = r && c >= '0' && c <= '9';
      else if (name == "isspace") r = r && is_py_space(static_cast<unsigned char>(c));
      else r = r && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
    }
    out = Value(r);
    return true;
  }
  return false;
}

bool dict_method(Evaluator& ev, const Dict& d, const std::string& name, const CallArgs& a, Value& out) {
  ev.budget().charge(d.items.size());
  if (name == "items" || name == "keys" || name == "values") ev.budget().produce(d.items.size() * 3 * sizeof(Value));
  if (name == "items" || name == "keys" || name == "values") {
    check_max_args(a, 0, name.c_str());
    List r;
    for (const auto& kv : d.items) {
      if (name == "items") r.push_back(Value::list({decode_key(kv.first), kv.second}));
      else if (name == "keys") r.push_back(decode_key(kv.first));
      else r.push_back(kv.second);
    }
    out = Value::list(std::move(r));
    return true;
  }
  if (name == "get") {
    const Value& k = require_arg(a, 0, "key", "get");
    std::optional<std::string> key = encode_key(k);
    const Value* v = key ? d.find(*key) : nullptr;
    const Value* def = a.arg(1, "default");
    out = v ? *v : def ? *def : Value::none();
    return true;
  }
  return false;
}

Value fn_range(Evaluator& ev, const CallArgs& a) {
  check_max_args(a, 3, "range");
  if (a.pos.empty()) runtime_fail("range expected at least 1 argument");
  int64_t start = 0, stop, step = 1;
  if (a.pos.size() == 1) {
    stop = int_arg(a, 0, "stop", "range", 0);
  } else {
    start = int_arg(a, 0, "start", "range", 0);
    stop = int_arg(a, 1, "stop", "range", 0);
    step = int_arg(a, 2, "step", "range", 1);
  }
  if (step == 0) runtime_fail("range() arg 3 must not be zero");
  List out;
  for (int64_t i = start; step > 0 ? i < stop : i > stop;) {
    ev.budget().charge();
    if (out.size() >= ev.budget().max_value_bytes() / sizeof(Value)) {
      throw JinjaError(ErrorKind::Limit, "range() of more than " + std::to_string(out.size()) + " items");
    }
    ev.budget().produce(sizeof(Value));
    out.emplace_back(i);
    if (__builtin_add_overflow(i, step, &i)) break;
  }
  return Value::list(std::move(out));
}

Value fn_namespace(Evaluator& ev, const CallArgs& a) {
  Dict d;
  ev.budget().produce((a.kw.size() + (a.pos.empty() || !a.pos[0].is_dict() ? 0 : a.pos[0].as_dict().items.size())) *
                      (sizeof(Value) + sizeof(std::string)));
  if (!a.pos.empty()) {
    if (a.pos.size() > 1 || !a.pos[0].is_dict()) runtime_fail("namespace() takes keyword arguments or one dict");
    d = a.pos[0].as_dict();
  }
  for (const auto& kv : a.kw) d.set(kv.first, kv.second);
  return Value::ns(std::move(d));
}

Value fn_dict(Evaluator& ev, const CallArgs& a) {
  Dict d;
  ev.budget().produce((a.kw.size() + (a.pos.empty() || !a.pos[0].is_dict() ? 0 : a.pos[0].as_dict().items.size())) *
                      (sizeof(Value) + sizeof(std::string)));
  if (!a.pos.empty()) {
    if (a.pos.size() > 1 || !a.pos[0].is_dict()) runtime_fail("dict() takes keyword arguments or one dict");
    d = a.pos[0].as_dict();
  }
  for (const auto& kv : a.kw) d.set(kv.first, kv.second);
  return Value::dict(std::move(d));
}

Value fn_raise(Evaluator& ev, const CallArgs& a) {
  const Value* m = a.arg(0, "message");
  throw JinjaError(ErrorKind::Raised, m ? m->str(ev.budget()) : std::string("raise_exception() called"));
}

Value fn_strftime_now(Evaluator& ev, const CallArgs& a) {
  std::string fmt = string_arg(a, 0, "format", "strftime_now", "%Y-%m-%d");
  if (fmt.size() > 128) runtime_fail("strftime_now(): format longer than 128 characters");
  std::time_t t = static_cast<std::time_t>(ev.now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[512];
  size_t n = fmt.empty() ? 0 : std::strftime(buf, sizeof buf, fmt.c_str(), &tm);
  return Value(std::string(buf, n));
}

}  // namespace

bool call_method(Evaluator& ev, const Value& obj, const std::string& name, const CallArgs& a, Value& out) {
  if (obj.is_string()) return string_method(ev, obj.as_string(), name, a, out);
  if (obj.is_dict()) return dict_method(ev, obj.as_dict(), name, a, out);
  if (obj.is_list() && (name == "append" || name == "pop" || name == "insert" || name == "extend" ||
                        name == "remove" || name == "clear" || name == "sort" || name == "reverse")) {
    runtime_fail("lists are read-only in templates: '" + name + "' is not allowed");
  }
  return false;
}

void add_globals(Dict& g) {
  g.set("range", Value::function("range", fn_range));
  g.set("namespace", Value::function("namespace", fn_namespace));
  g.set("dict", Value::function("dict", fn_dict));
  g.set("raise_exception", Value::function("raise_exception", fn_raise));
  g.set("strftime_now", Value::function("strftime_now", fn_strftime_now));
}

}  // namespace lantern::jinja
