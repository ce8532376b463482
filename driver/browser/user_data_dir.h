// A Chromium --user-data-dir: fresh (a temp dir removed afterwards, so every
// launch is a cold start) or kept (a caller-owned dir reused across launches,
// for warm-cache runs).
#pragma once

#include <string>

namespace lantern::rig {

class UserDataDir {
 public:
  // A new empty directory under $TMPDIR (or /tmp), removed by the destructor:
  // lantern-rig-profile-PID-START-XXXXXX, naming the process that owns it
  // (its pid and start time in clock ticks since boot). It first removes the
  // stale ones there (remove_stale_profile_dirs), left by a rig that was
  // killed before its destructors ran.
  static UserDataDir fresh();
  // A caller-owned directory, created when missing and never removed.
  static UserDataDir kept(const std::string& path);

  UserDataDir(UserDataDir&& other) noexcept;
  UserDataDir& operator=(UserDataDir&& other) noexcept;
  UserDataDir(const UserDataDir&) = delete;
  UserDataDir& operator=(const UserDataDir&) = delete;
  ~UserDataDir();

  const std::string& path() const { return path_; }
  bool is_fresh() const { return remove_on_destroy_; }
  // Removes a fresh directory now (idempotent); kept ones are left alone.
  void remove();

 private:
  UserDataDir(std::string path, bool remove_on_destroy)
      : path_(std::move(path)), remove_on_destroy_(remove_on_destroy) {}
  std::string path_;
  bool remove_on_destroy_ = false;
};

// Removes every lantern-rig-profile-PID-START-* directory in `dir` whose
// owner is gone: no process PID, or one that started at another time (the
// pid was reused). A live owner's dir, and any other name (an older rig's
// lantern-rig-profile-XXXXXX, which names no owner), are never touched.
// Returns how many were removed.
int remove_stale_profile_dirs(const std::string& dir);

}  // namespace lantern::rig
