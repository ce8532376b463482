// Python semantics of Jinja's operators on Values: arithmetic with overflow
// checks, string/list concatenation and repetition under the size budget,
// ordering comparisons and `in`. Type mismatches throw JinjaError(Runtime)
// with Python's wording ("unsupported operand type(s) for +: 'str' and 'int'").
#pragma once
#include <string>

#include "chat/jinja_value.h"

namespace lantern::jinja {

Value binary_op(const std::string& op, const Value& l, const Value& r, Budget& b);
Value unary_op(const std::string& op, const Value& v);
// op is one of == != < <= > >= in notin
bool compare_op(const std::string& op, const Value& l, const Value& r, Budget& b);
// `item in container`
bool contains(const Value& container, const Value& item, Budget& b);
// Ordering used by < and by the sort filter: -1, 0, 1; throws on unorderable types.
int order(const Value& l, const Value& r, Budget& b);
// Error for using an undefined value where a real one is needed.
[[noreturn]] void fail_undefined(const Value& v);

}  // namespace lantern::jinja
