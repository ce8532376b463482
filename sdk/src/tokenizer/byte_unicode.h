// GPT-2's byte-level alphabet: every byte 0..255 has a printable stand-in
// code point, so byte-level BPE vocabularies are plain text ("Ġ" is a space).
// Printable Latin-1 bytes stand for themselves; the other 68 take U+0100 on.
#pragma once
#include <cstdint>
#include <string>

namespace lantern::byte_unicode {

// The UTF-8 text of the stand-in for byte b.
const std::string& byte_to_utf8(uint8_t b);
// The byte a stand-in code point means, or -1 when cpt is none of them.
int codepoint_to_byte(uint32_t cpt);

}  // namespace lantern::byte_unicode
