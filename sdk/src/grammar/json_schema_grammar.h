// JSON Schema to GBNF (gbnf_parser.h): `root` matches JSON texts that are
// valid under the schema, and every prefix it accepts can be completed.
//
// What the texts look like:
// - No whitespace before or after the value. Between tokens (after `{` `[`
//   `,` `:`, before `}` `]`) at most one `ws`: nothing, one space, or a
//   newline and up to 20 spaces or tabs. Bounded, so that a model that
//   keeps choosing whitespace still has to end the value.
// - Numbers: at most 20 integer digits, 20 fraction digits and 3 exponent
//   digits (again bounded for models; every such text is valid JSON).
// - Object properties appear in the schema's `properties` order: a required
//   one always, an optional one or not, then required names not listed in
//   `properties`, then (where allowed) additional properties with names
//   other than the listed ones. The texts are a subset of what the schema
//   allows; none outside it.
// - Strings: any code point, escapes included (a surrogate pair escape is
//   one character for minLength/maxLength). `pattern` and `format` strings
//   are written without \u escapes except for control characters.
// - enum/const values are written compactly, numbers with an integral value
//   without a fraction (1.0 as 1).
//
// Semantics are JSON Schema 2020-12 (siblings of `$ref` apply), or draft 7
// and older when the root's `$schema` names one (siblings of `$ref` are
// ignored there). Supported keywords: type (names and arrays of them),
// enum, const, properties, required, additionalProperties, items (a schema,
// or an array as in draft 7 with additionalItems), prefixItems, minItems,
// maxItems, minLength, maxLength, pattern (regex_grammar.h), format (date,
// time, date-time, uuid, email, ipv4), minimum / maximum /
// exclusiveMinimum / exclusiveMaximum on integers (and on numbers whose type
// allows no fraction), allOf (merged keyword by keyword), anyOf, oneOf
// (as anyOf when its branches cannot match the same value, which is
// checked; otherwise refused), $ref to "#" JSON pointers (as rules, so
// recursion works), $defs / definitions, and the annotations title,
// description, examples, default, deprecated, readOnly, writeOnly, $schema,
// $id (at the root), $comment, $anchor. Anything else is a GrammarError
// naming the keyword and the JSON pointer of the schema holding it, e.g.
// "unsupported keyword 'uniqueItems' at /properties/tags"; with
// strict = false it is dropped and reported as a warning instead (the
// grammar then allows more than the schema).
//
// additionalProperties: an object schema that lists `properties` and does
// not say otherwise gets no additional properties when strict (as OpenAI's
// strict mode requires additionalProperties: false), any when not strict
// (JSON Schema's default, as llama.cpp does); `additional_properties`
// overrides both. An object schema without `properties` allows any.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "grammar/grammar.h"

namespace lantern::grammar {

struct JsonSchemaOptions {
  bool strict = true;  // false: unsupported keywords become warnings
  // Whether objects that list properties and leave additionalProperties
  // unsaid may have more; unset: !strict.
  std::optional<bool> additional_properties;
  // Bounds (docs/reliability.md): the schema's JSON is at most
  // max_source_bytes (as dump() would write it) and nests at most
  // max_nesting containers deep; at most max_rules rules come out, and the
  // text at most max_source_bytes, so parse_gbnf takes it with the same
  // limits; minItems / maxItems / minLength / maxLength (and the counts in
  // patterns) over max_repeat are refused, never expanded.
  GrammarLimits limits;
  // Schema keywords visited (merging allOf / $ref siblings, spreading anyOf
  // over the rest of a schema) plus grammar expression parts built: the
  // products of anyOf alternatives grow exponentially, so conversion stops
  // (a GrammarError) past this many steps.
  size_t max_work = 1u << 21;
};

// Throws GrammarError (unsupported or malformed schema, a bound passed, a
// schema no JSON value satisfies, or one whose grammar parse_gbnf would
// refuse with opts.limits: the text returned always parses with them).
// `warnings` (if given) receives what strict = false dropped.
std::string json_schema_to_gbnf(const nlohmann::ordered_json& schema, const JsonSchemaOptions& opts = {},
                                std::vector<std::string>* warnings = nullptr);

}  // namespace lantern::grammar
