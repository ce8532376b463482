// Registry of the process groups of every browser the rig has started and not
// yet reaped, so a signal handler can kill them all before the rig exits.
// Storage is a fixed array of atomics: add/remove/kill_all are
// async-signal-safe.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

namespace lantern::rig::live_browsers {

// Returns false when the registry is full (the caller then refuses to launch).
bool add(pid_t process_group);
void remove(pid_t process_group);
std::size_t count();
bool contains(pid_t process_group);
// SIGKILL to every registered group. Async-signal-safe.
void kill_all();

// Installs SIGINT/SIGTERM/SIGHUP handlers that kill every live browser group,
// note the signal, and restore the default action so a second signal ends the
// rig at once. Waits that depend on a browser then fail promptly ("connection
// closed"), RAII cleans up, and the caller checks interrupted() to stop.
void install_signal_cleanup();
// The signal number received, or 0.
int interrupted();

// Process ids (from /proc) whose process group is `process_group`.
std::vector<pid_t> processes_in_group(pid_t process_group);
// True when `pid` exists and is not a zombie.
bool process_alive(pid_t pid);
// Process ids of live processes whose executable path contains `needle` in
// their command line's first word (e.g. "chromium"); zombies are skipped.
std::vector<pid_t> processes_named(const std::string& needle);

}  // namespace lantern::rig::live_browsers
