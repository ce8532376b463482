// What the output must look like, from a request body: response_format in
// each shape our users send (OpenAI's json_object and json_schema, WebLLM's
// json_object with a `schema` string and its `grammar` type) and a
// top-level `grammar` (llama-server's GBNF). All become one GBNF text
// (SamplingParams::grammar), checked here so a bad schema or grammar is a
// 400 naming the field, never a failure mid-generation.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lantern::api {

struct OutputFormat {
  std::string grammar;                // GBNF; empty: free text
  std::vector<std::string> warnings;  // keywords a `strict: false` schema let through unenforced
};

// Throws ApiException (request_fields.h) naming the field.
OutputFormat read_output_format(const nlohmann::ordered_json& body);

}  // namespace lantern::api
