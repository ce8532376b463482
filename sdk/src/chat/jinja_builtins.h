// The builtin library of the subset: filters (jinja_filters.cpp), tests,
// methods on strings and dicts, and the global functions (jinja_methods.cpp).
#pragma once
#include <string>

#include "chat/jinja_value.h"

namespace lantern::jinja {

class Evaluator;

// value | name(args). Unknown filter names throw JinjaError(Runtime).
Value apply_filter(Evaluator& ev, const std::string& name, const Value& v, const CallArgs& args);
// value is name(args). Unknown test names throw JinjaError(Runtime).
bool apply_test(Evaluator& ev, const std::string& name, const Value& v, const CallArgs& args);
// obj.name(args) for builtin methods (str.strip, dict.items, ...). Returns
// false when `obj` has no such method.
bool call_method(Evaluator& ev, const Value& obj, const std::string& name, const CallArgs& args, Value& out);
// range, namespace, dict, raise_exception, strftime_now.
void add_globals(Dict& globals);

// Argument helpers shared by the builtin files.
const Value& require_arg(const CallArgs& a, size_t i, const char* name, const char* fn);
int64_t int_arg(const CallArgs& a, size_t i, const char* name, const char* fn, int64_t def);
bool bool_arg(const CallArgs& a, size_t i, const char* name, bool def);
std::string string_arg(const CallArgs& a, size_t i, const char* name, const char* fn, const std::string& def);
void check_max_args(const CallArgs& a, size_t n, const char* fn);

}  // namespace lantern::jinja
