// String helpers with Python semantics, as the Jinja templates in model files
// expect them (they were written against Python's jinja2). Strings are UTF-8
// bytes; lengths, indices and slices count code points like Python's str.
// Case mapping is one-to-one for the common alphabets (see to_upper_cp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/jinja_budget.h"

namespace lantern::jinja {

// Byte offsets of each code point start, plus s.size() at the end. Bytes that
// are not valid UTF-8 count as one code point each (never throws).
std::vector<size_t> utf8_offsets(std::string_view s);
size_t utf8_length(std::string_view s);
// Length of the UTF-8 sequence starting at s[i], or 1 for an invalid byte.
size_t utf8_seq_len(std::string_view s, size_t i);
bool is_ascii(std::string_view s);

// Python slice index normalisation: resolves negative/omitted start, stop,
// step against `len` and returns the selected indices in order. step must be
// nonzero (the caller reports step 0 as an error).
std::vector<int64_t> slice_indices(int64_t len, std::optional<int64_t> start,
                                   std::optional<int64_t> stop, int64_t step);
// The same without building the list: `count` indices first + j * step.
struct SliceRange {
  int64_t first;
  int64_t count;
  int64_t step;
  int64_t at(int64_t j) const { return first + j * step; }
};
SliceRange slice_range(int64_t len, std::optional<int64_t> start, std::optional<int64_t> stop, int64_t step);
// The byte offset and length of code point k (false when k >= its length).
bool utf8_nth(std::string_view s, size_t k, size_t& offset, size_t& length);

bool is_py_space(unsigned char c);
std::string py_strip(std::string_view s, const std::string* chars, bool left, bool right);
// Searches and the parts made are charged to `b`.
std::vector<std::string> py_split(std::string_view s, const std::string* sep, int64_t maxsplit, Budget& b);
// Case mapping covers ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic
// (one-to-one mappings; Python's few one-to-many ones such as ß -> SS and the
// word-final sigma rule are not).
uint32_t to_upper_cp(uint32_t cp);
uint32_t to_lower_cp(uint32_t cp);
std::string py_upper(std::string_view s);
std::string py_lower(std::string_view s);
std::string py_capitalize(std::string_view s);   // first upper, rest lower
std::string py_title(std::string_view s);        // str.title(): each letter run capitalised
std::string jinja_title(std::string_view s);     // |title filter: words split at space and -([{<
// Replaces up to `count` occurrences (count < 0: all), charging the searches
// and the bytes made to `b`. Returns nullopt if the result would exceed
// b.max_value_bytes().
std::optional<std::string> py_replace(std::string_view s, std::string_view old_s,
                                      std::string_view new_s, int64_t count, Budget& b);
bool starts_with(std::string_view s, std::string_view p);
bool ends_with(std::string_view s, std::string_view p);

// Python's repr(float) / str(float): shortest round-trip digits, "1.0", "1e+16".
std::string py_float_repr(double d);
// Python's repr(str): single quotes unless the text has ' and no ".
std::string py_string_repr(std::string_view s);
// A JSON string literal as Python's json.dumps(ensure_ascii=False) writes it.
void append_json_string(std::string& out, std::string_view s);

// Decodes Python string-literal escapes (\n \t \\ \' \" \xHH \uHHHH \UHHHHHHHH,
// octal); an unknown escape keeps its backslash as Python does.
std::string decode_py_escapes(std::string_view body);
void append_utf8(std::string& out, uint32_t cp);

}  // namespace lantern::jinja
