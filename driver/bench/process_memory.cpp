#include "bench/process_memory.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace lantern::rig::bench {

namespace fs = std::filesystem;

namespace {

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The process group: field 5 of /proc/PID/stat, counted after the ")" that
// ends the command name (which may itself hold spaces and parentheses).
bool read_pgrp(const fs::path& stat_path, pid_t* pgrp) {
  const std::string stat = read_all(stat_path);
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(stat.substr(close + 1));
  std::string state;
  long ppid = 0, group = 0;
  if (!(rest >> state >> ppid >> group)) return false;
  *pgrp = static_cast<pid_t>(group);
  return true;
}

// "VmHWM:   123456 kB" -> bytes; 0 when absent (kernel threads, zombies).
uint64_t status_kb(const std::string& status, const std::string& key) {
  const auto at = status.find("\n" + key + ":");
  if (at == std::string::npos) return 0;
  std::istringstream in(status.substr(at + key.size() + 2));
  uint64_t kb = 0;
  in >> kb;
  return kb * 1024;
}

}  // namespace

std::string chromium_role(const std::string& cmdline) {
  // Arguments are NUL-separated, but Chromium's children rewrite their
  // command line (setproctitle) into one space-separated string.
  auto separator = [](char c) { return c == '\0' || c == ' '; };
  const std::string key = "--type=";
  for (std::size_t at = 0; (at = cmdline.find(key, at)) != std::string::npos; at += key.size()) {
    if (at != 0 && !separator(cmdline[at - 1])) continue;
    std::size_t end = at + key.size();
    while (end < cmdline.size() && !separator(cmdline[end])) ++end;
    return cmdline.substr(at + key.size(), end - at - key.size());
  }
  return "browser";
}

ProcessTreeMemory read_process_group_memory(pid_t group, const std::string& proc_root) {
  ProcessTreeMemory out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(proc_root, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      continue;
    pid_t pgrp = 0;
    if (!read_pgrp(entry.path() / "stat", &pgrp) || pgrp != group) continue;
    const std::string status = read_all(entry.path() / "status");
    if (status.empty()) continue;  // exited meanwhile
    const std::string role = chromium_role(read_all(entry.path() / "cmdline"));
    out.peak_rss_bytes[role] += status_kb("\n" + status, "VmHWM");
    out.rss_bytes[role] += status_kb("\n" + status, "VmRSS");
    ++out.processes;
  }
  return out;
}

nlohmann::json ProcessTreeMemory::to_json() const {
  return {{"peak_rss_bytes", peak_rss_bytes}, {"rss_bytes", rss_bytes}, {"processes", processes}};
}

}  // namespace lantern::rig::bench
