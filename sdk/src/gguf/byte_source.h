// Random-access bytes a GGUF file is read from: a whole buffer in memory, a
// memory-mapped file (native only, file_source_native.cpp), or the prefix of a
// download that the browser feeds chunk by chunk.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lantern {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Total size of the file, also for a partly arrived download.
  virtual uint64_t size() const = 0;
  // Copies n bytes at offset into dst. Throws GgufError(Truncated) past size(),
  // GgufError(NeedMoreData) for bytes of a download that have not arrived yet.
  virtual void read(uint64_t offset, void* dst, size_t n) const = 0;
  // The whole file as one contiguous block when it is in memory, else nullptr.
  virtual const uint8_t* data() const { return nullptr; }
  // n bytes at offset as one contiguous block when they are in memory (a
  // weight used in place), else nullptr.
  virtual const uint8_t* data_at(uint64_t offset, uint64_t n) const {
    const uint8_t* d = data();
    return d && offset <= size() && n <= size() - offset ? d + offset : nullptr;
  }
  // Throws GgufError(Io) when the bytes behind data() can no longer be
  // trusted: a mapped file that shrank after it was opened (its pages past
  // the new end read as zeros instead of raising SIGBUS). No-op elsewhere.
  virtual void check_intact() const {}
};

// Owns (or borrows) a complete file image.
class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::vector<uint8_t> bytes);
  MemorySource(const uint8_t* data, size_t size);  // borrowed, caller keeps it alive
  uint64_t size() const override { return size_; }
  void read(uint64_t offset, void* dst, size_t n) const override;
  const uint8_t* data() const override { return data_; }

 private:
  std::vector<uint8_t> owned_;
  const uint8_t* data_;
  size_t size_;
};

// The first bytes of a file whose total size is known (Content-Length): the
// browser appends chunks in order and retries the parse on NeedMoreData.
// GgufError::bytes_needed() is a lower bound on the prefix the parse needs
// (whole arrays, at least 8 bytes per string still to come), never past the
// tensor table; appending at least that much, or whole network chunks, keeps
// retries few. Tensor data is never read by the parser.
class PrefixSource : public ByteSource {
 public:
  explicit PrefixSource(uint64_t total_size) : total_(total_size) {}
  void append(const uint8_t* data, size_t n);
  uint64_t available() const { return bytes_.size(); }
  uint64_t size() const override { return total_; }
  void read(uint64_t offset, void* dst, size_t n) const override;

 private:
  uint64_t total_;
  std::vector<uint8_t> bytes_;
};

// Memory-maps a file read-only (native builds only). Throws GgufError(Io),
// naming the path, when it cannot be opened or is not a regular file (a FIFO
// is refused without waiting for a writer).
std::unique_ptr<ByteSource> open_file_source(const std::string& path);

}  // namespace lantern
