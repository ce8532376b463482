#include "tokenizer/text_index.h"

#include <functional>

namespace lantern {

namespace {
uint32_t tag_of(size_t hash) { return static_cast<uint32_t>(static_cast<uint64_t>(hash) >> 32) | 1u; }
}  // namespace

void TextIndex::build(const std::vector<std::string>& texts, int32_t* first_duplicate) {
  texts_ = &texts;
  size_t capacity = 16;
  while (capacity < texts.size() * 2) capacity *= 2;  // load factor <= 0.5
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  if (first_duplicate) *first_duplicate = -1;
  const std::hash<std::string_view> hash;
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::string_view text = texts[i];
    const size_t h = hash(text);
    const uint32_t tag = tag_of(h);
    for (size_t s = h & mask_;; s = (s + 1) & mask_) {
      Slot& slot = slots_[s];
      if (slot.index < 0) {
        slot = Slot{static_cast<int32_t>(i), tag};
        break;
      }
      if (slot.tag == tag && texts[slot.index] == text) {
        if (first_duplicate && *first_duplicate < 0) *first_duplicate = static_cast<int32_t>(i);
        break;
      }
    }
  }
}

int32_t TextIndex::find(std::string_view text) const {
  if (slots_.empty()) return -1;
  const size_t h = std::hash<std::string_view>()(text);
  const uint32_t tag = tag_of(h);
  for (size_t s = h & mask_;; s = (s + 1) & mask_) {
    const Slot& slot = slots_[s];
    if (slot.index < 0) return -1;
    if (slot.tag == tag && (*texts_)[slot.index] == text) return slot.index;
  }
}

}  // namespace lantern
