#include "chat/jinja_operators.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "chat/jinja_error.h"

namespace lantern::jinja {

namespace {

bool is_intlike(const Value& v) { return v.kind() == Value::Kind::Int || v.kind() == Value::Kind::Bool; }
bool is_numeric(const Value& v) { return is_intlike(v) || v.kind() == Value::Kind::Float; }
int64_t int_of(const Value& v) { return v.kind() == Value::Kind::Bool ? (v.as_bool() ? 1 : 0) : v.as_int(); }

[[noreturn]] void type_error(const std::string& op, const Value& l, const Value& r) {
  throw JinjaError(ErrorKind::Runtime, "unsupported operand type(s) for " + op + ": '" + l.type_name() +
                                           "' and '" + r.type_name() + "'");
}
[[noreturn]] void overflow() { throw JinjaError(ErrorKind::Runtime, "integer overflow"); }
[[noreturn]] void div_zero() { throw JinjaError(ErrorKind::Runtime, "division by zero"); }

Value repeat_string(const std::string& s, int64_t n, Budget& b) {
  if (n <= 0 || s.empty()) return Value(std::string());
  if (static_cast<uint64_t>(n) > b.max_value_bytes() / s.size()) b.check_size(b.max_value_bytes() + 1);
  b.produce(static_cast<uint64_t>(n) * s.size());
  std::string out;
  out.reserve(s.size() * static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out += s;
  return Value(std::move(out));
}

Value repeat_list(const List& l, int64_t n, Budget& b) {
  if (n <= 0 || l.empty()) return Value::list({});
  if (static_cast<uint64_t>(n) > (b.max_value_bytes() / sizeof(Value)) / l.size()) b.check_size(b.max_value_bytes() + 1);
  b.produce(static_cast<uint64_t>(n) * l.size() * sizeof(Value));
  List out;
  out.reserve(l.size() * static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out.insert(out.end(), l.begin(), l.end());
  return Value::list(std::move(out));
}

int64_t floor_div(int64_t a, int64_t c) {
  if (c == 0) div_zero();
  if (a == std::numeric_limits<int64_t>::min() && c == -1) overflow();
  int64_t q = a / c;
  if ((a % c != 0) && ((a < 0) != (c < 0))) --q;
  return q;
}

int64_t py_mod(int64_t a, int64_t c) {
  if (c == 0) div_zero();
  if (c == -1) return 0;
  int64_t m = a % c;
  if (m != 0 && ((m < 0) != (c < 0))) m += c;
  return m;
}

}  // namespace

void fail_undefined(const Value& v) {
  const std::string& hint = v.undefined_hint();
  throw JinjaError(ErrorKind::Runtime, hint.empty() ? std::string("value is undefined") : hint);
}

Value binary_op(const std::string& op, const Value& l, const Value& r, Budget& b) {
  if (op == "~") {  // charged for the bytes it copies: a loop of `big ~ x` pays for each copy
    std::string s = l.is_string() ? std::string() : l.str(b);
    std::string t = r.is_string() ? std::string() : r.str(b);
    const std::string& ls = l.is_string() ? l.as_string() : s;
    const std::string& rs = r.is_string() ? r.as_string() : t;
    b.check_size(ls.size() + rs.size());
    b.produce(ls.size() + rs.size());
    std::string out;
    out.reserve(ls.size() + rs.size());
    out.append(ls).append(rs);
    return Value(std::move(out));
  }
  if (l.is_undefined()) fail_undefined(l);
  if (r.is_undefined()) fail_undefined(r);
  if (op == "+") {
    if (is_intlike(l) && is_intlike(r)) {
      int64_t out;
      if (__builtin_add_overflow(int_of(l), int_of(r), &out)) overflow();
      return Value(out);
    }
    if (is_numeric(l) && is_numeric(r)) return Value(l.as_number() + r.as_number());
    if (l.is_string() && r.is_string()) {
      b.check_size(l.as_string().size() + r.as_string().size());
      b.produce(l.as_string().size() + r.as_string().size());
      return Value(l.as_string() + r.as_string());
    }
    if (l.is_list() && r.is_list()) {
      b.check_size((l.as_list().size() + r.as_list().size()) * sizeof(Value));
      b.produce((l.as_list().size() + r.as_list().size()) * sizeof(Value));
      List out = l.as_list();
      out.insert(out.end(), r.as_list().begin(), r.as_list().end());
      return Value::list(std::move(out));
    }
    type_error(op, l, r);
  }
  if (op == "*") {
    if (is_intlike(l) && is_intlike(r)) {
      int64_t out;
      if (__builtin_mul_overflow(int_of(l), int_of(r), &out)) overflow();
      return Value(out);
    }
    if (is_numeric(l) && is_numeric(r)) return Value(l.as_number() * r.as_number());
    if (l.is_string() && is_intlike(r)) return repeat_string(l.as_string(), int_of(r), b);
    if (r.is_string() && is_intlike(l)) return repeat_string(r.as_string(), int_of(l), b);
    if (l.is_list() && is_intlike(r)) return repeat_list(l.as_list(), int_of(r), b);
    if (r.is_list() && is_intlike(l)) return repeat_list(r.as_list(), int_of(l), b);
    type_error(op, l, r);
  }
  if (!is_numeric(l) || !is_numeric(r)) {
    if (op == "%" && l.is_string()) {
      throw JinjaError(ErrorKind::Runtime, "printf-style '%' string formatting is not supported");
    }
    type_error(op, l, r);
  }
  bool ints = is_intlike(l) && is_intlike(r);
  if (op == "-") {
    if (ints) {
      int64_t out;
      if (__builtin_sub_overflow(int_of(l), int_of(r), &out)) overflow();
      return Value(out);
    }
    return Value(l.as_number() - r.as_number());
  }
  if (op == "/") {
    if (r.as_number() == 0.0) div_zero();
    return Value(l.as_number() / r.as_number());
  }
  if (op == "//") {
    if (ints) return Value(floor_div(int_of(l), int_of(r)));
    if (r.as_number() == 0.0) div_zero();
    return Value(std::floor(l.as_number() / r.as_number()));
  }
  if (op == "%") {
    if (ints) return Value(py_mod(int_of(l), int_of(r)));
    double c = r.as_number();
    if (c == 0.0) div_zero();
    double m = std::fmod(l.as_number(), c);
    if (m != 0.0 && ((m < 0) != (c < 0))) m += c;
    return Value(m);
  }
  if (op == "**") {
    if (ints && int_of(r) >= 0) {
      int64_t base = int_of(l), e = int_of(r), out = 1;
      while (e > 0) {
        if (e & 1) {
          if (__builtin_mul_overflow(out, base, &out)) overflow();
        }
        e >>= 1;
        if (e > 0 && __builtin_mul_overflow(base, base, &base)) overflow();
      }
      return Value(out);
    }
    return Value(std::pow(l.as_number(), r.as_number()));
  }
  throw JinjaError(ErrorKind::Runtime, "unknown operator '" + op + "'");
}

Value unary_op(const std::string& op, const Value& v) {
  if (v.is_undefined()) fail_undefined(v);
  if (!is_numeric(v)) {
    throw JinjaError(ErrorKind::Runtime, "bad operand type for unary " + op + ": '" + v.type_name() + "'");
  }
  if (op == "+") return is_intlike(v) ? Value(int_of(v)) : v;
  if (is_intlike(v)) {
    if (int_of(v) == std::numeric_limits<int64_t>::min()) overflow();
    return Value(-int_of(v));
  }
  return Value(-v.as_number());
}

int order(const Value& l, const Value& r, Budget& b) {
  b.charge();
  if (l.is_undefined()) fail_undefined(l);
  if (r.is_undefined()) fail_undefined(r);
  if (is_numeric(l) && is_numeric(r)) {
    if (is_intlike(l) && is_intlike(r)) return int_of(l) < int_of(r) ? -1 : int_of(l) > int_of(r) ? 1 : 0;
    double x = l.as_number(), y = r.as_number();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (l.is_string() && r.is_string()) {
    b.charge_bytes(std::min(l.as_string().size(), r.as_string().size()));
    int c = l.as_string().compare(r.as_string());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (l.is_list() && r.is_list()) {
    const List& x = l.as_list();
    const List& y = r.as_list();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (x[i].equals(y[i], b)) continue;
      return order(x[i], y[i], b);
    }
    return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
  }
  throw JinjaError(ErrorKind::Runtime, "'<' not supported between instances of '" + l.type_name() + "' and '" +
                                           r.type_name() + "'");
}

bool contains(const Value& container, const Value& item, Budget& b) {
  switch (container.kind()) {
    case Value::Kind::Undefined: return false;  // jinja2's Undefined iterates as empty
    case Value::Kind::String:
      if (!item.is_string()) {
        throw JinjaError(ErrorKind::Runtime, "'in <string>' requires string as left operand, not " + item.type_name());
      }
      return b.find(container.as_string(), item.as_string()) != std::string::npos;
    case Value::Kind::List:
      for (const Value& x : container.as_list()) {
        if (x.equals(item, b)) return true;
      }
      return false;
    case Value::Kind::Dict:
    case Value::Kind::Namespace:
      b.charge(container.as_dict().items.size() / 16);
    {
      std::optional<std::string> key = encode_key(item);
      return key && container.as_dict().find(*key) != nullptr;
    }
    default:
      throw JinjaError(ErrorKind::Runtime, "argument of type '" + container.type_name() + "' is not iterable");
  }
}

bool compare_op(const std::string& op, const Value& l, const Value& r, Budget& b) {
  if (op == "==") return l.equals(r, b);
  if (op == "!=") return !l.equals(r, b);
  if (op == "in") return contains(r, l, b);
  if (op == "notin") return !contains(r, l, b);
  int c = order(l, r, b);
  if (op == "<") return c < 0;
  if (op == "<=") return c <= 0;
  if (op == ">") return c > 0;
  return c >= 0;  // ">="
}

}  // namespace lantern::jinja
