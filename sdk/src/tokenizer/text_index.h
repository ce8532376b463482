// Finds a string's position in a list of strings the caller keeps alive (the
// vocabulary's token texts, its merge rules). Open addressing over indices:
// no allocation per entry, so a 150K-token vocabulary indexes in a few ms, and
// lookups take a string_view without building a std::string.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lantern {

class TextIndex {
 public:
  // Indexes texts[i] -> i. For repeated texts the first index is kept and
  // `first_duplicate` (when given) receives the first later index that
  // repeated one, or -1.
  void build(const std::vector<std::string>& texts, int32_t* first_duplicate = nullptr);
  // The index of `text` in the list given to build(), or -1.
  int32_t find(std::string_view text) const;

 private:
  struct Slot {
    int32_t index = -1;  // -1: empty
    uint32_t tag = 0;    // high hash bits: most mismatches never touch the text
  };
  const std::vector<std::string>* texts_ = nullptr;
  std::vector<Slot> slots_;  // size is a power of two
  size_t mask_ = 0;
};

}  // namespace lantern
