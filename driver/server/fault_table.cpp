#include "server/fault_table.h"

namespace lantern::rig {

void FaultTable::set(std::string path_prefix, Fault fault) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_[std::move(path_prefix)] = fault;
}

void FaultTable::clear(const std::string& path_prefix) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.erase(path_prefix);
}

void FaultTable::clear_all() {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.clear();
}

Fault FaultTable::lookup(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Fault* best = nullptr;
  size_t best_len = 0;
  for (const auto& [prefix, fault] : faults_) {
    if (path.compare(0, prefix.size(), prefix) == 0 && (!best || prefix.size() >= best_len)) {
      best = &fault;
      best_len = prefix.size();
    }
  }
  return best ? *best : Fault{};
}

}  // namespace lantern::rig
