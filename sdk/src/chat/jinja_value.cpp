#include "chat/jinja_value.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "chat/jinja_error.h"
#include "chat/jinja_strings.h"

namespace lantern::jinja {

const Value* Dict::find(std::string_view key) const {
  for (const auto& kv : items) {
    if (kv.first == key) return &kv.second;
  }
  return nullptr;
}

Value* Dict::find(std::string_view key) {
  for (auto& kv : items) {
    if (kv.first == key) return &kv.second;
  }
  return nullptr;
}

void Dict::set(std::string key, Value v) {
  if (Value* old = find(key)) {
    *old = std::move(v);
  } else {
    items.emplace_back(std::move(key), std::move(v));
  }
}

const Value* CallArgs::kwarg(std::string_view name) const {
  for (const auto& kv : kw) {
    if (kv.first == name) return &kv.second;
  }
  return nullptr;
}

const Value* CallArgs::arg(size_t i, std::string_view name) const {
  if (i < pos.size()) return &pos[i];
  return kwarg(name);
}

namespace {
void check_nesting(int depth) {
  if (depth > kMaxNesting) {
    throw JinjaError(ErrorKind::Limit,
                     "values nest deeper than " + std::to_string(kMaxNesting) + " levels");
  }
}
}  // namespace

Value Value::undefined(std::string hint) {
  Value v;
  v.v_ = Undef{std::make_shared<const std::string>(std::move(hint))};
  return v;
}

Value Value::list(List items) {
  int depth = 0;
  bool has_ns = false;
  for (const Value& x : items) {
    depth = std::max(depth, x.depth());
    has_ns = has_ns || x.has_namespace();
  }
  check_nesting(depth + 1);
  Value v;
  v.v_ = std::make_shared<const ListBox>(ListBox{std::move(items), depth + 1, has_ns});
  return v;
}

Value Value::dict(Dict d) {
  int depth = 0;
  bool has_ns = false;
  for (const auto& kv : d.items) {
    depth = std::max(depth, kv.second.depth());
    has_ns = has_ns || kv.second.has_namespace();
  }
  check_nesting(depth + 1);
  Value v;
  v.v_ = std::make_shared<const DictBox>(DictBox{std::move(d), depth + 1, has_ns});
  return v;
}

Value Value::ns(Dict d) {
  for (const auto& kv : d.items) {
    if (kv.second.has_namespace()) {
      throw JinjaError(ErrorKind::Runtime, "a namespace cannot hold another namespace");
    }
  }
  Value v;
  v.v_ = std::make_shared<Dict>(std::move(d));
  return v;
}

Value Value::function(std::string name, NativeFn fn) {
  Value v;
  v.v_ = std::make_shared<const Function>(Function{std::move(name), std::move(fn)});
  return v;
}

double Value::as_number() const {
  if (kind() == Kind::Int) return static_cast<double>(as_int());
  if (kind() == Kind::Bool) return as_bool() ? 1.0 : 0.0;
  return std::get<double>(v_);
}

const Dict& Value::as_dict() const {
  if (kind() == Kind::Namespace) return *std::get<NsPtr>(v_);
  return std::get<DictPtr>(v_)->d;
}

const std::string& Value::undefined_hint() const {
  static const std::string empty;
  const auto& u = std::get<Undef>(v_);
  return u.hint ? *u.hint : empty;
}

int Value::depth() const {
  switch (kind()) {
    case Kind::List: return std::get<ListPtr>(v_)->depth;
    case Kind::Dict: return std::get<DictPtr>(v_)->depth;
    case Kind::Namespace: {
      int d = 0;
      for (const auto& kv : std::get<NsPtr>(v_)->items) d = std::max(d, kv.second.depth());
      return d + 1;
    }
    default: return 0;
  }
}

bool Value::has_namespace() const {
  switch (kind()) {
    case Kind::List: return std::get<ListPtr>(v_)->has_ns;
    case Kind::Dict: return std::get<DictPtr>(v_)->has_ns;
    case Kind::Namespace: return true;
    default: return false;
  }
}

bool Value::truthy() const {
  switch (kind()) {
    case Kind::Undefined:
    case Kind::None: return false;
    case Kind::Bool: return as_bool();
    case Kind::Int: return as_int() != 0;
    case Kind::Float: return std::get<double>(v_) != 0.0;
    case Kind::String: return !as_string().empty();
    case Kind::List: return !as_list().empty();
    case Kind::Dict: return !as_dict().items.empty();
    case Kind::Namespace:
    case Kind::Function: return true;
  }
  return false;
}

std::string Value::type_name() const {
  switch (kind()) {
    case Kind::Undefined: return "undefined";
    case Kind::None: return "NoneType";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::String: return "str";
    case Kind::List: return "list";
    case Kind::Dict: return "dict";
    case Kind::Namespace: return "Namespace";
    case Kind::Function: return "function";
  }
  return "?";
}

void Value::write_str(std::string& out, Budget& b, bool repr) const {
  b.charge();
  switch (kind()) {
    case Kind::Undefined: if (repr) out += "Undefined"; break;
    case Kind::None: out += "None"; break;
    case Kind::Bool: out += as_bool() ? "True" : "False"; break;
    case Kind::Int: out += std::to_string(as_int()); break;
    case Kind::Float: out += py_float_repr(std::get<double>(v_)); break;
    case Kind::String:
      b.produce(as_string().size());
      out += repr ? py_string_repr(as_string()) : as_string();
      break;
    case Kind::List: {
      out += '[';
      bool first = true;
      for (const Value& x : as_list()) {
        if (!first) out += ", ";
        first = false;
        x.write_str(out, b, true);
        b.check_size(out.size());
      }
      out += ']';
      break;
    }
    case Kind::Dict:
    case Kind::Namespace: {
      out += kind() == Kind::Namespace ? "<Namespace {" : "{";
      bool first = true;
      for (const auto& kv : as_dict().items) {
        if (!first) out += ", ";
        first = false;
        decode_key(kv.first).write_str(out, b, true);
        out += ": ";
        kv.second.write_str(out, b, true);
        b.check_size(out.size());
      }
      out += kind() == Kind::Namespace ? "}>" : "}";
      break;
    }
    case Kind::Function: out += "<function " + as_function().name + ">"; break;
  }
  b.check_size(out.size());
}

std::string Value::str(Budget& b) const {
  if (kind() == Kind::String) {
    b.produce(as_string().size());
    return as_string();
  }
  std::string out;
  write_str(out, b, false);
  return out;
}

std::string Value::repr(Budget& b) const {
  std::string out;
  write_str(out, b, true);
  return out;
}

bool Value::equals(const Value& o, Budget& b) const {
  b.charge();
  Kind a = kind(), c = o.kind();
  auto numeric = [](Kind k) { return k == Kind::Bool || k == Kind::Int || k == Kind::Float; };
  if (numeric(a) && numeric(c)) {
    if (a != Kind::Float && c != Kind::Float) {
      int64_t x = a == Kind::Bool ? as_bool() : as_int();
      int64_t y = c == Kind::Bool ? o.as_bool() : o.as_int();
      return x == y;
    }
    return as_number() == o.as_number();
  }
  if (a != c) return false;
  switch (a) {
    case Kind::Undefined:
    case Kind::None: return true;
    case Kind::String:
      b.charge_bytes(std::min(as_string().size(), o.as_string().size()));
      return as_string() == o.as_string();
    case Kind::List: {
      const List& x = as_list();
      const List& y = o.as_list();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!x[i].equals(y[i], b)) return false;
      }
      return true;
    }
    case Kind::Dict: {
      const Dict& x = as_dict();
      const Dict& y = o.as_dict();
      if (x.items.size() != y.items.size()) return false;
      for (const auto& kv : x.items) {
        const Value* other = y.find(kv.first);
        b.charge(y.items.size() / 16);
        if (!other || !kv.second.equals(*other, b)) return false;
      }
      return true;
    }
    case Kind::Namespace: return std::get<NsPtr>(v_) == std::get<NsPtr>(o.v_);
    case Kind::Function: return std::get<FnPtr>(v_) == std::get<FnPtr>(o.v_);
    default: return false;
  }
}

std::string Value::str() const {
  Budget b;
  return str(b);
}
std::string Value::repr() const {
  Budget b;
  return repr(b);
}
bool Value::equals(const Value& o) const {
  Budget b;
  return equals(o, b);
}

namespace {
constexpr char kKeyTag = '\x01';
}  // namespace

std::optional<std::string> encode_key(const Value& k) {
  switch (k.kind()) {
    case Value::Kind::String: return k.as_string();
    case Value::Kind::Bool: return std::string(1, kKeyTag) + "i" + (k.as_bool() ? "1" : "0");
    case Value::Kind::Int: return std::string(1, kKeyTag) + "i" + std::to_string(k.as_int());
    case Value::Kind::Float: {
      double d = k.as_number();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e18) {
        return std::string(1, kKeyTag) + "i" + std::to_string(static_cast<int64_t>(d));
      }
      return std::string(1, kKeyTag) + "f" + py_float_repr(d);
    }
    case Value::Kind::None: return std::string(1, kKeyTag) + "n";
    default: return std::nullopt;
  }
}

Value decode_key(const std::string& k) {
  if (k.size() < 2 || k[0] != kKeyTag) return Value(k);
  if (k[1] == 'i') return Value(static_cast<int64_t>(std::strtoll(k.c_str() + 2, nullptr, 10)));
  if (k[1] == 'f') return Value(std::strtod(k.c_str() + 2, nullptr));
  if (k[1] == 'n') return Value::none();
  return Value(k);
}

namespace {

template <class Json>
Value from_json_impl(const Json& j, int depth) {
  if (depth > kMaxNesting) {
    throw JinjaError(ErrorKind::Limit, "JSON input nests deeper than " + std::to_string(kMaxNesting) + " levels");
  }
  switch (j.type()) {
    case Json::value_t::null: return Value::none();
    case Json::value_t::boolean: return Value(j.template get<bool>());
    case Json::value_t::number_integer: return Value(j.template get<int64_t>());
    case Json::value_t::number_unsigned: {
      uint64_t u = j.template get<uint64_t>();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return Value(static_cast<int64_t>(u));
      return Value(static_cast<double>(u));
    }
    case Json::value_t::number_float: return Value(j.template get<double>());
    case Json::value_t::string: return Value(j.template get<std::string>());
    case Json::value_t::array: {
      List items;
      items.reserve(j.size());
      for (const auto& x : j) items.push_back(from_json_impl(x, depth + 1));
      return Value::list(std::move(items));
    }
    case Json::value_t::object: {
      Dict d;
      d.items.reserve(j.size());
      for (auto it = j.begin(); it != j.end(); ++it) {
        d.items.emplace_back(it.key(), from_json_impl(it.value(), depth + 1));
      }
      return Value::dict(std::move(d));
    }
    default: return Value::none();  // binary / discarded: not produced by parsing text
  }
}

void write_json(std::string& out, const Value& v, Budget& b, int indent, bool sort_keys, int level) {
  b.charge();
  b.check_size(out.size());
  auto newline = [&](int lvl) {
    out += '\n';
    out.append(static_cast<size_t>(indent) * static_cast<size_t>(lvl), ' ');
  };
  switch (v.kind()) {
    case Value::Kind::None: out += "null"; return;
    case Value::Kind::Bool: out += v.as_bool() ? "true" : "false"; return;
    case Value::Kind::Int: out += std::to_string(v.as_int()); return;
    case Value::Kind::Float: {
      double d = v.as_number();
      if (std::isnan(d)) out += "NaN";
      else if (std::isinf(d)) out += d < 0 ? "-Infinity" : "Infinity";
      else out += py_float_repr(d);
      return;
    }
    case Value::Kind::String:
      b.produce(v.as_string().size());
      append_json_string(out, v.as_string());
      return;
    case Value::Kind::List: {
      const List& items = v.as_list();
      if (items.empty()) { out += "[]"; return; }
      out += '[';
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += indent >= 0 ? "," : ", ";
        if (indent >= 0) newline(level + 1);
        write_json(out, items[i], b, indent, sort_keys, level + 1);
      }
      if (indent >= 0) newline(level);
      out += ']';
      return;
    }
    case Value::Kind::Dict: {
      const Dict& d = v.as_dict();
      if (d.items.empty()) { out += "{}"; return; }
      std::vector<const std::pair<std::string, Value>*> order;
      for (const auto& kv : d.items) order.push_back(&kv);
      if (sort_keys) {
        std::stable_sort(order.begin(), order.end(), [](auto* x, auto* y) { return x->first < y->first; });
      }
      out += '{';
      for (size_t i = 0; i < order.size(); ++i) {
        if (i) out += indent >= 0 ? "," : ", ";
        if (indent >= 0) newline(level + 1);
        Value key = decode_key(order[i]->first);  // json.dumps turns 1 into "1", None into "null"
        append_json_string(out, key.is_string() ? key.as_string()
                                : key.is_none()  ? std::string("null")
                                : key.kind() == Value::Kind::Bool ? std::string(key.as_bool() ? "true" : "false")
                                                 : key.str(b));
        out += ": ";
        write_json(out, order[i]->second, b, indent, sort_keys, level + 1);
      }
      if (indent >= 0) newline(level);
      out += '}';
      return;
    }
    default:
      throw JinjaError(ErrorKind::Runtime, "Object of type " + v.type_name() + " is not JSON serializable");
  }
}

}  // namespace

Value from_json(const nlohmann::json& j) { return from_json_impl(j, 0); }
Value from_json(const nlohmann::ordered_json& j) { return from_json_impl(j, 0); }

std::string to_json_text(const Value& v, Budget& b, int indent, bool sort_keys) {
  std::string out;
  write_json(out, v, b, indent, sort_keys, 0);
  b.check_size(out.size());
  return out;
}

}  // namespace lantern::jinja
