// The server's record of what it sent: body bytes per URL path (updated as
// each piece is handed to the socket, so it includes requests in flight) and
// one record per finished or aborted request. Thread-safe. This is the truth
// the cache scenarios assert on ("the warm run was served zero bytes").
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "server/http_server.h"

namespace lantern::rig {

class ByteLog {
 public:
  // A request was accepted; it is "in flight" until add_request().
  void begin_request();
  void add_body_bytes(const std::string& path, uint64_t n);
  // Takes back bytes counted for a hand-off that failed.
  void remove_body_bytes(const std::string& path, uint64_t n);
  // Records a finished or aborted request (ends what begin_request began).
  void add_request(RequestRecord record);
  // Waits until no request is in flight; false on timeout.
  bool wait_idle(std::chrono::milliseconds timeout) const;
  uint64_t bytes_for(const std::string& path) const;
  uint64_t total() const;
  ByteLogSnapshot snapshot() const;
  // Forgets counts and records. Bytes a request in flight sends afterwards,
  // and its record, land in the new log.
  void reset();

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable idle_cv_;
  uint64_t in_flight_ = 0;
  std::map<std::string, uint64_t> by_path_;
  std::vector<RequestRecord> requests_;
  uint64_t total_ = 0;
};

}  // namespace lantern::rig
