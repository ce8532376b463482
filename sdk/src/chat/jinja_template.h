// The entry point of the Jinja subset: parse once, render many times.
//
//   jinja::Template t("{{ greeting ~ ', ' ~ name }}");
//   std::string s = t.render(context);   // context: a Dict of variables
//
// Parse errors throw JinjaError(Syntax) with line and column; render errors
// throw JinjaError(Runtime / Raised / Limit). No I/O is ever performed.
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
