#include "browser/live_browsers.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace lantern::rig::live_browsers {
namespace {

constexpr std::size_t kSlots = 256;
std::array<std::atomic<pid_t>, kSlots> g_groups{};
std::atomic<int> g_signal{0};

void on_signal(int sig) {
  kill_all();
  g_signal.store(sig);
  ::signal(sig, SIG_DFL);  // a second Ctrl-C ends the rig immediately
}

struct ProcInfo {
  char state = '?';
  pid_t pgid = 0;
};

// /proc/<pid>/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces
// and parentheses, so parse from the last ')'.
bool read_stat(pid_t pid, ProcInfo* info) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  auto close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(line.substr(close + 1));
  long ppid = 0, pgrp = 0;
  rest >> info->state >> ppid >> pgrp;
  if (!rest) return false;
  info->pgid = static_cast<pid_t>(pgrp);
  return true;
}

template <typename Fn>
void for_each_pid(Fn fn) {
  DIR* dir = ::opendir("/proc");
  if (!dir) return;
  while (dirent* e = ::readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || pid <= 0) continue;
    fn(static_cast<pid_t>(pid));
  }
  ::closedir(dir);
}

}  // namespace

bool add(pid_t process_group) {
  for (auto& slot : g_groups) {
    pid_t expected = 0;
    if (slot.compare_exchange_strong(expected, process_group)) return true;
  }
  return false;
}

void remove(pid_t process_group) {
  for (auto& slot : g_groups) {
    pid_t expected = process_group;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

std::size_t count() {
  std::size_t n = 0;
  for (auto& slot : g_groups)
    if (slot.load() != 0) ++n;
  return n;
}

bool contains(pid_t process_group) {
  if (process_group <= 0) return false;
  for (auto& slot : g_groups)
    if (slot.load() == process_group) return true;
  return false;
}

void kill_all() {
  for (auto& slot : g_groups) {
    pid_t pg = slot.load();
    if (pg > 0) ::kill(-pg, SIGKILL);
  }
}

void install_signal_cleanup() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: blocking calls see EINTR and re-check
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
}

int interrupted() { return g_signal.load(); }

std::vector<pid_t> processes_in_group(pid_t process_group) {
  std::vector<pid_t> out;
  for_each_pid([&](pid_t pid) {
    ProcInfo info;
    if (read_stat(pid, &info) && info.pgid == process_group && info.state != 'Z') out.push_back(pid);
  });
  return out;
}

bool process_alive(pid_t pid) {
  ProcInfo info;
  return pid > 0 && read_stat(pid, &info) && info.state != 'Z';
}

std::vector<pid_t> processes_named(const std::string& needle) {
  std::vector<pid_t> out;
  for_each_pid([&](pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
    std::string argv0;
    if (!std::getline(in, argv0, '\0')) return;
    ProcInfo info;
    if (argv0.find(needle) != std::string::npos && read_stat(pid, &info) && info.state != 'Z')
      out.push_back(pid);
  });
  return out;
}

}  // namespace lantern::rig::live_browsers
