// A Chromium --user-data-dir: fresh (a temp dir removed afterwards, so every
// launch is a cold start) or kept (a caller-owned dir reused across launches,
// for warm-cache runs).
#pragma once

#include <string>

namespace lantern::rig {

class UserDataDir {
 public:
  // A new empty directory under $TMPDIR (or /tmp), removed by the destructor.
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

}  // namespace lantern::rig
