// In-memory byte sources: a complete file image and the growing prefix of a
// download. Both check every range against the sizes before copying.
#include "gguf/byte_source.h"

#include <cstring>
#include <stdexcept>

#include "gguf/gguf_error.h"

namespace lantern {
namespace {

// True when [offset, offset + n) fits in `limit` bytes, without overflow.
bool range_fits(uint64_t offset, uint64_t n, uint64_t limit) {
  return offset <= limit && n <= limit - offset;
}

[[noreturn]] void throw_past_end(uint64_t offset, size_t n, uint64_t size) {
  throw GgufError(GgufErrorCode::Truncated,
                  "read of " + std::to_string(n) + " bytes at offset " + std::to_string(offset) +
                      " runs past the end of the file (" + std::to_string(size) + " bytes)");
}

}  // namespace

MemorySource::MemorySource(std::vector<uint8_t> bytes)
    : owned_(std::move(bytes)), data_(owned_.data()), size_(owned_.size()) {}

MemorySource::MemorySource(const uint8_t* data, size_t size) : data_(data), size_(size) {}

void MemorySource::read(uint64_t offset, void* dst, size_t n) const {
  if (!range_fits(offset, n, size_)) throw_past_end(offset, n, size_);
  if (n) std::memcpy(dst, data_ + offset, n);
}

void PrefixSource::append(const uint8_t* data, size_t n) {
  if (n > total_ - bytes_.size()) {
    throw std::invalid_argument("PrefixSource: appending " + std::to_string(n) + " bytes to " +
                                std::to_string(bytes_.size()) + " would pass the declared size " +
                                std::to_string(total_));
  }
  bytes_.insert(bytes_.end(), data, data + n);
}

void PrefixSource::read(uint64_t offset, void* dst, size_t n) const {
  if (!range_fits(offset, n, total_)) throw_past_end(offset, n, total_);
  if (!range_fits(offset, n, bytes_.size())) {
    const uint64_t needed = offset + n;
    throw GgufError(GgufErrorCode::NeedMoreData,
                    "need the first " + std::to_string(needed) + " bytes of the file, have " +
                        std::to_string(bytes_.size()),
                    needed);
  }
  if (n) std::memcpy(dst, bytes_.data() + offset, n);
}

}  // namespace lantern
