#include "tokenizer/byte_unicode.h"

#include <array>

#include "tokenizer/utf8.h"

namespace lantern::byte_unicode {

namespace {

struct Tables {
  std::array<std::string, 256> utf8;
  std::array<int16_t, 0x200> byte_of;  // stand-ins are all below U+0200
};

bool stands_for_itself(int b) {
  return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

const Tables& tables() {
  static const Tables t = [] {
    Tables t;
    t.byte_of.fill(-1);
    uint32_t next_extra = 0x100;
    for (int b = 0; b < 256; ++b) {
      const uint32_t cpt = stands_for_itself(b) ? static_cast<uint32_t>(b) : next_extra++;
      t.utf8[b] = utf8::encode(cpt);
      t.byte_of[cpt] = static_cast<int16_t>(b);
    }
    return t;
  }();
  return t;
}

}  // namespace

const std::string& byte_to_utf8(uint8_t b) { return tables().utf8[b]; }

int codepoint_to_byte(uint32_t cpt) {
  return cpt < tables().byte_of.size() ? tables().byte_of[cpt] : -1;
}

}  // namespace lantern::byte_unicode
