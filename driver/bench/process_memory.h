// Peak memory of a browser's process tree from /proc: every process in the
// browser's process group (the rig starts Chromium as a group leader), by
// Chromium's --type= role (browser, renderer, gpu-process, utility, zygote).
// VmHWM is the kernel's high-water mark of a process's resident set, so a
// reading just before the browser closes gives each process's peak without
// sampling.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace lantern::rig::bench {

struct ProcessTreeMemory {
  // Summed over the processes of each role: peak RSS (VmHWM) and current RSS.
  std::map<std::string, uint64_t> peak_rss_bytes;
  std::map<std::string, uint64_t> rss_bytes;
  int processes = 0;

  uint64_t peak(const std::string& role) const {
    auto it = peak_rss_bytes.find(role);
    return it == peak_rss_bytes.end() ? 0 : it->second;
  }
  nlohmann::json to_json() const;
};

// Reads /proc for every process whose process group is `group`. Processes
// that exit while being read are skipped.
ProcessTreeMemory read_process_group_memory(pid_t group, const std::string& proc_root = "/proc");

// "renderer" for "--type=renderer", "browser" when there is no --type=.
std::string chromium_role(const std::string& cmdline_nul_separated);

}  // namespace lantern::rig::bench
