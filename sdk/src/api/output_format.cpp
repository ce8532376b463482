#include "api/output_format.h"

#include "api/json_body.h"
#include "api/request_fields.h"
#include "grammar/gbnf_parser.h"
#include "grammar/json_schema_grammar.h"

namespace lantern::api {

using namespace fields;

namespace {

// A JSON Schema to GBNF; `param` names the field in errors.
std::string schema_grammar(const Json& schema, const std::string& param, bool strict, OutputFormat& out) {
  grammar::JsonSchemaOptions opts;
  opts.strict = strict;
  try {
    std::vector<std::string> warnings;
    std::string gbnf = grammar::json_schema_to_gbnf(schema, opts, &warnings);
    for (std::string& w : warnings) out.warnings.push_back(param + ": " + w);
    return gbnf;
  } catch (const grammar::GrammarError& e) {
    fail(ApiError::invalid_value(param, e.what()));
  }
}

// Checks a GBNF/EBNF text now, so that generation never meets a bad one.
std::string checked_grammar(const std::string& text, const std::string& param) {
  try {
    grammar::parse_gbnf(text);
  } catch (const grammar::GrammarError& e) {
    fail(ApiError::invalid_value(param, e.what()));
  }
  return text;
}

}  // namespace

OutputFormat read_output_format(const Json& body) {
  OutputFormat out;
  const Json* rf = get_object(body, "response_format", "response_format");
  if (rf) {
    std::optional<std::string> type = get_string(*rf, "type", "response_format.type");
    if (!type) fail(ApiError::missing_parameter("response_format.type"));
    if (*type == "json_object") {
      // WebLLM's shape carries a schema as a JSON string.
      Json schema = Json{{"type", "object"}};
      if (auto text = get_string(*rf, "schema", "response_format.schema")) {
        ApiResult<Json> parsed = parse_json_body(*text);  // the body's own limits
        if (!parsed) fail(ApiError::invalid_value("response_format.schema", "is not valid JSON: " + parsed.error().message));
        schema = std::move(parsed.value());
      }
      out.grammar = schema_grammar(schema, "response_format.schema", true, out);
    } else if (*type == "json_schema") {
      const Json* js = get_object(*rf, "json_schema", "response_format.json_schema");
      if (!js) fail(ApiError::missing_parameter("response_format.json_schema"));
      if (!get_string(*js, "name", "response_format.json_schema.name")) {
        fail(ApiError::missing_parameter("response_format.json_schema.name"));
      }
      const bool strict = get_bool(*js, "strict", "response_format.json_schema.strict").value_or(true);
      const Json* schema = find(*js, "schema");
      // OpenAI: no schema means any JSON value of the given name.
      out.grammar = schema_grammar(schema ? *schema : Json::object(), "response_format.json_schema.schema", strict, out);
    } else if (*type == "grammar") {
      std::optional<std::string> g = get_string(*rf, "grammar", "response_format.grammar");
      if (!g) fail(ApiError::missing_parameter("response_format.grammar"));
      out.grammar = checked_grammar(*g, "response_format.grammar");
    } else if (*type != "text") {
      fail(ApiError::invalid_value("response_format.type",
                                   "expected 'text', 'json_object', 'json_schema' or 'grammar', got '" + *type + "'."));
    }
  }
  std::optional<std::string> g = get_string(body, "grammar", "grammar");
  if (g && !g->empty()) {  // llama-server reads "" as no grammar
    if (!out.grammar.empty()) {
      fail(ApiError::invalid_value("grammar", "cannot be combined with a response_format that constrains the output."));
    }
    out.grammar = checked_grammar(*g, "grammar");
  }
  return out;
}

}  // namespace lantern::api
