#include "server/fault_table.h"

namespace lantern::rig {

void FaultTable::set(std::string path_prefix, Fault fault) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fault.shared_bandwidth && fault.bandwidth_bytes_per_s > 0)
    links_[path_prefix] = std::make_shared<BandwidthLink>(fault.bandwidth_bytes_per_s);
  else
    links_.erase(path_prefix);
  faults_[std::move(path_prefix)] = fault;
}

void FaultTable::clear(const std::string& path_prefix) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.erase(path_prefix);
  links_.erase(path_prefix);
}

void FaultTable::clear_all() {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.clear();
  links_.clear();
}

Fault FaultTable::lookup(const std::string& path, std::shared_ptr<BandwidthLink>* link) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Fault* best = nullptr;
  const std::string* best_prefix = nullptr;
  for (const auto& [prefix, fault] : faults_) {
    if (path.compare(0, prefix.size(), prefix) == 0 && (!best || prefix.size() >= best_prefix->size())) {
      best = &fault;
      best_prefix = &prefix;
    }
  }
  if (link) {
    link->reset();
    if (best) {
      auto it = links_.find(*best_prefix);
      if (it != links_.end()) *link = it->second;
    }
  }
  return best ? *best : Fault{};
}

}  // namespace lantern::rig
