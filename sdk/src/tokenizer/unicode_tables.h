// The generated Unicode category table (unicode_tables.cpp, written by
// gen_unicode_tables.py). Use unicode_props.h to query it.
#pragma once
#include <cstddef>
#include <cstdint>

namespace lantern::unicode {

// Code points from `start` up to the next run's start share `flags` (one of
// the category bits in CodepointFlags).
struct CategoryRun {
  uint32_t start;
  uint8_t flags;
};

extern const CategoryRun kCategoryRuns[];
extern const size_t kCategoryRunCount;

}  // namespace lantern::unicode
