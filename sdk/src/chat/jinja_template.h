// The entry point of the Jinja subset: parse once, render many times.
//
//   jinja::Template t("{{ greeting ~ ', ' ~ name }}");
//   std::string s = t.render(context);   // context: a Dict of variables
//
// Parse errors throw JinjaError(Syntax) with line and column; render errors
// throw JinjaError(Runtime / Raised / Limit). No I/O is ever performed.
//
// The subset (semantics of jinja2 3.1 as Hugging Face configures it for chat
// templates: trim_blocks, lstrip_blocks, loopcontrols, json.dumps tojson):
//   tags      {{ }} {% %} {# #} with - / + whitespace control, raw, if/elif/else,
//             for (tuple targets, `if` filter, else, loop.index/index0/revindex/
//             revindex0/first/last/length/previtem/nextitem), break, continue,
//             set (names, tuples, ns.attr, blocks with filters), macro, filter,
//             generation
//   exprs     literals (str, int, float, list, tuple, dict), and/or/not, if-else,
//             == != < <= > >= in, not in, + - * / // % ** ~, unary - +,
//             .attr, [index], [a:b:c], calls with keyword arguments
//   filters   trim length count upper lower capitalize title string safe e/escape
//             tojson default/d first last join replace items dictsort int float
//             abs round list reverse unique sort map select reject selectattr
//             rejectattr attr min max sum indent wordcount
//   tests     defined undefined none boolean true false integer float number
//             string mapping iterable sequence callable odd even divisibleby
//             lower upper in eq/equalto ne lt le gt ge sameas escaped
//   methods   str: strip lstrip rstrip startswith endswith split upper lower
//             title capitalize replace find count join format isdigit isalpha
//             isspace; dict: items keys values get
//   globals   range namespace dict raise_exception strftime_now
// Not supported (clear errors): include/import/extends, call blocks,
// recursive loops, loop.cycle, printf-style "%" formatting, list/dict
// mutation. Known differences: tuples are lists (they print as [1, 2]);
// Markup auto-escaping after |safe is not modelled; case mapping covers the
// common alphabets one-to-one (see jinja_strings.h).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "chat/jinja_ast.h"
#include "chat/jinja_evaluator.h"
#include "chat/jinja_value.h"

namespace lantern::jinja {

struct RenderOptions {
  RenderLimits limits;
  std::optional<int64_t> now_unix;  // what strftime_now() sees; default: the clock
};

class Template {
 public:
  explicit Template(std::string_view source);

  std::string render(const Dict& context, const RenderOptions& opts = {}) const;
  // Convenience: the context as a JSON object (keys become variables).
  std::string render(const nlohmann::ordered_json& context, const RenderOptions& opts = {}) const;

 private:
  std::shared_ptr<const StmtList> body_;
};

}  // namespace lantern::jinja
