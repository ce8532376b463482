// Code-point ranges as UTF-8 byte-range sequences: the byte-level form of a
// character class (so "[^\"\\\\]" becomes ASCII bytes plus a few 2-4 byte
// sequences). Surrogates (U+D800..U+DFFF) are never produced: they are not
// valid UTF-8.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lantern::grammar {

struct CodeRange {
  uint32_t lo, hi;  // inclusive
};
using ByteRangeSeq = std::vector<std::pair<uint8_t, uint8_t>>;  // one (lo, hi) per byte

inline constexpr uint32_t kMaxCodePoint = 0x10FFFF;

// Sorted, merged, surrogate-free; `negate` complements over U+0000..U+10FFFF.
std::vector<CodeRange> normalize_ranges(std::vector<CodeRange> ranges, bool negate);
// The byte-range sequences whose union is exactly the UTF-8 encodings of `r`.
std::vector<ByteRangeSeq> utf8_sequences(CodeRange r);
// Appends the UTF-8 encoding of a code point.
void append_utf8(std::string& out, uint32_t cp);

}  // namespace lantern::grammar
