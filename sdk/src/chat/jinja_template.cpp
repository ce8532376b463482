#include "chat/jinja_template.h"

#include <ctime>
#include <new>
#include <stdexcept>

#include "chat/jinja_error.h"
#include "chat/jinja_parser.h"

namespace lantern::jinja {

const char* error_kind_name(ErrorKind k) {
  switch (k) {
    case ErrorKind::Syntax: return "syntax error";
    case ErrorKind::Runtime: return "render error";
    case ErrorKind::Raised: return "template raised an exception";
    case ErrorKind::Limit: return "limit exceeded";
  }
  return "error";
}

namespace {
std::string with_location(ErrorKind kind, const std::string& detail, int line, int col) {
  std::string s = error_kind_name(kind);
  if (line > 0) s += " at line " + std::to_string(line) + ", column " + std::to_string(col);
  return s + ": " + detail;
}
}  // namespace

JinjaError::JinjaError(ErrorKind kind, std::string message, int line, int col)
    : std::runtime_error(with_location(kind, message, line, col)),
      kind_(kind),
      detail_(std::move(message)),
      line_(line),
      col_(col) {}

Template::Template(std::string_view source)
    : body_(std::make_shared<const StmtList>(parse_template(source))) {}

std::string Template::render(const Dict& context, const RenderOptions& opts) const {
  int64_t now = opts.now_unix ? *opts.now_unix : static_cast<int64_t>(std::time(nullptr));
  // A render that asks for more memory than the process has (or a string
  // longer than max_size) is the template's fault, like any other limit: it
  // becomes a JinjaError so callers take their documented error or fallback
  // path instead of seeing a bare std::bad_alloc. The unwinding has freed
  // the render's values by the time the error is thrown.
  std::string failure;
  try {
    Evaluator ev(opts.limits, now);
    return ev.render(*body_, context);
  } catch (const std::bad_alloc&) {
    failure = "template ran out of memory";
  } catch (const std::length_error&) {
    failure = "template made a value longer than the largest possible string or list";
  }
  throw JinjaError(ErrorKind::Limit, failure);
}

std::string Template::render(const nlohmann::ordered_json& context, const RenderOptions& opts) const {
  Value v = from_json(context);
  if (!v.is_dict()) throw JinjaError(ErrorKind::Runtime, "the render context must be a JSON object");
  return render(v.as_dict(), opts);
}

}  // namespace lantern::jinja
