// A read-only memory map of a whole file (native builds): parsing touches only
// the header pages, and tensor data is paged in when a backend copies it.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gguf/byte_source.h"
#include "gguf/gguf_error.h"

namespace lantern {
namespace {

class MappedFileSource : public ByteSource {
 public:
  MappedFileSource(void* base, size_t size) : base_(base), mem_(static_cast<const uint8_t*>(base), size) {}
  ~MappedFileSource() override { munmap(base_, mem_.size()); }
  MappedFileSource(const MappedFileSource&) = delete;
  MappedFileSource& operator=(const MappedFileSource&) = delete;

  uint64_t size() const override { return mem_.size(); }
  void read(uint64_t offset, void* dst, size_t n) const override { mem_.read(offset, dst, n); }
  const uint8_t* data() const override { return mem_.data(); }

 private:
  void* base_;
  MemorySource mem_;  // borrowed view over the mapping
};

[[noreturn]] void throw_io(const std::string& what, const std::string& path, int err) {
  throw GgufError(GgufErrorCode::Io, what + " '" + path + "': " + std::strerror(err));
}

}  // namespace

std::unique_ptr<ByteSource> open_file_source(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_io("cannot open", path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    throw_io("cannot stat", path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw GgufError(GgufErrorCode::Io, "cannot map '" + path + "': not a regular file");
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {  // mmap refuses empty ranges; an empty file is still a (truncated) source
    ::close(fd);
    return std::make_unique<MemorySource>(std::vector<uint8_t>{});
  }
  void* base = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  ::close(fd);  // the mapping keeps the file alive
  if (base == MAP_FAILED) throw_io("cannot mmap", path, err);
  return std::make_unique<MappedFileSource>(base, size);
}

}  // namespace lantern
