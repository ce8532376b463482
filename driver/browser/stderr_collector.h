// Reads a browser's stderr pipe on its own thread: keeps the last N bytes for
// failure reports and spots the "DevTools listening on ws://..." line.
// The pipe is polled, so stop() returns promptly even when a stray process
// still holds the write end open.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "browser/devtools_endpoint.h"

namespace lantern::rig {

class StderrCollector {
 public:
  // Takes ownership of fd (the read end of the pipe).
  StderrCollector(int fd, std::size_t max_tail_bytes);
  StderrCollector(const StderrCollector&) = delete;
  StderrCollector& operator=(const StderrCollector&) = delete;
  ~StderrCollector();

  // The last max_tail_bytes bytes read (starting at a line boundary when cut).
  std::string tail() const;
  std::size_t total_bytes() const;
  std::optional<DevToolsEndpoint> devtools_endpoint() const;
  bool at_eof() const { return eof_.load(); }
  // Drains what is readable now, then stops the thread and closes the fd.
  void stop();

 private:
  void run();
  void append(const char* data, std::size_t n);

  int fd_;
  std::size_t max_tail_;
  mutable std::mutex mu_;
  std::string tail_;
  std::string line_scan_;  // text scanned for the DevTools line until found
  std::optional<DevToolsEndpoint> endpoint_;
  std::size_t total_ = 0;
  bool truncated_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<bool> eof_{false};
  std::thread thread_;
};

}  // namespace lantern::rig
