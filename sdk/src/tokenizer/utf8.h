// UTF-8 helpers for the tokenizers. Two decoders on purpose:
//  - the lenient one reads text the way llama.cpp's tokenizers do, so that our
//    token ids match theirs even on malformed input (overlong forms and
//    surrogates pass, any other bad byte becomes U+FFFD on its own);
//  - the strict one (WHATWG, as a browser's TextDecoder) cleans text that
//    leaves the engine (Utf8Stream, sanitize_utf8).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lantern::utf8 {

constexpr uint32_t kReplacement = 0xFFFD;

// Bytes in the sequence a lead byte starts, from its high bits alone
// (1 for ASCII and for stray continuation bytes, 2/3/4 otherwise).
size_t sequence_length(uint8_t lead);

// Decodes the code point at `pos` and advances past it. A sequence whose
// continuation bytes are missing or wrong, a lead byte 0xF8..0xFF, or a value
// above U+10FFFF gives U+FFFD and advances by one byte. Requires pos < s.size().
uint32_t decode_lenient(std::string_view s, size_t& pos);
std::vector<uint32_t> decode_all_lenient(std::string_view s);

// Appends the UTF-8 form of cpt (surrogates are written as three bytes, like
// llama.cpp does; values above U+10FFFF are written as U+FFFD).
void append(std::string& out, uint32_t cpt);
std::string encode(uint32_t cpt);

// Strict decoding (WHATWG "maximal subpart" replacement): writes the valid
// text of `in` to `out` with U+FFFD for each invalid piece, and returns how
// many trailing bytes form a sequence that is valid so far but incomplete
// (they are not written). With at_end, such a tail becomes one U+FFFD.
size_t decode_strict(std::string_view in, std::string& out, bool at_end);

// `in` as valid UTF-8, invalid pieces replaced by U+FFFD.
std::string sanitize(std::string_view in);

}  // namespace lantern::utf8
