#include "server/byte_log.h"

#include <algorithm>

namespace lantern::rig {

void ByteLog::add_body_bytes(const std::string& path, uint64_t n) {
  if (n == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  by_path_[path] += n;
  total_ += n;
}

void ByteLog::begin_request() {
  std::lock_guard<std::mutex> lock(mu_);
  ++in_flight_;
}

void ByteLog::remove_body_bytes(const std::string& path, uint64_t n) {
  if (n == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_path_.find(path);
  if (it != by_path_.end()) it->second -= std::min(it->second, n);
  total_ -= std::min(total_, n);
}

void ByteLog::add_request(RequestRecord record) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(std::move(record));
    if (in_flight_ > 0) --in_flight_;
  }
  idle_cv_.notify_all();
}

bool ByteLog::wait_idle(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return idle_cv_.wait_for(lock, timeout, [this] { return in_flight_ == 0; });
}

uint64_t ByteLog::bytes_for(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_path_.find(path);
  return it == by_path_.end() ? 0 : it->second;
}

uint64_t ByteLog::total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_;
}

ByteLogSnapshot ByteLog::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  ByteLogSnapshot s;
  s.bytes_by_path = by_path_;
  s.requests = requests_;
  s.total_bytes = total_;
  return s;
}

void ByteLog::reset() {
  std::lock_guard<std::mutex> lock(mu_);
  by_path_.clear();
  requests_.clear();
  total_ = 0;
}

}  // namespace lantern::rig
