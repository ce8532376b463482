#include "tokenizer/utf8.h"

#include "tokenizer/tokenizer.h"

namespace lantern::utf8 {

size_t sequence_length(uint8_t lead) {
  static constexpr uint8_t kByHighNibble[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kByHighNibble[lead >> 4];
}

static bool is_continuation(uint8_t b) { return (b & 0xC0) == 0x80; }

uint32_t decode_lenient(std::string_view s, size_t& pos) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(s[pos + i]); };
  const uint8_t b0 = byte(0);
  const size_t left = s.size() - pos;
  if (b0 < 0x80) {
    pos += 1;
    return b0;
  }
  uint32_t cpt = 0;
  size_t len = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cpt = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cpt = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cpt = b0 & 0x07;
  }
  // A stray continuation byte or 0xF8..0xFF (len == 0), or a cut sequence.
  bool ok = len != 0 && len <= left;
  for (size_t i = 1; ok && i < len; ++i) {
    ok = is_continuation(byte(i));
    cpt = (cpt << 6) | (byte(i) & 0x3F);
  }
  if (!ok || cpt > 0x10FFFF) {
    pos += 1;
    return kReplacement;
  }
  pos += len;
  return cpt;
}

std::vector<uint32_t> decode_all_lenient(std::string_view s) {
  std::vector<uint32_t> cpts;
  cpts.reserve(s.size());
  size_t pos = 0;
  while (pos < s.size()) cpts.push_back(decode_lenient(s, pos));
  return cpts;
}

void append(std::string& out, uint32_t cpt) {
  if (cpt > 0x10FFFF) cpt = kReplacement;
  if (cpt < 0x80) {
    out.push_back(static_cast<char>(cpt));
  } else if (cpt < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cpt >> 6)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else if (cpt < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cpt >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cpt >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  }
}

std::string encode(uint32_t cpt) {
  std::string s;
  append(s, cpt);
  return s;
}

size_t decode_strict(std::string_view in, std::string& out, bool at_end) {
  static const std::string kFffd = encode(kReplacement);
  out.reserve(out.size() + in.size());
  size_t i = 0;
  while (i < in.size()) {
    const uint8_t b0 = static_cast<uint8_t>(in[i]);
    if (b0 < 0x80) {
      out.push_back(static_cast<char>(b0));
      ++i;
      continue;
    }
    // Expected length and the allowed range of the second byte, which rules
    // out overlong forms, surrogates and values above U+10FFFF.
    size_t need = 0;
    uint8_t lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      need = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      need = 3;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      need = 4;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    }
    if (need == 0) {
      out += kFffd;
      ++i;
      continue;
    }
    size_t got = 1;
    while (got < need && i + got < in.size()) {
      const uint8_t b = static_cast<uint8_t>(in[i + got]);
      const bool fits = got == 1 ? (b >= lo && b <= hi) : is_continuation(b);
      if (!fits) break;
      ++got;
    }
    if (got == need) {
      out.append(in.data() + i, need);
      i += need;
    } else if (i + got == in.size() && !at_end) {
      return got;  // valid so far, the rest may come with the next piece
    } else {
      out += kFffd;  // the maximal valid prefix is replaced as one character
      i += got;
    }
  }
  return 0;
}

std::string sanitize(std::string_view in) {
  std::string out;
  decode_strict(in, out, /*at_end=*/true);
  return out;
}

}  // namespace lantern::utf8

namespace lantern {

std::string Utf8Stream::push(std::string_view bytes) {
  held_.append(bytes.data(), bytes.size());
  std::string out;
  const size_t tail = utf8::decode_strict(held_, out, /*at_end=*/false);
  held_.erase(0, held_.size() - tail);
  return out;
}

std::string Utf8Stream::flush() {
  std::string out;
  utf8::decode_strict(held_, out, /*at_end=*/true);
  held_.clear();
  return out;
}

}  // namespace lantern
