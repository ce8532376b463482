// Faults injected per URL path prefix (latency, bandwidth cap, connection
// drop, forced status), changed at run time by tests and scenarios while the
// service thread reads them. Thread-safe.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "server/bandwidth_link.h"
#include "server/http_server.h"

namespace lantern::rig {

class FaultTable {
 public:
  void set(std::string path_prefix, Fault fault);
  void clear(const std::string& path_prefix);
  void clear_all();
  // The fault of the longest prefix `path` starts with (plain string prefix,
  // so "/models/a" covers "/models/a.gguf"); a default Fault when none.
  // With `link`: the prefix's shared BandwidthLink (null unless the fault
  // has shared_bandwidth and a cap), made when the fault is set.
  Fault lookup(const std::string& path, std::shared_ptr<BandwidthLink>* link = nullptr) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, Fault> faults_;
  std::map<std::string, std::shared_ptr<BandwidthLink>> links_;
};

}  // namespace lantern::rig
