#include "browser/stderr_collector.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace lantern::rig {

StderrCollector::StderrCollector(int fd, std::size_t max_tail_bytes)
    : fd_(fd), max_tail_(max_tail_bytes == 0 ? 1 : max_tail_bytes) {
  thread_ = std::thread([this] { run(); });
}

StderrCollector::~StderrCollector() { stop(); }

void StderrCollector::stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

void StderrCollector::run() {
  char buf[16384];
  for (;;) {
    pollfd pfd{fd_, POLLIN, 0};
    // After stop() we still drain whatever is already buffered (timeout 0).
    int r = ::poll(&pfd, 1, stop_.load() ? 0 : 50);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (r == 0) {
      if (stop_.load()) break;
      continue;
    }
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      break;
    }
    if (n == 0) {  // every writer closed the pipe: the process group is gone
      eof_.store(true);
      break;
    }
    append(buf, static_cast<std::size_t>(n));
  }
}

void StderrCollector::append(const char* data, std::size_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  total_ += n;
  tail_.append(data, n);
  if (tail_.size() > max_tail_) {
    std::size_t cut = tail_.size() - max_tail_;
    auto nl = tail_.find('\n', cut);
    if (nl != std::string::npos && nl + 1 < tail_.size()) cut = nl + 1;
    tail_.erase(0, cut);
    truncated_ = true;
  }
  if (!endpoint_) {
    line_scan_.append(data, n);
    endpoint_ = parse_devtools_listening_line(line_scan_);
    if (endpoint_) {
      line_scan_.clear();
      line_scan_.shrink_to_fit();
    } else if (line_scan_.size() > 256 * 1024) {
      // Keep only the unfinished last line; earlier complete lines had no match.
      auto nl = line_scan_.rfind('\n');
      if (nl != std::string::npos) line_scan_.erase(0, nl + 1);
    }
  }
}

std::string StderrCollector::tail() const {
  std::lock_guard<std::mutex> lock(mu_);
  return truncated_ ? "[... earlier output cut ...]\n" + tail_ : tail_;
}

std::size_t StderrCollector::total_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_;
}

std::optional<DevToolsEndpoint> StderrCollector::devtools_endpoint() const {
  std::lock_guard<std::mutex> lock(mu_);
  return endpoint_;
}

}  // namespace lantern::rig
