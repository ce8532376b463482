// A read-only memory map of a whole file (native builds): parsing touches only
// the header pages, and tensor data is paged in when a backend copies it.
//
// A file that shrinks while it is mapped (truncated, or rewritten in place by
// another process) would otherwise kill the process: touching a mapped page
// that now lies past the end of the file raises SIGBUS, and the CPU backend
// reads the mapping in place on every forward pass, from its worker threads,
// so no single read can be guarded. The design, the simplest that keeps the
// zero-copy mapping and cannot crash:
//   - every live mapping is listed in a fixed table of lock-free slots;
//   - a SIGBUS handler (installed once, chaining to the previous one for any
//     other address) maps anonymous zero pages over the mapping from the
//     faulting page to its end and marks the mapping as shrunk, so the read
//     that faulted, and every later one, sees zeros instead of dying;
//   - check_intact() throws GgufError(Io) naming the path when the mapping was
//     marked or the file is now shorter than the mapping (fstat on the kept
//     descriptor). The engine calls it after loading and before each
//     generation step uses a pass's results, so what was computed from zeros
//     is never returned: the request fails with that error instead.
// mmap() in a signal handler is a plain system call on Linux; nothing else the
// handler does allocates or locks.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>

#include "gguf/byte_source.h"
#include "gguf/gguf_error.h"

namespace lantern {
namespace {

constexpr uintptr_t kFree = 0, kClaimed = 1;  // MappingSlot::base values that are no mapping
struct MappingSlot {
  std::atomic<uintptr_t> base{kFree};  // set last, once size and shrunk are
  std::atomic<size_t> size{0};
  std::atomic<bool> shrunk{false};
};
constexpr size_t kMaxMappings = 256;
std::array<MappingSlot, kMaxMappings> g_mappings;
struct sigaction g_previous_sigbus {};
uintptr_t g_page_size = 4096;
std::once_flag g_handler_once;

void on_sigbus(int sig, siginfo_t* info, void* ucontext) {
  const int saved_errno = errno;  // the interrupted code may be about to read it
  const auto addr = reinterpret_cast<uintptr_t>(info ? info->si_addr : nullptr);
  for (MappingSlot& s : g_mappings) {
    const uintptr_t base = s.base.load(std::memory_order_acquire);
    const size_t size = s.size.load(std::memory_order_acquire);
    if (base <= kClaimed || addr < base || addr - base >= size) continue;
    const uintptr_t page = addr & ~(g_page_size - 1);
    void* got = mmap(reinterpret_cast<void*>(page), base + size - page, PROT_READ,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (got != MAP_FAILED) {
      s.shrunk.store(true, std::memory_order_release);
      errno = saved_errno;
      return;  // the faulting read runs again and reads zeros
    }
    break;
  }
  // Not ours (or the zero pages could not be mapped): what would have happened
  // without this handler.
  if (g_previous_sigbus.sa_flags & SA_SIGINFO) {
    g_previous_sigbus.sa_sigaction(sig, info, ucontext);
  } else if (g_previous_sigbus.sa_handler != SIG_DFL && g_previous_sigbus.sa_handler != SIG_IGN) {
    g_previous_sigbus.sa_handler(sig);
  } else {
    signal(SIGBUS, SIG_DFL);  // the read faults again and the default action ends the process
  }
}

void install_sigbus_handler() {
  std::call_once(g_handler_once, [] {
    g_page_size = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    struct sigaction sa {};
    sa.sa_sigaction = &on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &g_previous_sigbus);
  });
}

MappingSlot* register_mapping(void* base, size_t size) {
  install_sigbus_handler();
  for (MappingSlot& s : g_mappings) {
    uintptr_t expected = kFree;
    if (!s.base.compare_exchange_strong(expected, kClaimed, std::memory_order_acq_rel)) continue;
    s.size.store(size, std::memory_order_release);
    s.shrunk.store(false, std::memory_order_release);
    s.base.store(reinterpret_cast<uintptr_t>(base), std::memory_order_release);
    return &s;
  }
  return nullptr;  // table full: this mapping is unguarded, check_intact() still stats the file
}

[[noreturn]] void throw_io(const std::string& what, const std::string& path, int err) {
  throw GgufError(GgufErrorCode::Io, what + " '" + path + "': " + std::strerror(err));
}

class MappedFileSource : public ByteSource {
 public:
  MappedFileSource(std::string path, int fd, void* base, size_t size)
      : path_(std::move(path)), fd_(fd), base_(base), mem_(static_cast<const uint8_t*>(base), size),
        slot_(register_mapping(base, size)) {}
  ~MappedFileSource() override {
    if (slot_) slot_->base.store(kFree, std::memory_order_release);
    munmap(base_, mem_.size());
    ::close(fd_);
  }
  MappedFileSource(const MappedFileSource&) = delete;
  MappedFileSource& operator=(const MappedFileSource&) = delete;

  uint64_t size() const override { return mem_.size(); }
  void read(uint64_t offset, void* dst, size_t n) const override { mem_.read(offset, dst, n); }
  const uint8_t* data() const override { return mem_.data(); }

  void check_intact() const override {
    struct stat st {};
    const bool shrunk_read = slot_ && slot_->shrunk.load(std::memory_order_acquire);
    const bool stat_ok = ::fstat(fd_, &st) == 0;
    if (!shrunk_read && stat_ok && static_cast<uint64_t>(st.st_size) >= mem_.size()) return;
    throw GgufError(GgufErrorCode::Io,
                    "the model file '" + path_ + "' shrank while in use: it was " + std::to_string(mem_.size()) +
                        " bytes when opened" +
                        (stat_ok ? ", it is " + std::to_string(st.st_size) + " bytes now" : std::string()) +
                        (shrunk_read ? "; bytes past its new end were read as zeros, so results computed "
                                       "from them are discarded"
                                     : std::string()));
  }

 private:
  std::string path_;
  int fd_;  // kept open for check_intact()'s fstat
  void* base_;
  MemorySource mem_;  // borrowed view over the mapping
  MappingSlot* slot_;
};

const char* file_kind(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

std::unique_ptr<ByteSource> open_file_source(const std::string& path) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer
  // forever. It changes nothing for the regular files accepted below, whose
  // reads go through the mapping anyway.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) throw_io("cannot open", path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    throw_io("cannot stat", path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw GgufError(GgufErrorCode::Io, "cannot read the model '" + path + "': it is " + file_kind(st.st_mode) +
                                           ", not a regular file");
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {  // mmap refuses empty ranges; an empty file is still a (truncated) source
    ::close(fd);
    return std::make_unique<MemorySource>(std::vector<uint8_t>{});
  }
  void* base = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (base == MAP_FAILED) {
    const int err = errno;
    ::close(fd);
    throw_io("cannot mmap", path, err);
  }
  return std::make_unique<MappedFileSource>(path, fd, base, size);
}

}  // namespace lantern
