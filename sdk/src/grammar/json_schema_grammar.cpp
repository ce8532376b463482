#include "grammar/json_schema_grammar.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "grammar/gbnf_compose.h"
#include "grammar/gbnf_parser.h"
#include "grammar/regex_grammar.h"
#include "grammar/utf8_ranges.h"

namespace lantern::grammar {

namespace {

using Json = nlohmann::ordered_json;
using i128 = __int128;

// Text bounds (see the header): digits of unconstrained numbers, and of
// numbers with bounds that may have a fraction. The latter keep at most 15
// significant digits so that reading the text as a double (as most
// validators do) and as an exact decimal order it the same way against the
// bound.
constexpr int kIntDigits = 20, kFracDigits = 20, kExpDigits = 3;
constexpr int kBoundedIntDigits = 9, kBoundedFracDigits = 6;
constexpr int kMaxIndent = 20;   // spaces or tabs after a newline in `ws`
constexpr int kInlineDepth = 32;  // nested expressions before a helper rule

// ---- grammar expressions ---------------------------------------------------

// Expression parts built so far (by this thread's conversion): part of the
// work bound, since spreading anyOf copies whole subtrees.
thread_local size_t t_expr_parts = 0;

struct Expr {
  enum Kind : uint8_t { Never, Empty, Lit, Class, Ref, Seq, Alt, Repeat };
  Kind kind = Empty;
  std::string text;        // Lit: UTF-8
  CodePointSet set;        // Class
  uint32_t rule = 0;       // Ref
  std::vector<Expr> kids;  // Seq, Alt; Repeat has one
  uint32_t min = 0, max = 0;
  bool unbounded = false;
};

Expr never_e() {
  Expr e;
  e.kind = Expr::Never;
  return e;
}

Expr lit(std::string s) {
  Expr e;
  if (s.empty()) return e;
  e.kind = Expr::Lit;
  e.text = std::move(s);
  return e;
}

Expr cls(CodePointSet s) {
  if (s.empty()) return never_e();
  Expr e;
  e.kind = Expr::Class;
  e.set = std::move(s);
  return e;
}

Expr cls(uint32_t lo, uint32_t hi) { return cls(CodePointSet::of(lo, hi)); }

Expr ref_e(uint32_t r) {
  Expr e;
  e.kind = Expr::Ref;
  e.rule = r;
  return e;
}

void push_seq(Expr& out, Expr x) {
  if (x.kind == Expr::Lit && !out.kids.empty() && out.kids.back().kind == Expr::Lit) {
    out.kids.back().text += x.text;
  } else {
    out.kids.push_back(std::move(x));
  }
}

// Constructors that keep expressions simplified: Never absorbs a sequence
// and leaves an alternation, Empty disappears, nesting of the same kind is
// flattened.
Expr seq_v(std::vector<Expr> xs) {
  t_expr_parts += xs.size();
  Expr out;
  out.kind = Expr::Seq;
  for (Expr& x : xs) {
    if (x.kind == Expr::Never) return never_e();
    if (x.kind == Expr::Empty) continue;
    if (x.kind == Expr::Seq) {
      for (Expr& k : x.kids) push_seq(out, std::move(k));
    } else {
      push_seq(out, std::move(x));
    }
  }
  if (out.kids.empty()) return Expr{};
  if (out.kids.size() == 1) return std::move(out.kids[0]);
  return out;
}

Expr repeat(Expr x, uint32_t min, uint32_t max, bool unbounded);

Expr alt_v(std::vector<Expr> xs) {
  t_expr_parts += xs.size();
  Expr out;
  out.kind = Expr::Alt;
  bool has_empty = false;
  for (Expr& x : xs) {
    if (x.kind == Expr::Never) continue;
    if (x.kind == Expr::Empty) {
      has_empty = true;
    } else if (x.kind == Expr::Alt) {
      for (Expr& k : x.kids) out.kids.push_back(std::move(k));
    } else {
      out.kids.push_back(std::move(x));
    }
  }
  Expr body;
  if (out.kids.empty()) {
    body = has_empty ? Expr{} : never_e();
    return body;
  }
  body = out.kids.size() == 1 ? std::move(out.kids[0]) : std::move(out);
  if (has_empty) return repeat(std::move(body), 0, 1, false);
  return body;
}

Expr repeat(Expr x, uint32_t min, uint32_t max, bool unbounded) {
  if (x.kind == Expr::Never) return min == 0 ? Expr{} : never_e();
  if (x.kind == Expr::Empty || (!unbounded && max == 0)) return Expr{};
  if (!unbounded && min == 1 && max == 1) return x;
  Expr e;
  e.kind = Expr::Repeat;
  e.min = min;
  e.max = unbounded ? min : max;
  e.unbounded = unbounded;
  e.kids.push_back(std::move(x));
  return e;
}

// seq(a, b, ...) / alt(a, b, ...): the parts moved in, never copied (an
// initializer list would copy whole subtrees).
template <typename... T>
Expr seq(T&&... xs) {
  std::vector<Expr> v;
  v.reserve(sizeof...(xs));
  (v.push_back(std::forward<T>(xs)), ...);
  return seq_v(std::move(v));
}

template <typename... T>
Expr alt(T&&... xs) {
  std::vector<Expr> v;
  v.reserve(sizeof...(xs));
  (v.push_back(std::forward<T>(xs)), ...);
  return alt_v(std::move(v));
}

Expr opt(Expr x) { return repeat(std::move(x), 0, 1, false); }
Expr star(Expr x) { return repeat(std::move(x), 0, 0, true); }

struct Rule {
  std::string name;
  Expr body;
};

// ---- GBNF text ---------------------------------------------------------------

void hex_escape(std::string& out, char kind, uint32_t c, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\%c%0*X", kind, digits, c);
  out += buf;
}

void print_class_char(uint32_t c, std::string& out) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
    out += static_cast<char>(c);
  } else if (c < 0x80) {
    hex_escape(out, 'x', c, 2);
  } else if (c <= 0xFFFF) {
    hex_escape(out, 'u', c, 4);
  } else {
    hex_escape(out, 'U', c, 8);
  }
}

void print_expr(const Expr& e, const std::vector<Rule>& rules, std::string& out, int prec) {
  // prec 0: a rule body; 1: inside a sequence; 2: the operand of a repetition.
  switch (e.kind) {
    case Expr::Never: throw std::logic_error("json_schema_grammar: unpruned empty language");
    case Expr::Empty: out += "\"\""; return;
    case Expr::Lit:
      if (prec >= 2 && e.text.size() > 1) {
        out += '(';
        out += gbnf_literal(e.text);
        out += ')';
      } else {
        out += gbnf_literal(e.text);
      }
      return;
    case Expr::Class:
      out += '[';
      for (const auto& [lo, hi] : e.set.ranges()) {
        print_class_char(lo, out);
        if (hi > lo) {
          out += '-';
          print_class_char(hi, out);
        }
      }
      out += ']';
      return;
    case Expr::Ref: out += rules[e.rule].name; return;
    case Expr::Seq:
    case Expr::Alt: {
      bool paren = e.kind == Expr::Seq ? prec >= 2 : prec >= 1;
      if (paren) out += "( ";
      for (size_t i = 0; i < e.kids.size(); ++i) {
        if (i) out += e.kind == Expr::Seq ? " " : " | ";
        print_expr(e.kids[i], rules, out, 1 + (e.kind == Expr::Seq && e.kids[i].kind == Expr::Alt));
      }
      if (paren) out += " )";
      return;
    }
    case Expr::Repeat:
      print_expr(e.kids[0], rules, out, 2);
      if (e.unbounded) {
        if (e.min == 0) {
          out += '*';
        } else if (e.min == 1) {
          out += '+';
        } else {
          out += '{' + std::to_string(e.min) + ",}";
        }
      } else if (e.min == 0 && e.max == 1) {
        out += '?';
      } else if (e.min == e.max) {
        out += '{' + std::to_string(e.min) + '}';
      } else {
        out += '{' + std::to_string(e.min) + ',' + std::to_string(e.max) + '}';
      }
      return;
  }
}

void collect_refs(const Expr& e, std::vector<uint32_t>& out) {
  if (e.kind == Expr::Ref) out.push_back(e.rule);
  for (const Expr& k : e.kids) collect_refs(k, out);
}

bool productive(const Expr& e, const std::vector<uint8_t>& prod) {
  switch (e.kind) {
    case Expr::Never: return false;
    case Expr::Empty:
    case Expr::Lit:
    case Expr::Class: return true;
    case Expr::Ref: return prod[e.rule];
    case Expr::Seq:
      return std::all_of(e.kids.begin(), e.kids.end(), [&](const Expr& k) { return productive(k, prod); });
    case Expr::Alt:
      return std::any_of(e.kids.begin(), e.kids.end(), [&](const Expr& k) { return productive(k, prod); });
    case Expr::Repeat: return e.min == 0 || productive(e.kids[0], prod);
  }
  return false;
}

// Rebuilt through the constructors with references to empty-language rules
// as Never and references to pure aliases followed.
Expr substitute(const Expr& e, const std::vector<uint8_t>& prod, const std::vector<uint32_t>& alias,
                const std::vector<Rule>& rules) {
  switch (e.kind) {
    case Expr::Ref: {
      if (!prod[e.rule]) return never_e();
      const Expr& body = rules[alias[e.rule]].body;
      // A rule that is one literal or class (or nothing) is written in place.
      if (alias[e.rule] != 0 && (body.kind == Expr::Empty || body.kind == Expr::Lit)) return body;
      return ref_e(alias[e.rule]);
    }
    case Expr::Seq:
    case Expr::Alt: {
      std::vector<Expr> kids;
      kids.reserve(e.kids.size());
      for (const Expr& k : e.kids) kids.push_back(substitute(k, prod, alias, rules));
      return e.kind == Expr::Seq ? seq_v(std::move(kids)) : alt_v(std::move(kids));
    }
    case Expr::Repeat: return repeat(substitute(e.kids[0], prod, alias, rules), e.min, e.max, e.unbounded);
    default: return e;
  }
}

// ---- JSON values -----------------------------------------------------------

std::string show_path(const std::string& p) { return p.empty() ? "/" : p; }

std::string pointer_escape(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string child(const std::string& path, const std::string& key) { return path + "/" + pointer_escape(key); }
std::string child(const std::string& path, size_t i) { return path + "/" + std::to_string(i); }

bool is_integral(const Json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return true;
  if (!v.is_number_float()) return false;
  double d = v.get<double>();
  return std::isfinite(d) && d == std::floor(d);
}

// JSON Schema equality: numbers by value, objects whatever their key order.
bool json_equal(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_number_float() || b.is_number_float()) return a.get<double>() == b.get<double>();
    if (a.is_number_unsigned() && b.is_number_unsigned()) return a.get<uint64_t>() == b.get<uint64_t>();
    if (a.is_number_integer() && b.is_number_integer() && !a.is_number_unsigned() && !b.is_number_unsigned()) {
      return a.get<int64_t>() == b.get<int64_t>();
    }
    // One unsigned, one signed.
    const Json& s = a.is_number_unsigned() ? b : a;
    const Json& u = a.is_number_unsigned() ? a : b;
    return s.get<int64_t>() >= 0 && static_cast<uint64_t>(s.get<int64_t>()) == u.get<uint64_t>();
  }
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!json_equal(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto jt = b.find(it.key());
      if (jt == b.end() || !json_equal(it.value(), *jt)) return false;
    }
    return true;
  }
  return a == b;
}

// An exact decimal: sign, integer digits without leading zeros ("0" for
// none), fraction digits without trailing zeros.
struct Dec {
  bool neg = false;
  std::string ip = "0";
  std::string fp;
  bool zero() const { return ip == "0" && fp.empty(); }
};

Dec dec_of(const Json& v) {
  Dec d;
  std::string s;
  if (v.is_number_unsigned()) {
    s = std::to_string(v.get<uint64_t>());
  } else if (v.is_number_integer()) {
    int64_t x = v.get<int64_t>();
    d.neg = x < 0;
    uint64_t m = x < 0 ? 0 - static_cast<uint64_t>(x) : static_cast<uint64_t>(x);
    s = std::to_string(m);
  } else {
    s = v.dump();  // the shortest text that reads back as the same double
  }
  size_t i = 0;
  if (i < s.size() && s[i] == '-') {
    d.neg = true;
    ++i;
  }
  std::string digits;
  long point = -1;
  long exp = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c == '.') {
      point = static_cast<long>(digits.size());
    } else if (c == 'e' || c == 'E') {
      exp = std::strtol(s.c_str() + i + 1, nullptr, 10);
      break;
    }
  }
  if (point < 0) point = static_cast<long>(digits.size());
  point += exp;
  // Bounded shifts: the exponent of a double is at most a few hundred.
  if (point <= 0) {
    d.ip = "0";
    d.fp = std::string(static_cast<size_t>(-point), '0') + digits;
  } else if (point >= static_cast<long>(digits.size())) {
    d.ip = digits + std::string(static_cast<size_t>(point) - digits.size(), '0');
  } else {
    d.ip = digits.substr(0, static_cast<size_t>(point));
    d.fp = digits.substr(static_cast<size_t>(point));
  }
  size_t nz = d.ip.find_first_not_of('0');
  d.ip = nz == std::string::npos ? "0" : d.ip.substr(nz);
  while (!d.fp.empty() && d.fp.back() == '0') d.fp.pop_back();
  if (d.zero()) d.neg = false;
  return d;
}

int cmp_mag(const Dec& a, const Dec& b) {
  if (a.ip.size() != b.ip.size()) return a.ip.size() < b.ip.size() ? -1 : 1;
  if (int c = a.ip.compare(b.ip)) return c < 0 ? -1 : 1;
  if (int c = a.fp.compare(b.fp)) return c < 0 ? -1 : 1;  // no trailing zeros: plain compare is right
  return 0;
}

int cmp_dec(const Dec& a, const Dec& b) {
  if (a.neg != b.neg) return a.neg ? -1 : 1;
  int c = cmp_mag(a, b);
  return a.neg ? -c : c;
}

std::string i128_str(i128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  if (neg) v = -v;
  std::string s;
  while (v > 0) {
    s += static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  }
  if (neg) s += '-';
  std::reverse(s.begin(), s.end());
  return s;
}

// The text a value is written as in enum/const: compact, integral numbers
// without a fraction.
std::string canonical(const Json& v) {
  if (v.is_number_float() && is_integral(v)) {
    Dec d = dec_of(v);
    if (d.ip.size() <= static_cast<size_t>(kIntDigits)) return (d.neg ? "-" : "") + d.ip;
  }
  if (v.is_array()) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + canonical(v[i]);
    return s + "]";
  }
  if (v.is_object()) {
    std::string s = "{";
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      s += (first ? "" : ",") + Json(it.key()).dump() + ":" + canonical(it.value());
      first = false;
    }
    return s + "}";
  }
  return v.dump();  // strings: invalid UTF-8 throws (caught by the caller)
}

std::string utf8(uint32_t c) {
  std::string out;
  append_utf8(out, c);
  return out;
}

size_t code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// ---- the schema side ---------------------------------------------------------

// Type bits. kNumber is the numbers with a fraction, so "number" is
// kInteger | kNumber and two type sets overlap exactly where bits do.
enum : uint8_t {
  kNull = 1,
  kBool = 2,
  kObject = 4,
  kArray = 8,
  kString = 16,
  kInteger = 32,
  kNumber = 64,
  kAnyType = 127,
};

uint8_t value_type(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return kNull;
    case Json::value_t::boolean: return kBool;
    case Json::value_t::object: return kObject;
    case Json::value_t::array: return kArray;
    case Json::value_t::string: return kString;
    default: return is_integral(v) ? kInteger : kNumber;
  }
}

struct Part {
  const Json* schema;
  std::string path;  // JSON pointer of the schema in the document
};
using Conj = std::vector<Part>;  // schemas that must all hold

struct Kw {
  std::string name;
  std::string path;
};

struct Bound {
  Dec value;
  bool exclusive;
  Kw kw;
};

struct Group {
  bool one_of;
  std::string path;
  std::vector<Part> branches;
};

// Categories of the type-specific keywords we do not support: they only
// matter if the instance can have that type.
enum Cat { kCatString, kCatNumber, kCatObject, kCatArray, kCatCount };

// One schema after merging its parts (allOf, $ref siblings, an anyOf branch
// and its parent): every keyword that applies, with where it came from.
struct Node {
  bool never = false;
  uint8_t types = kAnyType;
  std::optional<std::vector<Json>> values;  // enum / const
  Kw values_kw;
  // strings
  uint64_t min_len = 0;
  std::optional<uint64_t> max_len;
  std::vector<Kw> len_kws;
  std::vector<std::pair<std::string, Kw>> patterns;
  std::vector<std::pair<std::string, Kw>> formats;
  // numbers
  std::optional<Bound> lower, upper;
  // objects: listed properties in first-seen order; `extra` holds the
  // additionalProperties of every part (a property listed later must
  // satisfy the earlier parts' additionalProperties too).
  std::vector<std::pair<std::string, Conj>> props;
  std::vector<std::string> required;
  bool extra_said = false;
  Conj extra;
  // arrays: item i satisfies prefix[i] (or `items` past the prefix).
  std::vector<Conj> prefix;
  Conj items;
  uint64_t min_items = 0;
  std::optional<uint64_t> max_items;
  std::vector<Kw> count_kws;
  uint64_t min_props = 0;  // objects: minProperties / maxProperties
  std::optional<uint64_t> max_props;
  std::vector<Kw> prop_count_kws;
  std::vector<Kw> deferred[kCatCount];  // unsupported, type-specific
  std::vector<Group> groups;
  bool has_object_kw = false, has_array_shape_kw = false;
  size_t listed = 0;  // props from `properties` (the rest only `required` named)
  std::string where;  // path of the first part, for rule names

  // Name lookups through indexes: a schema may list tens of thousands.
  std::unordered_map<std::string, size_t> prop_index;
  std::unordered_set<std::string> required_set;

  const Conj* prop(const std::string& name) const {
    auto it = prop_index.find(name);
    return it == prop_index.end() ? nullptr : &props[it->second].second;
  }
  Conj* prop(const std::string& name) {
    auto it = prop_index.find(name);
    return it == prop_index.end() ? nullptr : &props[it->second].second;
  }
  void add_prop(const std::string& name, Conj c) {
    prop_index[name] = props.size();
    props.push_back({name, std::move(c)});
  }
  bool is_required(const std::string& name) const { return required_set.count(name) != 0; }
  void require(const std::string& name) {
    if (required_set.insert(name).second) required.push_back(name);
  }
};

bool is_annotation(const std::string& k) {
  static const std::unordered_set<std::string> kAnnotations = {
      "title", "description", "examples", "default", "deprecated", "readOnly", "writeOnly", "$schema", "$comment",
      "$anchor", "$defs", "definitions"};
  return kAnnotations.count(k) != 0;
}

int deferred_category(const std::string& k) {
  static const std::unordered_map<std::string, int> kCats = {
      {"contentEncoding", kCatString},       {"contentMediaType", kCatString},
      {"contentSchema", kCatString},         {"multipleOf", kCatNumber},
      {"patternProperties", kCatObject},     {"propertyNames", kCatObject},
      {"dependentRequired", kCatObject},     {"dependentSchemas", kCatObject},
      {"dependencies", kCatObject},          {"unevaluatedProperties", kCatObject},
      {"uniqueItems", kCatArray},            {"contains", kCatArray},
      {"minContains", kCatArray},            {"maxContains", kCatArray},
      {"unevaluatedItems", kCatArray},
  };
  auto it = kCats.find(k);
  return it == kCats.end() ? -1 : it->second;
}

// Strings as a trie of code points (enum literals, property names):
// node 0 is the empty prefix.
struct CodePointTrie {
  struct Node {
    std::map<uint32_t, int> kids;
    bool end = false;  // a string ends here
  };
  std::vector<Node> nodes = std::vector<Node>(1);

  void insert(const std::vector<uint32_t>& cps) {
    int at = 0;
    for (uint32_t c : cps) {
      auto it = nodes[at].kids.find(c);
      if (it == nodes[at].kids.end()) {
        nodes.push_back(Node{});
        const int id = static_cast<int>(nodes.size() - 1);
        nodes[at].kids[c] = id;
        at = id;
      } else {
        at = it->second;
      }
    }
    nodes[at].end = true;
  }
  // Every node before its children, without recursion: walked backwards it
  // builds bottom-up.
  std::vector<int> preorder() const {
    std::vector<int> order;
    for (std::vector<int> stack{0}; !stack.empty();) {
      const int t = stack.back();
      stack.pop_back();
      order.push_back(t);
      for (const auto& kv : nodes[t].kids) stack.push_back(kv.second);
    }
    return order;
  }
};

const std::set<std::string>& supported_formats() {
  static const std::set<std::string> kFormats = {"date", "time", "date-time", "uuid", "email", "ipv4"};
  return kFormats;
}

class Converter {
 public:
  Converter(const Json& root, const JsonSchemaOptions& opts, std::vector<std::string>* warnings)
      : root_(root), opts_(opts), warnings_(warnings) {
    closed_default_ = opts.additional_properties ? !*opts.additional_properties : opts.strict;
    if (root.is_object()) {
      auto it = root.find("$schema");
      if (it != root.end() && it->is_string()) {
        const std::string& s = it->get_ref<const std::string&>();
        for (const char* old : {"draft-03", "draft-04", "draft-06", "draft-07"}) {
          if (s.find(old) != std::string::npos) legacy_refs_ = true;
        }
      }
    }
    for (const char* p : {"root", "ws", "value", "object", "array", "string", "char", "number", "integer", "kv",
                          "hex"}) {
      used_names_.insert(p);
    }
  }

  std::string run() {
    check_size();
    rules_.push_back(Rule{"root", Expr{}});
    Conj top{Part{&root_, ""}};
    if (pure_ref(root_) || sole_all_of(root_)) {
      rules_[0].body = gen_conj(top);  // the target's rule, not a copy of it
    } else {
      memo_[std::string(1, '\0')] = 0;  // "#" refers to root itself
      pending_.push_back({0, top});
    }
    while (!pending_.empty()) {
      auto [rule, parts] = std::move(pending_.front());
      pending_.pop_front();
      rules_[rule].body = gen_parts(parts);
    }
    std::string text = finish();
    // The text must parse with the same limits (repetitions expand to rules
    // there; a $ref reaching itself before any text is left recursion):
    // refuse the schema now rather than hand on a grammar that fails later.
    try {
      parse_gbnf(text, opts_.limits);
    } catch (const GrammarError& e) {
      throw GrammarError(std::string("the grammar for this schema is refused: ") + e.what());
    }
    return text;
  }

 private:
  // ---- messages ----

  [[noreturn]] void bad(const std::string& kw, const std::string& path, const std::string& what) const {
    std::string name = kw == "schema" ? kw : "'" + kw + "'";
    throw GrammarError("invalid " + name + " at " + show_path(path) + ": " + what);
  }

  // Strict: an error. Otherwise a warning, and the caller drops the keyword.
  void unsupported(const std::string& kw, const std::string& path, const std::string& detail = "") {
    std::string msg = "unsupported keyword '" + kw + "' at " + show_path(path);
    if (!detail.empty()) msg += " (" + detail + ")";
    if (opts_.strict) throw GrammarError(msg);
    if (warnings_ && warned_.insert(msg).second) warnings_->push_back(msg);
  }

  void spend(size_t n) {
    work_ += n;
    if (work_ + (t_expr_parts - parts_at_start_) > opts_.max_work) {
      throw GrammarError("schema too complex: merging allOf / $ref / anyOf and building its grammar took more than " +
                         std::to_string(opts_.max_work) + " steps");
    }
  }

  // The schema's size as dump() would write it (stopping past the limit)
  // and its nesting, without recursion: it is untrusted input.
  void check_size() const {
    const size_t limit = opts_.limits.max_source_bytes;
    size_t bytes = 0;
    std::vector<std::pair<const Json*, int>> stack{{&root_, 1}};
    while (!stack.empty()) {
      auto [j, depth] = stack.back();
      stack.pop_back();
      if ((j->is_object() || j->is_array()) && depth > opts_.limits.max_nesting) {
        throw GrammarError("schema nests deeper than " + std::to_string(opts_.limits.max_nesting) + " levels");
      }
      if (j->is_object()) {
        bytes += 2;
        for (auto it = j->begin(); it != j->end(); ++it) {
          bytes += it.key().size() + 4;
          stack.push_back({&it.value(), depth + 1});
        }
      } else if (j->is_array()) {
        bytes += 2;
        for (const Json& e : *j) {
          bytes += 1;
          stack.push_back({&e, depth + 1});
        }
      } else if (j->is_string()) {
        bytes += j->get_ref<const std::string&>().size() + 2;
      } else {
        bytes += j->is_number() ? 24 : 5;
      }
      if (bytes > limit) {
        throw GrammarError("schema is larger than the limit of " + std::to_string(limit) + " bytes");
      }
    }
  }

  // ---- rules ----

  uint32_t new_rule(const std::string& base, Expr body = Expr{}) {
    if (rules_.size() >= opts_.limits.max_rules) {
      throw GrammarError("schema needs more than " + std::to_string(opts_.limits.max_rules) + " grammar rules");
    }
    std::string name;
    for (char c : base) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (ok) {
        name += c;
      } else if (!name.empty() && name.back() != '-') {
        name += '-';
      }
      if (name.size() >= 40) break;
    }
    while (!name.empty() && name.back() == '-') name.pop_back();
    if (name.empty()) name = "schema";
    std::string unique = name;
    for (int n = 2; !used_names_.insert(unique).second; ++n) unique = name + "-" + std::to_string(n);
    rules_.push_back(Rule{unique, std::move(body)});
    return static_cast<uint32_t>(rules_.size() - 1);
  }

  // A readable rule name from a schema path: its last two meaningful tokens.
  static std::string name_for(const std::string& path) {
    std::vector<std::string> toks;
    size_t i = 0;
    while (i < path.size()) {
      size_t j = path.find('/', i + 1);
      if (j == std::string::npos) j = path.size();
      std::string t = path.substr(i + 1, j - i - 1);
      static const std::set<std::string> kSkip = {"properties", "$defs", "definitions", "anyOf", "oneOf", "allOf"};
      if (!kSkip.count(t)) toks.push_back(t);
      i = j;
    }
    if (toks.empty()) return path.empty() ? "root" : "schema";
    if (toks.size() == 1) return toks[0];
    return toks[toks.size() - 2] + "-" + toks.back();
  }

  // Built-in rules, made on first use.
  uint32_t prim(const std::string& name) {
    auto it = prims_.find(name);
    if (it != prims_.end()) return it->second;
    uint32_t id = static_cast<uint32_t>(rules_.size());
    rules_.push_back(Rule{name, Expr{}});
    prims_[name] = id;
    rules_[id].body = prim_body(name);
    return id;
  }

  Expr ws() { return ref_e(prim("ws")); }
  Expr sep() { return seq(ws(), lit(","), ws()); }

  Expr prim_body(const std::string& name) {
    CodePointSet digits = CodePointSet::of('0', '9');
    if (name == "ws") {
      return opt(alt(lit(" "), seq(lit("\n"), repeat(tab_space(), 0, kMaxIndent, false))));
    }
    if (name == "hex") {
      CodePointSet h = digits;
      h.add('a', 'f');
      h.add('A', 'F');
      return cls(h);
    }
    if (name == "char") {
      // Any code point: raw where JSON allows, else escaped; \u escapes of
      // surrogates only as a high-low pair (one character).
      Expr hex = ref_e(prim("hex"));
      CodePointSet non_d = CodePointSet::of('0', '9');
      non_d.add('a', 'c');
      non_d.add('A', 'C');
      non_d.add('e', 'f');
      non_d.add('E', 'F');
      CodePointSet d = CodePointSet::of('d', 'd');
      d.add('D', 'D');
      CodePointSet lo8 = CodePointSet::of('0', '7');
      CodePointSet hi_s = CodePointSet::of('8', '9');
      hi_s.add('a', 'b');
      hi_s.add('A', 'B');
      CodePointSet lo_s = CodePointSet::of('c', 'f');
      lo_s.add('C', 'F');
      CodePointSet short_esc;
      for (char c : std::string("\"\\/bfnrt")) short_esc.add(static_cast<uint32_t>(c), static_cast<uint32_t>(c));
      Expr bmp = alt(seq(cls(non_d), hex, hex, hex), seq(cls(d), cls(lo8), hex, hex));
      Expr pair = seq(cls(d), cls(hi_s), hex, hex, lit("\\u"), cls(d), cls(lo_s), hex, hex);
      return alt(cls(raw_chars()), seq(lit("\\"), alt(cls(short_esc), seq(lit("u"), alt(bmp, pair)))));
    }
    if (name == "string") return seq(lit("\""), star(ref_e(prim("char"))), lit("\""));
    if (name == "integer") return seq(opt(lit("-")), int_digits(kIntDigits));
    if (name == "number") {
      CodePointSet e = CodePointSet::of('e', 'e');
      e.add('E', 'E');
      CodePointSet sign = CodePointSet::of('-', '-');
      sign.add('+', '+');
      return seq(opt(lit("-")), int_digits(kIntDigits), opt(seq(lit("."), repeat(cls(digits), 1, kFracDigits, false))),
                  opt(seq(cls(e), opt(cls(sign)), repeat(cls(digits), 1, kExpDigits, false))));
    }
    if (name == "value") {
      return alt(ref_e(prim("object")), ref_e(prim("array")), ref_e(prim("string")), ref_e(prim("number")),
                  lit("true"), lit("false"), lit("null"));
    }
    if (name == "kv") return seq(ref_e(prim("string")), ws(), lit(":"), ws(), ref_e(prim("value")));
    if (name == "object") {
      Expr kv = ref_e(prim("kv"));
      return seq(lit("{"), ws(), alt(lit("}"), seq(kv, star(seq(sep(), kv)), ws(), lit("}"))));
    }
    if (name == "array") {
      Expr v = ref_e(prim("value"));
      return seq(lit("["), ws(), alt(lit("]"), seq(v, star(seq(sep(), v)), ws(), lit("]"))));
    }
    throw std::logic_error("json_schema_grammar: no built-in rule " + name);
  }

  static Expr tab_space() {
    CodePointSet s = CodePointSet::of(' ', ' ');
    s.add('\t', '\t');
    return cls(s);
  }

  // "0" or up to `n` digits without a leading zero.
  static Expr int_digits(int n) {
    return alt(lit("0"), seq(cls('1', '9'), repeat(cls('0', '9'), 0, static_cast<uint32_t>(n - 1), false)));
  }

  // Code points a JSON string holds unescaped.
  static CodePointSet raw_chars() {
    CodePointSet s = CodePointSet::all();
    CodePointSet out = CodePointSet::of(0, 0x1F);
    out.add('"', '"');
    out.add('\\', '\\');
    return s.minus(out);
  }

  // The code points of `set` as JSON string characters: raw where allowed,
  // escaped for " \ and control characters (and \/ for /).
  Expr json_chars(const CodePointSet& set) {
    if (set == CodePointSet::all()) return ref_e(prim("char"));
    const auto& rs = set.ranges();
    if (rs.size() == 1 && rs[0].first == rs[0].second && raw_chars().contains(rs[0].first)) {
      return lit(utf8(rs[0].first));  // one character: a literal reads better
    }
    std::vector<Expr> alts;
    alts.push_back(cls(set.intersect(raw_chars())));
    if (set.contains('"')) alts.push_back(lit("\\\""));
    if (set.contains('\\')) alts.push_back(lit("\\\\"));
    if (set.contains('/')) alts.push_back(lit("\\/"));
    static const std::pair<uint32_t, char> kShort[] = {{'\b', 'b'}, {'\f', 'f'}, {'\n', 'n'}, {'\r', 'r'}, {'\t', 't'}};
    for (auto [c, e] : kShort) {
      if (set.contains(c)) alts.push_back(lit(std::string("\\") + e));
    }
    for (uint32_t hi = 0; hi < 2; ++hi) {
      CodePointSet low;
      for (uint32_t lo = 0; lo < 16; ++lo) {
        if (!set.contains(hi * 16 + lo)) continue;
        uint32_t c = lo < 10 ? '0' + lo : 'a' + lo - 10;
        low.add(c, c);
        if (lo >= 10) low.add(c - 32, c - 32);
      }
      if (!low.empty()) alts.push_back(seq(lit("\\u00" + std::to_string(hi)), cls(low)));
    }
    return alt_v(std::move(alts));
  }

  // ---- $ref ----

  // The schema a "#..." reference points to; nullopt if it was dropped
  // (strict = false).
  std::optional<Part> resolve(const Json& ref, const std::string& at) {
    if (!ref.is_string()) bad("$ref", at, "expected a string");
    const std::string& s = ref.get_ref<const std::string&>();
    if (s.empty() || s[0] != '#') {
      unsupported("$ref", at, "only references within the schema (\"#/...\") are supported, not \"" + s + "\"");
      return std::nullopt;
    }
    std::string frag;
    for (size_t i = 1; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
          std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
        frag += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        frag += s[i];
      }
    }
    if (!frag.empty() && frag[0] != '/') {
      unsupported("$ref", at, "anchor references (\"" + s + "\") are not supported");
      return std::nullopt;
    }
    const Json* cur = &root_;
    std::string path;
    size_t i = 0;
    while (i < frag.size()) {
      size_t j = frag.find('/', i + 1);
      if (j == std::string::npos) j = frag.size();
      std::string tok;
      for (size_t k = i + 1; k < j; ++k) {
        if (frag[k] == '~' && k + 1 < j && (frag[k + 1] == '0' || frag[k + 1] == '1')) {
          tok += frag[k + 1] == '0' ? '~' : '/';
          ++k;
        } else {
          tok += frag[k];
        }
      }
      i = j;
      if (cur->is_object()) {
        auto it = cur->find(tok);
        if (it == cur->end()) bad("$ref", at, "\"" + s + "\" points nowhere");
        cur = &*it;
      } else if (cur->is_array() && !tok.empty() && tok.size() < 10 &&
                 tok.find_first_not_of("0123456789") == std::string::npos && (tok == "0" || tok[0] != '0') &&
                 std::stoul(tok) < cur->size()) {
        cur = &(*cur)[std::stoul(tok)];
      } else {
        bad("$ref", at, "\"" + s + "\" points nowhere");
      }
      path = child(path, tok);
    }
    return Part{cur, path};
  }

  // Whether a schema is only a $ref (with annotations), so it can be a
  // reference to the target's rule.
  bool pure_ref(const Json& s) const {
    if (!s.is_object() || !s.contains("$ref")) return false;
    if (legacy_refs_) return true;
    for (auto it = s.begin(); it != s.end(); ++it) {
      if (it.key() != "$ref" && !is_annotation(it.key())) return false;
    }
    return true;
  }

  // The one schema of an allOf that is all a schema says.
  static const Json* sole_all_of(const Json& s) {
    if (!s.is_object()) return nullptr;
    const Json* only = nullptr;
    for (auto it = s.begin(); it != s.end(); ++it) {
      if (it.key() == "allOf" && it->is_array() && it->size() == 1) {
        only = &(*it)[0];
      } else if (!is_annotation(it.key())) {
        return nullptr;
      }
    }
    return only;
  }

  static bool trivially_true(const Json& s) {
    if (s.is_boolean()) return s.get<bool>();
    if (!s.is_object()) return false;
    for (auto it = s.begin(); it != s.end(); ++it) {
      if (!is_annotation(it.key())) return false;
    }
    return true;
  }

  // ---- schemas to rules ----

  // An expression for values satisfying every part: a reference to the
  // rule for this combination (made once, its body generated from the
  // work list, so recursion through $ref ends).
  Expr gen_conj(const Conj& in) {
    Conj parts;
    for (const Part& p : in) {
      if (p.schema->is_boolean() && !p.schema->get<bool>()) return never_e();
      if (trivially_true(*p.schema)) continue;
      parts.push_back(p);
    }
    if (parts.empty()) return ref_e(prim("value"));
    // Follow chains of pure references and one-part allOf (a cycle of them
    // is no schema).
    if (parts.size() == 1) {
      for (int hops = 0;; ++hops) {
        const Json& s = *parts[0].schema;
        std::optional<Part> t;
        if (pure_ref(s)) {
          t = resolve(s["$ref"], parts[0].path);
          if (!t) return ref_e(prim("value"));
        } else if (const Json* only = sole_all_of(s)) {
          t = Part{only, child(child(parts[0].path, "allOf"), 0)};
        } else {
          break;
        }
        if (hops > opts_.limits.max_nesting) {
          throw GrammarError("$ref at " + show_path(parts[0].path) + " is circular or chained too deep");
        }
        if (t->schema->is_boolean() && !t->schema->get<bool>()) return never_e();
        if (trivially_true(*t->schema)) return ref_e(prim("value"));
        parts[0] = *t;
      }
    }
    std::string key;
    for (const Part& p : parts) {
      key += p.path;
      key += '\0';
    }
    auto it = memo_.find(key);
    if (it != memo_.end()) return ref_e(it->second);
    uint32_t r = new_rule(name_for(parts[0].path));
    memo_[key] = r;
    pending_.push_back({r, std::move(parts)});
    return ref_e(r);
  }

  Expr gen_parts(const Conj& parts) {
    Node n;
    n.where = parts[0].path;
    for (const Part& p : parts) apply(n, p, 0);
    return expand(std::move(n), 0);
  }

  static std::optional<uint64_t> count_of(const Json& v) {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_number_integer()) {
      if (v.get<int64_t>() < 0) return std::nullopt;
      return static_cast<uint64_t>(v.get<int64_t>());
    }
    if (v.is_number_float()) {
      double d = v.get<double>();
      if (!(d >= 0) || d != std::floor(d)) return std::nullopt;
      return d >= 1.8e19 ? UINT64_MAX : static_cast<uint64_t>(d);
    }
    return std::nullopt;
  }

  uint64_t need_count(const Json& v, const std::string& kw, const std::string& path) {
    auto c = count_of(v);
    if (!c) bad(kw, path, "expected a non-negative integer");
    return *c;
  }

  const Json& need_schema_array(const Json& v, const std::string& kw, const std::string& path) {
    if (!v.is_array() || v.empty()) bad(kw, path, "expected a non-empty array of schemas");
    return v;
  }

  // Merges one schema into a node. `depth` counts inline expansions
  // (allOf parts, $ref with siblings) on the way here.
  void apply(Node& n, const Part& p, int depth) {
    spend(1);
    if (depth > opts_.limits.max_nesting) {
      throw GrammarError("allOf / $ref nest deeper than " + std::to_string(opts_.limits.max_nesting) + " at " +
                         show_path(p.path));
    }
    const Json& s = *p.schema;
    if (s.is_boolean()) {
      if (!s.get<bool>()) n.never = true;
      return;
    }
    if (!s.is_object()) bad("schema", p.path, "expected an object or a boolean");
    if (auto it = s.find("$ref"); it != s.end()) {
      std::optional<Part> t = resolve(*it, p.path);
      if (t) {
        if (std::find(inline_stack_.begin(), inline_stack_.end(), t->path) != inline_stack_.end()) {
          throw GrammarError("circular $ref at " + show_path(p.path));
        }
        inline_stack_.push_back(t->path);
        apply(n, *t, depth + 1);
        inline_stack_.pop_back();
      }
      if (legacy_refs_) return;  // draft 7 and older ignore the siblings of $ref
    }
    // properties and additionalProperties are merged together.
    const Json* props = nullptr;
    const Json* ap = nullptr;
    const Json* items = nullptr;
    const Json* prefix_items = nullptr;
    const Json* additional_items = nullptr;
    for (auto it = s.begin(); it != s.end(); ++it) {
      const std::string& k = it.key();
      const Json& v = it.value();
      spend(1);
      if (is_annotation(k) || k == "$ref") continue;
      if (k == "$id") {
        if (!p.path.empty()) unsupported("$id", p.path, "a subschema with its own $id changes how $ref resolves");
      } else if (k == "type") {
        apply_type(n, v, p.path);
      } else if (k == "enum") {
        if (!v.is_array()) bad("enum", p.path, "expected an array");
        intersect_values(n, std::vector<Json>(v.begin(), v.end()), Kw{"enum", p.path});
      } else if (k == "const") {
        intersect_values(n, {v}, Kw{"const", p.path});
      } else if (k == "minLength") {
        n.min_len = std::max(n.min_len, need_count(v, k, p.path));
        n.len_kws.push_back(Kw{k, p.path});
      } else if (k == "maxLength") {
        uint64_t c = need_count(v, k, p.path);
        n.max_len = n.max_len ? std::min(*n.max_len, c) : c;
        n.len_kws.push_back(Kw{k, p.path});
      } else if (k == "pattern") {
        if (!v.is_string()) bad(k, p.path, "expected a string");
        n.patterns.push_back({v.get<std::string>(), Kw{k, p.path}});
      } else if (k == "format") {
        if (!v.is_string()) bad(k, p.path, "expected a string");
        n.formats.push_back({v.get<std::string>(), Kw{k, p.path}});
      } else if (k == "minimum" || k == "exclusiveMinimum" || k == "maximum" || k == "exclusiveMaximum") {
        if (v.is_boolean()) {
          unsupported(k, p.path, "a boolean, as in draft 4");
          continue;
        }
        if (!v.is_number()) bad(k, p.path, "expected a number");
        bool lower = k == "minimum" || k == "exclusiveMinimum";
        Bound b{dec_of(v), k[0] == 'e', Kw{k, p.path}};
        std::optional<Bound>& slot = lower ? n.lower : n.upper;
        int c = slot ? cmp_dec(b.value, slot->value) : 0;
        bool tighter = !slot || (lower ? c > 0 : c < 0) || (c == 0 && b.exclusive);
        if (tighter) slot = b;
      } else if (k == "properties") {
        if (!v.is_object()) bad(k, p.path, "expected an object");
        props = &v;
      } else if (k == "additionalProperties") {
        ap = &v;
      } else if (k == "required") {
        if (!v.is_array()) bad(k, p.path, "expected an array of strings");
        for (const Json& r : v) {
          if (!r.is_string()) bad(k, p.path, "expected an array of strings");
          n.require(r.get<std::string>());
        }
        n.has_object_kw = true;
      } else if (k == "items") {
        items = &v;
      } else if (k == "prefixItems") {
        prefix_items = &need_schema_array(v, k, p.path);
      } else if (k == "additionalItems") {
        additional_items = &v;
      } else if (k == "minItems") {
        n.min_items = std::max(n.min_items, need_count(v, k, p.path));
        n.count_kws.push_back(Kw{k, p.path});
      } else if (k == "maxItems") {
        uint64_t c = need_count(v, k, p.path);
        n.max_items = n.max_items ? std::min(*n.max_items, c) : c;
        n.count_kws.push_back(Kw{k, p.path});
      } else if (k == "allOf") {
        need_schema_array(v, k, p.path);
        for (size_t i = 0; i < v.size(); ++i) apply(n, Part{&v[i], child(child(p.path, k), i)}, depth + 1);
      } else if (k == "anyOf" || k == "oneOf") {
        need_schema_array(v, k, p.path);
        Group g{k == "oneOf", child(p.path, k), {}};
        for (size_t i = 0; i < v.size(); ++i) g.branches.push_back(Part{&v[i], child(child(p.path, k), i)});
        n.groups.push_back(std::move(g));
      } else if (k == "uniqueItems" && v.is_boolean() && !v.get<bool>()) {
        // false constrains nothing
      } else if (k == "minProperties") {
        n.min_props = std::max(n.min_props, need_count(v, k, p.path));
        n.prop_count_kws.push_back(Kw{k, p.path});
        n.has_object_kw = true;
      } else if (k == "maxProperties") {
        uint64_t c = need_count(v, k, p.path);
        n.max_props = n.max_props ? std::min(*n.max_props, c) : c;
        n.prop_count_kws.push_back(Kw{k, p.path});
        n.has_object_kw = true;
      } else if (int cat = deferred_category(k); cat >= 0) {
        n.deferred[cat].push_back(Kw{k, p.path});
      } else {
        unsupported(k, p.path);
      }
    }
    if (props || ap) merge_properties(n, props, ap, p.path);
    if (items || prefix_items) merge_items(n, items, prefix_items, additional_items, p.path);
  }

  void apply_type(Node& n, const Json& v, const std::string& path) {
    auto bit = [&](const Json& t) -> uint8_t {
      if (!t.is_string()) bad("type", path, "expected a type name or an array of them");
      const std::string& s = t.get_ref<const std::string&>();
      if (s == "null") return kNull;
      if (s == "boolean") return kBool;
      if (s == "object") return kObject;
      if (s == "array") return kArray;
      if (s == "string") return kString;
      if (s == "integer") return kInteger;
      if (s == "number") return kInteger | kNumber;
      bad("type", path, "unknown type \"" + s + "\"");
    };
    uint8_t mask = 0;
    if (v.is_array()) {
      for (const Json& t : v) mask |= bit(t);
    } else {
      mask = bit(v);
    }
    n.types &= mask;
  }

  void intersect_values(Node& n, std::vector<Json> vals, Kw kw) {
    if (n.values) {
      std::vector<Json> keep;
      for (const Json& a : *n.values) {
        if (std::any_of(vals.begin(), vals.end(), [&](const Json& b) { return json_equal(a, b); })) {
          keep.push_back(a);
        }
      }
      vals = std::move(keep);
    } else {
      n.values_kw = std::move(kw);
    }
    n.values = std::move(vals);
  }

  void merge_properties(Node& n, const Json* props, const Json* ap, const std::string& path) {
    n.has_object_kw = true;
    std::optional<Part> ap_part;
    if (ap) ap_part = Part{ap, child(path, "additionalProperties")};
    // Listed before but not here: this part's additionalProperties applies.
    if (ap_part) {
      std::unordered_set<std::string> here;
      if (props) {
        for (auto it = props->begin(); it != props->end(); ++it) here.insert(it.key());
      }
      for (auto& [name, conj] : n.props) {
        if (!here.count(name)) conj.push_back(*ap_part);
      }
    }
    if (props) {
      for (auto it = props->begin(); it != props->end(); ++it) {
        Part part{&it.value(), child(child(path, "properties"), it.key())};
        if (Conj* c = n.prop(it.key())) {
          c->push_back(part);
        } else {
          Conj c2 = n.extra;  // earlier parts' additionalProperties
          c2.push_back(part);
          n.add_prop(it.key(), std::move(c2));
        }
      }
    }
    if (ap_part) {
      n.extra.push_back(*ap_part);
      n.extra_said = true;
    }
  }

  void merge_items(Node& n, const Json* items, const Json* prefix_items, const Json* additional_items,
                   const std::string& path) {
    n.has_array_shape_kw = true;
    std::vector<Part> pre;
    std::optional<Part> rest;
    if (prefix_items) {
      if (items && items->is_array()) bad("items", path, "an array of schemas beside prefixItems");
      for (size_t i = 0; i < prefix_items->size(); ++i) {
        pre.push_back(Part{&(*prefix_items)[i], child(child(path, "prefixItems"), i)});
      }
      if (items) rest = Part{items, child(path, "items")};
    } else if (items->is_array()) {
      // Draft 7's tuple form: additionalItems for the rest.
      for (size_t i = 0; i < items->size(); ++i) pre.push_back(Part{&(*items)[i], child(child(path, "items"), i)});
      if (additional_items) rest = Part{additional_items, child(path, "additionalItems")};
    } else {
      rest = Part{items, child(path, "items")};
    }
    for (size_t i = 0; i < n.prefix.size(); ++i) {
      if (i < pre.size()) {
        n.prefix[i].push_back(pre[i]);
      } else if (rest) {
        n.prefix[i].push_back(*rest);
      }
    }
    for (size_t i = n.prefix.size(); i < pre.size(); ++i) {
      Conj c = n.items;
      c.push_back(pre[i]);
      n.prefix.push_back(std::move(c));
    }
    if (rest) n.items.push_back(*rest);
  }

  // anyOf / oneOf: one alternative per branch, each merged with the rest of
  // the node.
  Expr expand(Node n, int depth) {
    if (n.never) return never_e();
    if (n.groups.empty()) return gen_node(n);
    if (depth > opts_.limits.max_nesting) {
      throw GrammarError("more than " + std::to_string(opts_.limits.max_nesting) + " anyOf / oneOf in one schema");
    }
    Group g = std::move(n.groups.front());
    n.groups.erase(n.groups.begin());
    // Nothing else left to merge: each branch is a schema of its own, one
    // rule shared by every use (a $ref in a branch stays a reference).
    const bool alone = n.groups.empty() && unconstrained(n);
    std::vector<Node> branches;
    std::vector<Part> parts;
    for (const Part& b : g.branches) {
      spend(1 + n.props.size() + n.prefix.size());
      if (alone && !g.one_of) {
        parts.push_back(b);
        continue;
      }
      Node m = n;
      apply(m, b, depth + 1);
      if (m.never) continue;
      branches.push_back(std::move(m));
      parts.push_back(b);
    }
    if (g.one_of) {
      for (size_t i = 0; i < branches.size(); ++i) {
        for (size_t j = 0; j < branches.size(); ++j) {
          if (i == j || excludes(branches[i], branches[j], 0)) continue;
          unsupported("oneOf", g.path.substr(0, g.path.size() - 6),
                      "a value might match more than one branch; anyOf would accept it");
          i = j = branches.size();  // reported once; with strict = false, as anyOf
        }
      }
    }
    std::vector<Expr> alts;
    if (alone) {
      for (const Part& b : parts) alts.push_back(gen_conj({b}));
      return alt_v(std::move(alts));
    }
    for (Node& m : branches) {
      alts.push_back(expand(std::move(m), depth + 1));
      spend(1);  // counts the parts just built
    }
    return alt_v(std::move(alts));
  }

  static bool unconstrained(const Node& n) {
    bool deferred = std::any_of(std::begin(n.deferred), std::end(n.deferred), [](const auto& d) { return !d.empty(); });
    return !n.never && n.types == kAnyType && !n.values && n.len_kws.empty() && n.patterns.empty() &&
           n.formats.empty() && !n.lower && !n.upper && n.props.empty() && n.required.empty() && !n.extra_said &&
           n.prefix.empty() && n.items.empty() && n.count_kws.empty() && n.prop_count_kws.empty() && !deferred;
  }

  // ---- one merged schema ----

  Expr gen_node(Node& n) {
    spend(1);
    if (n.never) return never_e();
    // Required names not listed: present, with whatever additionalProperties say.
    n.listed = n.props.size();
    for (const std::string& r : n.required) {
      if (!n.prop(r)) n.add_prop(r, n.extra);
    }
    if (n.values) return gen_values(n);
    std::vector<Expr> alts;
    if (n.types & kNull) alts.push_back(lit("null"));
    if (n.types & kBool) alts.push_back(alt(lit("true"), lit("false")));
    if (n.types & kObject) alts.push_back(gen_object(n));
    if (n.types & kArray) alts.push_back(gen_array(n));
    if (n.types & kString) alts.push_back(gen_string(n));
    if (n.types & (kInteger | kNumber)) alts.push_back(gen_number(n));
    return alt_v(std::move(alts));
  }

  void report_deferred(const Node& n, int cat) {
    for (const Kw& k : n.deferred[cat]) unsupported(k.name, k.path);
  }

  // enum / const: the listed values that pass the other keywords.
  Expr gen_values(Node& n) {
    std::vector<std::string> texts;
    std::set<std::string> seen;
    for (const Json& v : *n.values) {
      if (!value_allowed(v, n)) continue;
      std::string text;
      try {
        text = canonical(v);
      } catch (const nlohmann::json::exception&) {
        bad(n.values_kw.name, n.values_kw.path, "a string that is not UTF-8");
      }
      if (seen.insert(text).second) texts.push_back(std::move(text));
      spend(1);
    }
    return literal_trie(texts);
  }

  // Alternatives among literals, sharing their common prefixes: a long enum
  // keeps a few candidates alive in the matcher, not one per value.
  Expr literal_trie(const std::vector<std::string>& texts) {
    if (texts.size() <= 4) {
      std::vector<Expr> alts;
      for (const std::string& t : texts) alts.push_back(lit(t));
      return alt_v(std::move(alts));
    }
    CodePointTrie cpt;
    for (const std::string& t : texts) {
      std::vector<uint32_t> cps;
      decode_utf8(t, cps);  // canonical() wrote UTF-8
      cpt.insert(cps);
    }
    const std::vector<CodePointTrie::Node>& trie = cpt.nodes;
    // Bottom-up without recursion over the branching nodes (a chain of
    // single children is one literal, walked once); every kInlineDepth
    // levels of alternatives a rule.
    auto interior = [&](int t) { return t != 0 && !trie[t].end && trie[t].kids.size() == 1; };
    const std::vector<int> order = cpt.preorder();
    std::vector<Expr> built(trie.size());
    std::vector<int> depth_of(trie.size(), 0);
    for (size_t oi = order.size(); oi-- > 0;) {
      int t = order[oi];
      if (interior(t)) continue;
      std::vector<Expr> alts;
      if (trie[t].end) alts.push_back(Expr{});
      int depth = 0;
      for (auto& [c, k] : trie[t].kids) {
        std::string label = utf8(c);
        int m = k;
        while (interior(m)) {
          label += utf8(trie[m].kids.begin()->first);
          m = trie[m].kids.begin()->second;
        }
        alts.push_back(seq(lit(std::move(label)), std::move(built[m])));
        depth = std::max(depth, depth_of[m]);
      }
      if (alts.size() > 1) ++depth;
      Expr e = alt_v(std::move(alts));
      if (depth >= kInlineDepth) {
        e = ref_e(new_rule("values", std::move(e)));
        depth = 0;
      }
      built[t] = std::move(e);
      depth_of[t] = depth;
    }
    return std::move(built[0]);
  }

  bool value_allowed(const Json& v, const Node& n) {
    uint8_t t = value_type(v);
    if (!(t & n.types)) return false;  // "number" has the kInteger bit too
    auto beside = [&](const Kw& k) {
      unsupported(k.name, k.path, "beside '" + n.values_kw.name + "' at " + show_path(n.values_kw.path));
    };
    switch (t) {
      case kString: {
        report_deferred(n, kCatString);
        for (const auto& f : n.formats) beside(f.second);
        for (const auto& f : n.patterns) beside(f.second);
        uint64_t len = code_points(v.get_ref<const std::string&>());
        return len >= n.min_len && (!n.max_len || len <= *n.max_len);
      }
      case kInteger:
      case kNumber: {
        report_deferred(n, kCatNumber);
        Dec d = dec_of(v);
        if (n.lower) {
          int c = cmp_dec(d, n.lower->value);
          if (c < 0 || (c == 0 && n.lower->exclusive)) return false;
        }
        if (n.upper) {
          int c = cmp_dec(d, n.upper->value);
          if (c > 0 || (c == 0 && n.upper->exclusive)) return false;
        }
        return true;
      }
      case kObject:
        report_deferred(n, kCatObject);
        if (n.has_object_kw) beside(Kw{"properties", n.values_kw.path});
        return true;
      case kArray:
        report_deferred(n, kCatArray);
        if (n.has_array_shape_kw) beside(Kw{"items", n.values_kw.path});
        return v.size() >= n.min_items && (!n.max_items || v.size() <= *n.max_items);
      default: return true;
    }
  }

  void check_repeat(uint64_t count, const std::vector<Kw>& kws, const char* what) {
    if (count <= opts_.limits.max_repeat) return;
    std::string where;
    for (const Kw& k : kws) where += " '" + k.name + "' at " + show_path(k.path);
    throw GrammarError(std::string(what) + " of " + std::to_string(count) + " is over the limit of " +
                       std::to_string(opts_.limits.max_repeat) + " (" + where.substr(1) + ")");
  }

  // ---- strings ----

  Expr gen_string(Node& n) {
    report_deferred(n, kCatString);
    auto drop_lengths = [&](const std::string& beside) {
      for (const Kw& k : n.len_kws) unsupported(k.name, k.path, "beside '" + beside + "'");
      n.min_len = 0;
      n.max_len.reset();
      n.len_kws.clear();
    };
    // format: the supported ones; unknown ones constrain only strings.
    std::optional<std::string> format;
    for (const auto& [f, kw] : n.formats) {
      if (!supported_formats().count(f)) {
        unsupported("format", kw.path, "format \"" + f + "\"");
      } else if (format && *format != f) {
        unsupported("format", kw.path, "two different formats");
      } else {
        format = f;
      }
    }
    if (format) {
      // Lengths every text of the format already has say nothing more.
      auto [fmin, fmax] = format_lengths(*format);
      if (fmin >= n.min_len && (!n.max_len || fmax <= *n.max_len)) n.len_kws.clear();
      if (!n.len_kws.empty()) drop_lengths("format");
      for (const auto& pt : n.patterns) unsupported("pattern", pt.second.path, "beside 'format'");
      return seq(lit("\""), format_body(*format), lit("\""));
    }
    if (!n.patterns.empty()) {
      const std::string& pat = n.patterns[0].first;  // not a structured binding: clang 14 cannot capture those
      const Kw& kw = n.patterns[0].second;
      bool same = std::all_of(n.patterns.begin(), n.patterns.end(), [&](const auto& q) { return q.first == pat; });
      if (!same) {
        unsupported("pattern", n.patterns[1].second.path, "two different patterns on one string");
      }
      std::optional<Regex> re;
      try {
        re = parse_regex(pat, opts_.limits);
        for (const RegexBranch& br : re->branches) {
          // (x)* with an x that can match nothing would be left-recursive.
          if (nullable_star(br.body)) throw GrammarError("unsupported pattern: a repeated group that can match nothing");
        }
      } catch (const GrammarError& e) {
        unsupported("pattern", kw.path, e.what());
      }
      if (re) {
        if (!n.len_kws.empty()) {
          Len l{0, 0};
          for (size_t i = 0; i < re->branches.size(); ++i) {
            const RegexBranch& br = re->branches[i];
            Len b = regex_len(br.body);
            if (!br.anchored_start || !br.anchored_end) b.max.reset();
            l = i == 0 ? b : Len{std::min(l.min, b.min), l.max && b.max ? std::max(*l.max, *b.max) : std::optional<uint64_t>()};
          }
          bool redundant = l.min >= n.min_len && (!n.max_len || (l.max && *l.max <= *n.max_len));
          bool empty = false;
          if (redundant || fit_lengths(*re, n, empty)) {
            n.len_kws.clear();
            if (empty) return never_e();
          } else {
            drop_lengths("pattern");
          }
        }
        return seq(lit("\""), regex_body(*re), lit("\""));
      }
    }
    if (n.max_len && n.min_len > *n.max_len) return never_e();
    check_repeat(n.min_len, n.len_kws, "minLength");
    if (n.max_len) check_repeat(*n.max_len, n.len_kws, "maxLength");
    if (n.min_len == 0 && !n.max_len) return ref_e(prim("string"));
    return seq(lit("\""),
                repeat(ref_e(prim("char")), static_cast<uint32_t>(n.min_len),
                       static_cast<uint32_t>(n.max_len.value_or(0)), !n.max_len),
                lit("\""));
  }

  // Code points a format's texts have: [min, max].
  static std::pair<uint64_t, uint64_t> format_lengths(const std::string& f) {
    if (f == "date") return {10, 10};
    if (f == "time") return {9, 24};        // HH:MM:SS, .d{1,9}, Z or +HH:MM
    if (f == "date-time") return {20, 35};
    if (f == "uuid") return {36, 36};
    if (f == "ipv4") return {7, 15};
    return {3, UINT64_MAX};                 // email
  }

  struct Len {
    uint64_t min;
    std::optional<uint64_t> max;  // none: unbounded
  };

  static Len regex_len(const RegexNode& r) {
    constexpr uint64_t kCap = uint64_t{1} << 40;  // saturate: counts are at most max_repeat
    auto sat = [&](uint64_t v) { return std::min(v, kCap); };
    switch (r.kind) {
      case RegexNode::Chars: return {1, 1};
      case RegexNode::Seq: {
        Len l{0, 0};
        for (const RegexNode& k : r.kids) {
          Len x = regex_len(k);
          l.min = sat(l.min + x.min);
          l.max = l.max && x.max ? std::optional<uint64_t>(sat(*l.max + *x.max)) : std::nullopt;
        }
        return l;
      }
      case RegexNode::Alt: {
        Len l = regex_len(r.kids[0]);
        for (size_t i = 1; i < r.kids.size(); ++i) {
          Len x = regex_len(r.kids[i]);
          l.min = std::min(l.min, x.min);
          l.max = l.max && x.max ? std::optional<uint64_t>(std::max(*l.max, *x.max)) : std::nullopt;
        }
        return l;
      }
      case RegexNode::Repeat: {
        Len x = regex_len(r.kids[0]);
        Len l{sat(x.min * r.min), std::nullopt};
        if (!r.unbounded && x.max) l.max = sat(*x.max * r.max);
        if (x.max && *x.max == 0) l.max = 0;
        return l;
      }
    }
    return {0, std::nullopt};
  }

  // minLength / maxLength taken into a pattern "^...$" whose one variable
  // part is a repeated character class (^[a-z]+$, ^\d{3}-\d+$): its count
  // narrows. False when the pattern has another shape; `empty` when no
  // length fits.
  bool fit_lengths(Regex& re, const Node& n, bool& empty) {
    if (re.branches.size() != 1) return false;
    RegexBranch& b = re.branches[0];
    if (!b.anchored_start || !b.anchored_end) return false;
    std::vector<RegexNode*> parts;
    if (b.body.kind == RegexNode::Seq) {
      for (RegexNode& k : b.body.kids) parts.push_back(&k);
    } else {
      parts.push_back(&b.body);
    }
    RegexNode* var = nullptr;
    uint64_t fixed = 0;
    for (RegexNode* p : parts) {
      Len l = regex_len(*p);
      if (l.max && *l.max == l.min) {
        fixed += l.min;
      } else if (!var && p->kind == RegexNode::Repeat && p->kids[0].kind == RegexNode::Chars) {
        var = p;
      } else {
        return false;
      }
    }
    if (!var) {
      empty = fixed < n.min_len || (n.max_len && fixed > *n.max_len);
      return true;
    }
    uint64_t lo = std::max<uint64_t>(var->min, n.min_len > fixed ? n.min_len - fixed : 0);
    std::optional<uint64_t> hi;
    if (!var->unbounded) hi = var->max;
    if (n.max_len) {
      if (*n.max_len < fixed) {
        empty = true;
        return true;
      }
      hi = hi ? std::min(*hi, *n.max_len - fixed) : *n.max_len - fixed;
    }
    if (hi && lo > *hi) {
      empty = true;
      return true;
    }
    check_repeat(lo, n.len_kws, "minLength");
    if (hi) check_repeat(*hi, n.len_kws, "maxLength");
    var->min = static_cast<uint32_t>(lo);
    var->max = static_cast<uint32_t>(hi.value_or(lo));
    var->unbounded = !hi;
    return true;
  }

  static bool nullable(const RegexNode& r) {
    switch (r.kind) {
      case RegexNode::Chars: return false;
      case RegexNode::Seq: return std::all_of(r.kids.begin(), r.kids.end(), nullable);
      case RegexNode::Alt: return std::any_of(r.kids.begin(), r.kids.end(), nullable);
      case RegexNode::Repeat: return r.min == 0 || nullable(r.kids[0]);
    }
    return false;
  }

  static bool nullable_star(const RegexNode& r) {
    if (r.kind == RegexNode::Repeat && r.unbounded && nullable(r.kids[0])) return true;
    return std::any_of(r.kids.begin(), r.kids.end(), nullable_star);
  }

  Expr regex_node(const RegexNode& r) {
    switch (r.kind) {
      case RegexNode::Chars: return json_chars(r.chars);
      case RegexNode::Seq:
      case RegexNode::Alt: {
        std::vector<Expr> kids;
        for (const RegexNode& k : r.kids) kids.push_back(regex_node(k));
        return r.kind == RegexNode::Seq ? seq_v(std::move(kids)) : alt_v(std::move(kids));
      }
      case RegexNode::Repeat: return repeat(regex_node(r.kids[0]), r.min, r.max, r.unbounded);
    }
    return never_e();
  }

  // A pattern matches anywhere in the string unless anchored.
  Expr regex_body(const Regex& re) {
    std::vector<Expr> alts;
    for (const RegexBranch& b : re.branches) {
      Expr any = star(ref_e(prim("char")));
      alts.push_back(seq(b.anchored_start ? Expr{} : any, regex_node(b.body), b.anchored_end ? Expr{} : any));
    }
    return alt_v(std::move(alts));
  }

  uint32_t format_rule(const std::string& name) {
    auto it = prims_.find(name);
    if (it != prims_.end()) return it->second;
    uint32_t id = new_rule(name);
    prims_[name] = id;
    rules_[id].body = format_expr(name);
    return id;
  }

  Expr format_body(const std::string& f) { return ref_e(format_rule("fmt-" + f)); }

  // RFC 3339 dates and times (years 0001-9999, no leap second), RFC 4122
  // UUIDs, dot-atom e-mail addresses with a hostname domain, dotted-quad
  // IPv4: each a subset every validator accepts.
  Expr format_expr(const std::string& name) {
    Expr d = cls('0', '9');
    if (name == "fmt-date") {
      Expr year = alt(seq(lit("000"), cls('1', '9')), seq(lit("00"), cls('1', '9'), d),
                       seq(lit("0"), cls('1', '9'), d, d), seq(cls('1', '9'), d, d, d));
      Expr day28 = alt(seq(lit("0"), cls('1', '9')), seq(lit("1"), d), seq(lit("2"), cls('0', '8')));
      Expr long_m = alt(seq(lit("0"), cls(set_of("13578"))), seq(lit("1"), cls(set_of("02"))));
      Expr any_m = alt(seq(lit("0"), cls('1', '9')), seq(lit("1"), cls('0', '2')));
      Expr not_feb = alt(seq(lit("0"), cls(set_of("13456789"))), seq(lit("1"), cls('0', '2')));
      // Leap years: divisible by 4 but not 100, or by 400 (0000 left out).
      Expr by4_not0 = alt(seq(lit("0"), cls(set_of("48"))), seq(cls(set_of("2468")), cls(set_of("048"))),
                           seq(cls(set_of("13579")), cls(set_of("26"))));
      Expr leap = alt(seq(d, d, by4_not0), seq(by4_not0, lit("00")));
      return alt(seq(year, lit("-"), any_m, lit("-"), day28),
                  seq(year, lit("-"), not_feb, lit("-"), alt(lit("29"), lit("30"))),
                  seq(year, lit("-"), long_m, lit("-31")), seq(leap, lit("-02-29")));
    }
    if (name == "fmt-time") {
      Expr hour = alt(seq(cls('0', '1'), d), seq(lit("2"), cls('0', '3')));
      Expr min = seq(cls('0', '5'), d);
      CodePointSet z = CodePointSet::of('Z', 'Z');
      z.add('z', 'z');
      return seq(hour, lit(":"), min, lit(":"), min, opt(seq(lit("."), repeat(d, 1, 9, false))),
                  alt(cls(z), seq(cls(set_of("+-")), hour, lit(":"), min)));
    }
    if (name == "fmt-date-time") {
      return seq(ref_e(format_rule("fmt-date")), cls(set_of("Tt")), ref_e(format_rule("fmt-time")));
    }
    if (name == "fmt-uuid") {
      Expr h = ref_e(prim("hex"));
      auto hx = [&](uint32_t k) { return repeat(h, k, k, false); };
      return seq(hx(8), lit("-"), hx(4), lit("-"), hx(4), lit("-"), hx(4), lit("-"), hx(12));
    }
    if (name == "fmt-email") {
      CodePointSet atom = CodePointSet::of('a', 'z');
      atom.add('A', 'Z');
      atom.add('0', '9');
      for (char c : std::string("!#$%&'*+/=?^_`{|}~-")) atom.add(static_cast<uint32_t>(c), static_cast<uint32_t>(c));
      CodePointSet alnum = CodePointSet::of('a', 'z');
      alnum.add('A', 'Z');
      alnum.add('0', '9');
      CodePointSet alnum_dash = alnum;
      alnum_dash.add('-', '-');
      Expr word = repeat(cls(atom), 1, 64, false);
      Expr label = seq(cls(alnum), opt(seq(repeat(cls(alnum_dash), 0, 61, false), cls(alnum))));
      return seq(word, star(seq(lit("."), word)), lit("@"), label, star(seq(lit("."), label)));
    }
    if (name == "fmt-ipv4") {
      Expr octet = alt(d, seq(cls('1', '9'), d), seq(lit("1"), d, d), seq(lit("2"), cls('0', '4'), d),
                        seq(lit("25"), cls('0', '5')));
      return seq(octet, lit("."), octet, lit("."), octet, lit("."), octet);
    }
    throw std::logic_error("json_schema_grammar: no format " + name);
  }

  static CodePointSet set_of(const std::string& chars) {
    CodePointSet s;
    for (char c : chars) s.add(static_cast<uint32_t>(c), static_cast<uint32_t>(c));
    return s;
  }

  // ---- numbers ----

  Expr gen_number(Node& n) {
    report_deferred(n, kCatNumber);
    bool fractions = n.types & kNumber;
    if (!n.lower && !n.upper) return ref_e(prim(fractions ? "number" : "integer"));
    return fractions ? decimal_range(n.lower, n.upper) : integer_range(n.lower, n.upper);
  }

  // Integers in [lo, hi] written with at most kIntDigits digits.
  Expr integer_range(const std::optional<Bound>& lower, const std::optional<Bound>& upper) {
    const i128 kMax = pow10(kIntDigits) - 1;
    auto to_int = [&](const Dec& d) -> std::optional<i128> {
      if (d.ip.size() > static_cast<size_t>(kIntDigits)) return std::nullopt;
      i128 v = 0;
      for (char c : d.ip) v = v * 10 + (c - '0');
      return d.neg ? -v : v;
    };
    i128 lo = -kMax, hi = kMax;
    if (lower) {
      const Dec& d = lower->value;
      auto v = to_int(d);
      if (!v) {
        if (!d.neg) return never_e();
      } else {
        // The least integer above (or at) the bound.
        bool frac = !d.fp.empty();
        i128 x = *v + ((frac && !d.neg) || (!frac && lower->exclusive) ? 1 : 0);
        lo = std::max(lo, x);
      }
    }
    if (upper) {
      const Dec& d = upper->value;
      auto v = to_int(d);
      if (!v) {
        if (d.neg) return never_e();
      } else {
        bool frac = !d.fp.empty();
        i128 x = *v - ((frac && d.neg) || (!frac && upper->exclusive) ? 1 : 0);
        hi = std::min(hi, x);
      }
    }
    return int_range(lo, hi);
  }

  static i128 pow10(int k) {
    i128 v = 1;
    while (k-- > 0) v *= 10;
    return v;
  }

  Expr int_range(i128 lo, i128 hi) {
    if (lo > hi) return never_e();
    std::vector<Expr> alts;
    if (lo < 0) alts.push_back(seq(lit("-"), pos_range(std::max<i128>(1, -hi), -lo)));
    if (lo <= 0 && hi >= 0) alts.push_back(lit("0"));
    if (hi > 0) alts.push_back(pos_range(std::max<i128>(1, lo), hi));
    return alt_v(std::move(alts));
  }

  // Positive integers in [a, b] without leading zeros, one alternative per
  // digit count.
  Expr pos_range(i128 a, i128 b) {
    if (a > b) return never_e();
    std::vector<Expr> alts;
    std::string sa = i128_str(a), sb = i128_str(b);
    for (size_t len = sa.size(); len <= sb.size(); ++len) {
      std::string lo = sa;
      if (len != sa.size()) {
        lo.assign(len, '0');  // 10...0
        lo[0] = '1';
      }
      std::string hi = len == sb.size() ? sb : std::string(len, '9');
      alts.push_back(same_length(lo, hi));
    }
    return alt_v(std::move(alts));
  }

  // Digit strings of one length between lo and hi (inclusive).
  Expr same_length(const std::string& lo, const std::string& hi) {
    size_t i = 0;
    while (i < lo.size() && lo[i] == hi[i]) ++i;
    if (i == lo.size()) return lit(lo);
    std::string prefix = lo.substr(0, i);
    char a = lo[i], b = hi[i];
    std::string rlo = lo.substr(i + 1), rhi = hi.substr(i + 1);
    size_t k = rlo.size();
    bool lo_zeros = rlo.find_first_not_of('0') == std::string::npos;
    bool hi_nines = rhi.find_first_not_of('9') == std::string::npos;
    std::vector<Expr> alts;
    char from = a, to = b;
    if (!lo_zeros) {
      alts.push_back(seq(lit(std::string(1, a)), same_length(rlo, std::string(k, '9'))));
      ++from;
    }
    if (!hi_nines) --to;
    if (from <= to) {
      alts.push_back(seq(cls(static_cast<uint32_t>(from), static_cast<uint32_t>(to)),
                          repeat(cls('0', '9'), static_cast<uint32_t>(k), static_cast<uint32_t>(k), false)));
    }
    if (!hi_nines) alts.push_back(seq(lit(std::string(1, b)), same_length(std::string(k, '0'), rhi)));
    return seq(lit(prefix), alt_v(std::move(alts)));
  }

  // A bound on a fraction's digits: the digits after the point, and
  // whether equality is excluded.
  struct FracBound {
    std::string digits;
    bool exclusive;
  };

  struct FracSet {
    bool empty_ok;  // no (more) digits
    Expr nonempty;  // one or more digits
  };

  // Digit strings f of at most n digits with lo <= 0.f <= hi (either bound
  // absent, exclusive as marked), by the first digit.
  FracSet frac_range(const std::optional<FracBound>& lo, const std::optional<FracBound>& hi, int n) {
    FracSet r;
    r.empty_ok = (!lo || (lo->digits.empty() && !lo->exclusive)) && (!hi || !(hi->digits.empty() && hi->exclusive));
    if (n == 0) {
      r.nonempty = never_e();
      return r;
    }
    if (!lo && !hi) {
      r.nonempty = repeat(cls('0', '9'), 1, static_cast<uint32_t>(n), false);
      return r;
    }
    int l0 = lo ? (lo->digits.empty() ? 0 : lo->digits[0] - '0') : -1;
    int h0 = hi ? (hi->digits.empty() ? 0 : hi->digits[0] - '0') : 10;
    auto rest = [](const std::optional<FracBound>& b) {
      return FracBound{b->digits.empty() ? "" : b->digits.substr(1), b->exclusive};
    };
    auto then = [&](int digit, const FracSet& sub) {
      return seq(lit(std::string(1, static_cast<char>('0' + digit))),
                  sub.empty_ok ? opt(sub.nonempty) : sub.nonempty);
    };
    std::vector<Expr> alts;
    if (h0 - l0 > 1) {
      alts.push_back(seq(cls(static_cast<uint32_t>('0' + l0 + 1), static_cast<uint32_t>('0' + h0 - 1)),
                          repeat(cls('0', '9'), 0, static_cast<uint32_t>(n - 1), false)));
    }
    if (lo && hi && l0 == h0) {
      alts.push_back(then(l0, frac_range(rest(lo), rest(hi), n - 1)));
    } else {
      if (lo && l0 < h0) alts.push_back(then(l0, frac_range(rest(lo), std::nullopt, n - 1)));
      if (hi && h0 > l0) alts.push_back(then(h0, frac_range(std::nullopt, rest(hi), n - 1)));
    }
    r.nonempty = alt_v(std::move(alts));
    return r;
  }

  Expr frac_text(const FracSet& f) {
    return alt(f.empty_ok ? Expr{} : never_e(), seq(lit("."), f.nonempty));
  }

  // Numbers (integers or not) between the bounds, written without an
  // exponent, with at most kBoundedIntDigits + kBoundedFracDigits digits.
  Expr decimal_range(const std::optional<Bound>& lower, const std::optional<Bound>& upper) {
    std::vector<Expr> alts;
    Dec zero;
    // x >= 0.
    bool nonneg = !upper || !upper->value.neg;
    if (nonneg && upper && upper->value.zero() && upper->exclusive) nonneg = false;
    if (nonneg) {
      std::pair<Dec, bool> lo{zero, false};
      if (lower && !lower->value.neg) lo = {lower->value, lower->exclusive};
      std::optional<std::pair<Dec, bool>> hi;
      if (upper) hi = std::make_pair(upper->value, upper->exclusive);
      alts.push_back(magnitude_range(lo, hi));
    }
    // x < 0, as "-" and its magnitude y > 0.
    if (!lower || lower->value.neg) {
      std::pair<Dec, bool> lo{zero, true};
      if (upper && upper->value.neg) {
        Dec m = upper->value;
        m.neg = false;
        lo = {m, upper->exclusive};
      }
      std::optional<std::pair<Dec, bool>> hi;
      if (lower) {
        Dec m = lower->value;
        m.neg = false;
        hi = std::make_pair(m, lower->exclusive);
      }
      alts.push_back(seq(lit("-"), magnitude_range(lo, hi)));
    }
    return alt_v(std::move(alts));
  }

  // Non-negative y with lo <= y <= hi (bounds non-negative; exclusive as
  // marked; hi absent: no upper bound).
  Expr magnitude_range(const std::pair<Dec, bool>& lo, const std::optional<std::pair<Dec, bool>>& hi_in) {
    const size_t max_ip = kBoundedIntDigits;
    if (lo.first.ip.size() > max_ip) return never_e();
    std::optional<std::pair<Dec, bool>> hi = hi_in;
    if (hi && hi->first.ip.size() > max_ip) hi.reset();  // above every number we write
    const i128 li = std::stoll(lo.first.ip);
    const i128 top = pow10(kBoundedIntDigits) - 1;
    const i128 hiv = hi ? static_cast<i128>(std::stoll(hi->first.ip)) : top;
    if (li > hiv) return never_e();
    FracBound lf{lo.first.fp, lo.second};
    Expr any_frac = opt(seq(lit("."), repeat(cls('0', '9'), 1, kBoundedFracDigits, false)));
    std::vector<Expr> alts;
    if (li == hiv && hi) {
      FracBound hf{hi->first.fp, hi->second};
      alts.push_back(seq(lit(i128_str(li)), frac_text(frac_range(lf, hf, kBoundedFracDigits))));
    } else {
      alts.push_back(seq(lit(i128_str(li)), frac_text(frac_range(lf, std::nullopt, kBoundedFracDigits))));
      i128 mid_hi = hi ? hiv - 1 : hiv;
      if (li + 1 <= mid_hi) alts.push_back(seq(int_range(li + 1, mid_hi), any_frac));
      if (hi) {
        FracBound hf{hi->first.fp, hi->second};
        alts.push_back(seq(lit(i128_str(hiv)), frac_text(frac_range(std::nullopt, hf, kBoundedFracDigits))));
      }
    }
    return alt_v(std::move(alts));
  }

  // ---- objects ----

  Expr gen_object(Node& n) {
    report_deferred(n, kCatObject);
    // Listed names (schema order), then names only `required` gave.
    struct Item {
      std::string name;
      Expr value;
      bool required;
    };
    std::vector<Item> items;
    for (const auto& [name, conj] : n.props) {
      bool req = n.is_required(name);
      Expr v = gen_conj(conj);
      if (v.kind == Expr::Never && !req) continue;
      items.push_back(Item{name, std::move(v), req});
    }
    bool extras;
    Expr extra_value;
    if (n.extra_said) {
      extra_value = gen_conj(n.extra);
      extras = extra_value.kind != Expr::Never;
    } else {
      extras = !closed_default_ || n.listed == 0;
      extra_value = ref_e(prim("value"));
    }
    std::vector<std::string> names;
    for (const auto& [name, conj] : n.props) names.push_back(name);
    Expr extra_kv = never_e();
    if (extras) extra_kv = seq(extra_key(names), ws(), lit(":"), ws(), extra_value);
    // next: the items from k on, the first one present written now (one of
    // the optional ones up to the first required one, or extras). A
    // separator is shared by all the choices after it, so the matcher sees
    // one comma, then the candidate names. `next` becomes a rule where two
    // places use it (after an optional item), or when a run of required
    // items grows long (to keep copying linear).
    Expr next = extras ? seq(extra_kv, star(seq(sep(), extra_kv))) : never_e();
    bool required_after = false;
    size_t first_required = items.size();
    std::string base = name_for(n.where) + "-rest";
    for (size_t k = items.size(); k-- > 0;) {
      Item& it = items[k];
      std::string key;
      try {
        key = Json(it.name).dump();
      } catch (const nlohmann::json::exception&) {
        throw GrammarError("a property name that is not UTF-8");
      }
      bool shared = !it.required || (next.kind == Expr::Seq && next.kids.size() > 64);
      Expr later = shared && next.kind != Expr::Never ? ref_e(new_rule(base, std::move(next))) : std::move(next);
      Expr rest = required_after ? seq(sep(), later) : opt(seq(sep(), later));
      Expr here = seq(lit(key), ws(), lit(":"), ws(), std::move(it.value), std::move(rest));
      if (it.required) {
        next = std::move(here);
        required_after = true;
        first_required = k;
      } else {
        next = alt(std::move(here), std::move(later));
      }
    }
    Expr first = std::move(next);
    bool can_be_empty = first_required == items.size();
    // minProperties / maxProperties where the shape settles them: at most
    // the required count, or 1 (no empty object); at least every name that
    // can be written. Other counts are refused.
    size_t required_count = 0;
    for (const Item& it : items) required_count += it.required;
    for (const Kw& k : n.prop_count_kws) {
      if (k.name == "minProperties" && n.min_props > required_count) {
        if (n.min_props == 1) {
          can_be_empty = false;
        } else {
          unsupported(k.name, k.path, "more than the required properties");
        }
      }
      if (k.name == "maxProperties" && n.max_props && (extras || items.size() > *n.max_props)) {
        if (*n.max_props < required_count) return never_e();
        unsupported(k.name, k.path, "fewer than the properties that may be written");
      }
    }
    return alt(can_be_empty ? seq(lit("{"), ws(), lit("}")) : never_e(),
                seq(lit("{"), ws(), std::move(first), ws(), lit("}")));
  }

  // A key (a JSON string) other than the listed names: the names' code
  // points as a trie, and at each node any character that leaves it.
  Expr extra_key(const std::vector<std::string>& names) {
    if (names.empty()) return ref_e(prim("string"));
    CodePointTrie cpt;
    for (const std::string& name : names) {
      std::vector<uint32_t> cps;
      if (!decode_utf8(name, cps)) throw GrammarError("a property name that is not UTF-8");
      spend(cps.size());
      cpt.insert(cps);
    }
    const std::vector<CodePointTrie::Node>& trie = cpt.nodes;
    Expr tail = seq(star(ref_e(prim("char"))), lit("\""));
    // Built bottom-up without recursion; every kInlineDepth levels a rule.
    std::vector<Expr> built(trie.size());
    std::vector<int> depth_of(trie.size(), 0);
    const std::vector<int> order = cpt.preorder();
    for (size_t oi = order.size(); oi-- > 0;) {
      int t = order[oi];
      CodePointSet leave = CodePointSet::all();
      std::vector<Expr> alts;
      if (!trie[t].end) alts.push_back(lit("\""));
      int depth = 0;
      for (auto& [c, k] : trie[t].kids) {
        leave = leave.minus(CodePointSet::of(c, c));
        alts.push_back(seq(json_chars(CodePointSet::of(c, c)), std::move(built[k])));
        depth = std::max(depth, depth_of[k] + 1);
      }
      alts.push_back(seq(json_chars(leave), tail));
      Expr e = alt_v(std::move(alts));
      if (depth >= kInlineDepth) {
        e = ref_e(new_rule("key", std::move(e)));
        depth = 0;
      }
      built[t] = std::move(e);
      depth_of[t] = depth;
    }
    return seq(lit("\""), std::move(built[0]));
  }

  // ---- arrays ----

  Expr gen_array(Node& n) {
    report_deferred(n, kCatArray);
    uint64_t m = n.min_items;
    std::optional<uint64_t> cap = n.max_items;
    std::vector<Expr> pre;
    for (size_t i = 0; i < n.prefix.size(); ++i) {
      Expr e = gen_conj(n.prefix[i]);
      if (e.kind == Expr::Never) {
        cap = std::min<uint64_t>(cap.value_or(i), i);  // no array reaches past it
        break;
      }
      pre.push_back(std::move(e));
    }
    Expr rest = gen_conj(n.items);
    if (rest.kind == Expr::Never) cap = std::min<uint64_t>(cap.value_or(pre.size()), pre.size());
    if (cap && m > *cap) return never_e();
    check_repeat(m, n.count_kws, "minItems");
    if (cap && *cap > opts_.limits.max_repeat && *cap > pre.size()) check_repeat(*cap, n.count_kws, "maxItems");
    const size_t p = pre.size();
    // tail(i): what follows once i items are there.
    auto rest_tail = [&](uint64_t i) {
      if (cap && i > *cap) return never_e();
      uint64_t lo = m > i ? m - i : 0;
      return repeat(seq(sep(), rest), static_cast<uint32_t>(lo), cap ? static_cast<uint32_t>(*cap - i) : 0, !cap);
    };
    Expr tail = rest_tail(std::max<uint64_t>(p, 1));
    int depth = 0;
    for (size_t i = p; i-- > 1;) {
      Expr more = cap && i >= *cap ? never_e() : seq(sep(), pre[i], std::move(tail));
      tail = i >= m ? opt(std::move(more)) : std::move(more);
      if (++depth >= kInlineDepth) {
        tail = ref_e(new_rule("items", std::move(tail)));
        depth = 0;
      }
    }
    Expr first = p > 0 ? pre[0] : rest;
    Expr nonempty = cap && *cap == 0 ? never_e() : seq(lit("["), ws(), first, std::move(tail), ws(), lit("]"));
    return alt(m == 0 ? seq(lit("["), ws(), lit("]")) : never_e(), std::move(nonempty));
  }

  // ---- oneOf ----

  // Whether no text generated for `a` is valid under `b` (false when
  // unsure). Looks at types, enum/const, integer ranges, lengths, counts
  // and object properties (a name `b` requires that `a` never writes, or a
  // name both require whose values exclude each other).
  bool excludes(const Node& a, const Node& b, int depth) {
    spend(1);
    if (a.never || b.never) return true;
    uint8_t ta = possible_types(a), tb = possible_types(b);
    for (uint8_t bit = 1; bit < 128; bit <<= 1) {
      if (!(ta & bit) || !(tb & bit)) continue;
      if (!excludes_in(a, b, bit, depth)) return false;
    }
    return true;
  }

  static uint8_t possible_types(const Node& n) {
    if (!n.values) return n.types;
    uint8_t t = 0;
    for (const Json& v : *n.values) {
      uint8_t vt = value_type(v);
      if (vt & n.types) t |= vt;
    }
    return t;
  }

  // A value certainly invalid under n (type, enum, length, range, count,
  // required names).
  bool certainly_invalid(const Json& v, const Node& n) {
    uint8_t t = value_type(v);
    if (!(t & n.types)) return true;
    if (n.values && std::none_of(n.values->begin(), n.values->end(), [&](const Json& w) { return json_equal(v, w); })) {
      return true;
    }
    if (t == kString) {
      uint64_t len = code_points(v.get_ref<const std::string&>());
      return len < n.min_len || (n.max_len && len > *n.max_len);
    }
    if (t == kInteger || t == kNumber) {
      Dec d = dec_of(v);
      if (n.lower) {
        int c = cmp_dec(d, n.lower->value);
        if (c < 0 || (c == 0 && n.lower->exclusive)) return true;
      }
      if (n.upper) {
        int c = cmp_dec(d, n.upper->value);
        if (c > 0 || (c == 0 && n.upper->exclusive)) return true;
      }
      return false;
    }
    if (t == kArray) return v.size() < n.min_items || (n.max_items && v.size() > *n.max_items);
    if (t == kObject) {
      return std::any_of(n.required.begin(), n.required.end(), [&](const std::string& r) { return !v.contains(r); });
    }
    return false;
  }

  bool excludes_in(const Node& a, const Node& b, uint8_t bit, int depth) {
    auto of_type = [&](const Json& v) { return value_type(v) == bit; };
    if (a.values) {
      return std::all_of(a.values->begin(), a.values->end(),
                         [&](const Json& v) { return !of_type(v) || certainly_invalid(v, b); });
    }
    if (b.values) {
      return std::all_of(b.values->begin(), b.values->end(),
                         [&](const Json& v) { return !of_type(v) || certainly_invalid(v, a); });
    }
    switch (bit) {
      case kString:
        return (b.max_len && a.min_len > *b.max_len) || (a.max_len && b.min_len > *a.max_len);
      case kInteger: {
        auto below = [](const std::optional<Bound>& up, const std::optional<Bound>& low) {
          if (!up || !low) return false;
          int c = cmp_dec(up->value, low->value);
          return c < 0 || (c == 0 && (up->exclusive || low->exclusive));
        };
        return below(a.upper, b.lower) || below(b.upper, a.lower);
      }
      case kArray:
        return (b.max_items && a.min_items > *b.max_items) || (a.max_items && b.min_items > *a.max_items);
      case kObject: return objects_exclude(a, b, depth);
      default: return false;
    }
  }

  bool objects_exclude(const Node& a, const Node& b, int depth) {
    if (depth > 4) return false;
    // A name b requires that a never writes (a closed, no anyOf left that
    // could list more).
    bool a_closed = a.groups.empty() && (a.extra_said ? conj_false(a.extra) : (closed_default_ && !a.props.empty()));
    for (const std::string& r : b.required) {
      if (a_closed && !a.prop(r) && !a.is_required(r)) {
        return true;
      }
    }
    // A name both require, with values that exclude each other; or one a
    // requires that b forbids.
    for (const std::string& r : a.required) {
      const Conj* pb = b.prop(r);
      if (!pb && b.extra_said && conj_false(b.extra)) return true;
      if (!b.is_required(r)) continue;
      const Conj* pa = a.prop(r);
      Conj ca = pa ? *pa : a.extra, cb = pb ? *pb : b.extra;
      Node na, nb;
      for (const Part& q : ca) apply(na, q, depth + 1);
      for (const Part& q : cb) apply(nb, q, depth + 1);
      if (excludes(na, nb, depth + 1)) return true;
    }
    return false;
  }

  static bool conj_false(const Conj& c) {
    return std::any_of(c.begin(), c.end(), [](const Part& p) { return p.schema->is_boolean() && !p.schema->get<bool>(); });
  }

  // ---- output ----

  std::string finish() {
    const size_t n = rules_.size();
    // Productive rules (matching some text), by a work list.
    std::vector<std::vector<uint32_t>> users(n);
    for (uint32_t r = 0; r < n; ++r) {
      std::vector<uint32_t> refs;
      collect_refs(rules_[r].body, refs);
      for (uint32_t t : refs) users[t].push_back(r);
    }
    std::vector<uint8_t> prod(n, 0);
    std::vector<uint32_t> work(n);
    for (uint32_t r = 0; r < n; ++r) work[r] = n - 1 - r;
    while (!work.empty()) {
      uint32_t r = work.back();
      work.pop_back();
      if (prod[r] || !productive(rules_[r].body, prod)) continue;
      prod[r] = 1;
      for (uint32_t u : users[r]) {
        if (!prod[u]) work.push_back(u);
      }
    }
    if (!prod[0]) throw GrammarError("the schema matches no JSON value");
    // Rules that are just another rule are that rule.
    std::vector<uint32_t> alias(n);
    for (uint32_t r = 0; r < n; ++r) alias[r] = r;
    for (uint32_t r = 1; r < n; ++r) {
      uint32_t t = r;
      for (size_t hops = 0; hops < n && rules_[t].body.kind == Expr::Ref && rules_[t].body.rule != t &&
                            prod[rules_[t].body.rule];
           ++hops) {
        t = rules_[t].body.rule;
      }
      alias[r] = t;
    }
    // Bodies that are a literal or nothing are written in place; a second
    // pass sees bodies that became one in the first.
    for (int pass = 0; pass < 2; ++pass) {
      for (uint32_t r = 0; r < n; ++r) {
        if (prod[r]) rules_[r].body = substitute(rules_[r].body, prod, alias, rules_);
      }
    }
    // Rules reached from root, printed after the rules they use (so that
    // parsing meets definitions in an order its fixpoints like).
    std::vector<uint8_t> state(n, 0);
    std::vector<uint32_t> order;
    std::vector<std::pair<uint32_t, size_t>> stack{{0, 0}};
    std::vector<std::vector<uint32_t>> refs(n);
    state[0] = 1;
    collect_refs(rules_[0].body, refs[0]);
    while (!stack.empty()) {
      auto& [r, i] = stack.back();
      if (i == refs[r].size()) {
        order.push_back(r);
        stack.pop_back();
        continue;
      }
      uint32_t t = refs[r][i++];
      if (state[t]) continue;
      state[t] = 1;
      collect_refs(rules_[t].body, refs[t]);
      stack.push_back({t, 0});
    }
    std::string out;
    for (uint32_t r : order) {
      out += rules_[r].name;
      out += " ::= ";
      print_expr(rules_[r].body, rules_, out, 0);
      out += '\n';
      if (out.size() > opts_.limits.max_source_bytes) {
        throw GrammarError("the grammar for this schema is larger than " +
                           std::to_string(opts_.limits.max_source_bytes) + " bytes");
      }
    }
    return out;
  }

  const Json& root_;
  const JsonSchemaOptions& opts_;
  std::vector<std::string>* warnings_;
  std::set<std::string> warned_;
  bool closed_default_ = true;
  bool legacy_refs_ = false;
  std::vector<Rule> rules_;
  std::unordered_set<std::string> used_names_;
  std::unordered_map<std::string, uint32_t> prims_;
  std::unordered_map<std::string, uint32_t> memo_;
  std::deque<std::pair<uint32_t, Conj>> pending_;
  std::vector<std::string> inline_stack_;
  size_t work_ = 0;
  size_t parts_at_start_ = t_expr_parts;
};

}  // namespace

std::string json_schema_to_gbnf(const nlohmann::ordered_json& schema, const JsonSchemaOptions& opts,
                                std::vector<std::string>* warnings) {
  return Converter(schema, opts, warnings).run();
}

}  // namespace lantern::grammar
