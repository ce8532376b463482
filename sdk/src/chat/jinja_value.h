// Values of the Jinja subset: undefined, none, bool, int, float, string, list,
// dict (insertion-ordered, string keys), namespace (the one mutable object,
// for `set ns.x = ...`) and function (builtins and macros). Strings, lists and
// dicts are immutable and shared, so copying a Value is cheap; the templates
// run in the equivalent of jinja2's ImmutableSandboxedEnvironment.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/jinja_budget.h"

namespace lantern::jinja {

class Value;
class Evaluator;
using List = std::vector<Value>;

// Containers nest at most this deep (JSON input and values built by a template);
// it bounds every recursive walk (str, ==, tojson, destruction).
constexpr int kMaxNesting = 100;

struct Dict {
  std::vector<std::pair<std::string, Value>> items;
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  void set(std::string key, Value v);  // replaces in place or appends
};

struct CallArgs {
  std::vector<Value> pos;
  std::vector<std::pair<std::string, Value>> kw;
  const Value* kwarg(std::string_view name) const;
  // Positional argument i, else keyword `name`, else nullptr.
  const Value* arg(size_t i, std::string_view name) const;
};

using NativeFn = std::function<Value(Evaluator&, const CallArgs&)>;
struct Function {
  std::string name;
  NativeFn fn;
};

class Value {
 public:
  enum class Kind { Undefined, None, Bool, Int, Float, String, List, Dict, Namespace, Function };

  Value() : v_(Undef{}) {}  // undefined
  // hint: the error to report if the value is used ("'x' is undefined").
  static Value undefined(std::string hint);
  static Value none() { Value v; v.v_ = std::monostate{}; return v; }
  Value(bool b) : v_(b) {}
  Value(int i) : v_(static_cast<int64_t>(i)) {}
  Value(int64_t i) : v_(i) {}
  Value(double d) : v_(d) {}
  Value(std::string s) : v_(std::make_shared<const std::string>(std::move(s))) {}
  Value(const char* s) : Value(std::string(s)) {}
  static Value list(List items);
  static Value dict(Dict d);
  static Value ns(Dict d);
  static Value function(std::string name, NativeFn fn);

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_undefined() const { return kind() == Kind::Undefined; }
  bool is_none() const { return kind() == Kind::None; }
  bool is_string() const { return kind() == Kind::String; }
  bool is_int() const { return kind() == Kind::Int; }
  bool is_number() const { return kind() == Kind::Int || kind() == Kind::Float; }
  bool is_list() const { return kind() == Kind::List; }
  bool is_dict() const { return kind() == Kind::Dict; }
  bool is_namespace() const { return kind() == Kind::Namespace; }
  bool is_function() const { return kind() == Kind::Function; }

  // Accessors; callers check kind() first (a wrong kind is a programming error
  // caught by std::get, never reachable from template input).
  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_number() const;  // int or float
  const std::string& as_string() const { return *std::get<StrPtr>(v_); }
  const List& as_list() const { return std::get<ListPtr>(v_)->items; }
  const Dict& as_dict() const;  // dict or namespace
  Dict& namespace_items() const { return *std::get<NsPtr>(v_); }
  const Function& as_function() const { return *std::get<FnPtr>(v_); }
  const std::string& undefined_hint() const;

  int depth() const;        // container nesting: 0 for scalars
  bool has_namespace() const;  // is or contains a namespace (they may not nest)

  bool truthy() const;
  // Python str() (undefined renders as ""), repr(), and ==  (1 == 1.0 == True).
  // The forms without a Budget use a default one.
  std::string str(Budget& b) const;
  std::string repr(Budget& b) const;
  bool equals(const Value& o, Budget& b) const;
  std::string str() const;
  std::string repr() const;
  bool equals(const Value& o) const;
  std::string type_name() const;  // Python-style: str, int, list, dict, NoneType, ...

 private:
  struct Undef {
    std::shared_ptr<const std::string> hint;
  };
  struct ListBox {
    List items;
    int depth;
    bool has_ns;
  };
  struct DictBox {
    Dict d;
    int depth;
    bool has_ns;
  };
  void write_str(std::string& out, Budget& b, bool repr) const;
  using StrPtr = std::shared_ptr<const std::string>;
  using ListPtr = std::shared_ptr<const ListBox>;
  using DictPtr = std::shared_ptr<const DictBox>;
  using NsPtr = std::shared_ptr<Dict>;
  using FnPtr = std::shared_ptr<const Function>;
  std::variant<Undef, std::monostate, bool, int64_t, double, StrPtr, ListPtr, DictPtr, NsPtr, FnPtr> v_;
};

// Dict keys are strings. A template's other hashable keys ({0: 'a'}, as in
// some real templates) are stored under a private encoding, so that lookups
// with an equal value (0, 0.0, False) find them; decode_key restores them.
std::optional<std::string> encode_key(const Value& k);  // nullopt for list/dict keys
Value decode_key(const std::string& k);

// JSON conversions. from_json refuses nesting deeper than kMaxNesting (throws
// JinjaError). to_json_text writes Python json.dumps(ensure_ascii=False)
// output: ", " and ": " separators, or newlines when indent >= 0; undefined
// and functions are errors as in Python.
Value from_json(const nlohmann::json& j);
Value from_json(const nlohmann::ordered_json& j);
std::string to_json_text(const Value& v, Budget& b, int indent = -1, bool sort_keys = false);

}  // namespace lantern::jinja
