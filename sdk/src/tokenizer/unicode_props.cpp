#include "tokenizer/unicode_props.h"

#include <algorithm>
#include <array>

#include "tokenizer/unicode_tables.h"

namespace lantern::unicode {

bool is_whitespace(uint32_t cpt) {
  // Unicode's White_Space property (PropList.txt), the set \s matches.
  if (cpt >= 0x09 && cpt <= 0x0D) return true;
  if (cpt >= 0x2000 && cpt <= 0x200A) return true;
  switch (cpt) {
    case 0x20: case 0x85: case 0xA0: case 0x1680: case 0x2028:
    case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return false;
  }
}

static uint16_t category_of(uint32_t cpt) {
  if (cpt >= 0x110000) return CodepointFlags::Undefined;
  const CategoryRun* begin = kCategoryRuns;
  const CategoryRun* end = kCategoryRuns + kCategoryRunCount;
  const CategoryRun* it = std::upper_bound(
      begin, end, cpt, [](uint32_t c, const CategoryRun& r) { return c < r.start; });
  return (it - 1)->flags;  // the first run starts at 0, so it > begin
}

static uint16_t flags_uncached(uint32_t cpt) {
  return category_of(cpt) | (is_whitespace(cpt) ? CodepointFlags::Whitespace : 0);
}

CodepointFlags flags_of(uint32_t cpt) {
  // Most text is ASCII or Latin: answer those from a table, the rest by search.
  static const std::array<uint16_t, 0x800> kLow = [] {
    std::array<uint16_t, 0x800> t{};
    for (uint32_t c = 0; c < t.size(); ++c) t[c] = flags_uncached(c);
    return t;
  }();
  if (cpt < kLow.size()) return CodepointFlags{kLow[cpt]};
  return CodepointFlags{flags_uncached(cpt)};
}

}  // namespace lantern::unicode
