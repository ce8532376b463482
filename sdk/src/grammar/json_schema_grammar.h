// JSON Schema to GBNF (gbnf_parser.h): `root` matches JSON texts that are
// valid under the schema (never one that is not), and every prefix it
// accepts can be completed (rules that match nothing are pruned).
//
// What the texts look like:
// - No whitespace before or after the value. Between tokens (after `{` `[`
//   `,` `:`, before `}` `]`) at most one `ws`: nothing, one space, or a
//   newline and up to 20 spaces or tabs. Bounded, so that a model that
//   keeps choosing whitespace still has to end the value.
// - Numbers: at most 20 integer digits, 20 fraction digits and 3 exponent
//   digits. A number with minimum/maximum that may have a fraction is
//   written without an exponent in at most 9 + 6 digits (at most 15
//   significant digits: read as a double, as most validators do, or as an
//   exact decimal, it compares the same with the bound).
// - Object properties appear in the schema's `properties` order: a required
//   one always, an optional one or not, then required names not listed in
//   `properties`, then (where allowed) additional properties with names
//   other than the listed ones.
// - Strings: any code point, escapes included (a surrogate pair escape is
//   one character for minLength/maxLength). `pattern` and `format` strings
//   are written without \u escapes except for control characters.
// - enum/const values are written compactly, numbers with an integral value
//   without a fraction (1.0 as 1), keys in the order the schema gives.
//
// Semantics are JSON Schema 2020-12 (siblings of `$ref` apply), or draft 7
// and older when the root's `$schema` names one (siblings of `$ref` are
// ignored there). Supported keywords:
// - type (a name or an array of names), enum, const (values the other
//   keywords rule out are dropped; enum/const beside pattern, format or
//   object/array shape keywords is refused);
// - properties, required, additionalProperties (false, true, a schema),
//   minProperties / maxProperties where the shape settles them (at most the
//   required count or 1; at least every name that can be written);
// - items (a schema; or an array with additionalItems, draft 7's tuples),
//   prefixItems, minItems, maxItems;
// - minLength, maxLength (code points), pattern (regex_grammar.h; not
//   anchored unless ^/$ say so), format: date, time, date-time (RFC 3339,
//   no leap second), uuid, email (dot-atom @ hostname), ipv4. Lengths beside
//   a pattern or format are kept where every text fits them or, for
//   "^...$" with one repeated class, narrow that repetition; else refused;
// - minimum, maximum, exclusiveMinimum, exclusiveMaximum (numbers; exact
//   digit-range grammars for integers and decimals);
// - allOf (merged keyword by keyword: types intersect, bounds tighten,
//   properties merge with each part's additionalProperties applied to the
//   other parts' names, items merge index by index; two different patterns
//   or formats are refused), anyOf (spread over the rest of the schema),
//   oneOf (as anyOf when no value can match two branches, which is checked
//   from types, enum/const, ranges, lengths, counts and required names with
//   exclusive values; otherwise refused);
// - $ref to "#..." JSON pointers (as rules, so recursion works; merged in
//   place only where siblings or allOf need it), $defs, definitions;
// - annotations, ignored: title, description, examples, default,
//   deprecated, readOnly, writeOnly, $schema, $id (root only), $comment,
//   $anchor; uniqueItems: false (no constraint).
// Anything else is a GrammarError naming the keyword and the JSON pointer of
// the schema holding it, e.g. "unsupported keyword 'uniqueItems' at
// /properties/tags"; type-specific ones (uniqueItems, multipleOf,
// patternProperties, ...) only where the schema allows that type. With
// strict = false such a keyword is dropped and reported as a warning (the
// grammar then allows more than the schema). Malformed schemas (a negative
// minLength, properties that is not an object, ...) are errors either way.
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
  // Bounds (the schema is untrusted; each is a GrammarError past it):
  // - max_source_bytes: the schema's JSON as dump() would write it (counted
  //   without recursion, stopping at the limit), and the GBNF text;
  // - max_nesting: the schema's containers (checked first, iteratively, so
  //   nothing recurses deeper), allOf / $ref-with-siblings merged in place,
  //   anyOf / oneOf spread in one schema, hops of a $ref chain, groups in a
  //   pattern;
  // - max_rules: rules written (a $ref is one rule however often used);
  // - max_repeat: minItems / maxItems / minLength / maxLength and counts in
  //   patterns, refused beyond, never expanded;
  // - max_rules and max_elements again after repetitions expand: the text
  //   is parsed here with these limits before it is returned.
  // Integer ranges take bounds within +-(10^20 - 1) (beyond: no bound on
  // that side, or nothing); decimal ranges within 10^9.
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
// `warnings` (if given) receives what strict = false dropped. Matching cost
// is the matcher's: an object with thousands of optional properties keeps
// that many candidate names alive after each comma (MatcherLimits).
// Conversion time is linear in the schema plus the grammar written, within
// max_work.
std::string json_schema_to_gbnf(const nlohmann::ordered_json& schema, const JsonSchemaOptions& opts = {},
                                std::vector<std::string>* warnings = nullptr);

}  // namespace lantern::grammar
