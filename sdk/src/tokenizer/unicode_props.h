// Unicode properties the pre-tokenizer splitters need: the general category
// group (\p{L}, \p{N}, ...) and \s, for any code point.
#pragma once
#include <cstdint>

namespace lantern::unicode {

struct CodepointFlags {
  enum : uint16_t {
    Undefined = 0x01,    // unassigned (Cn), and values past U+10FFFF
    Number = 0x02,       // \p{N}
    Letter = 0x04,       // \p{L}
    Separator = 0x08,    // \p{Z}
    Mark = 0x10,         // \p{M}
    Punctuation = 0x20,  // \p{P}
    Symbol = 0x40,       // \p{S}
    Control = 0x80,      // \p{C}
    CategoryMask = 0xFF,
    Whitespace = 0x100,  // \s (Unicode White_Space)
  };
  uint16_t bits = 0;  // 0 only for "no code point" (outside the text)

  bool any() const { return bits != 0; }
  bool is_number() const { return bits & Number; }
  bool is_letter() const { return bits & Letter; }
  bool is_mark() const { return bits & Mark; }
  bool is_punctuation() const { return bits & Punctuation; }
  bool is_whitespace() const { return bits & Whitespace; }
  uint16_t category() const { return bits & CategoryMask; }
};

CodepointFlags flags_of(uint32_t cpt);
bool is_whitespace(uint32_t cpt);

}  // namespace lantern::unicode
