#include "browser/user_data_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace lantern::rig {

UserDataDir UserDataDir::fresh() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/lantern-rig-profile-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr)
    throw std::runtime_error("cannot create a temporary browser profile dir '" + templ +
                             "': " + std::strerror(errno));
  return UserDataDir(templ, true);
}

UserDataDir UserDataDir::kept(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec || !std::filesystem::is_directory(path))
    throw std::runtime_error("cannot use '" + path + "' as a browser profile dir: " +
                             (ec ? ec.message() : std::string("not a directory")));
  return UserDataDir(std::filesystem::absolute(path).string(), false);
}

UserDataDir::UserDataDir(UserDataDir&& other) noexcept
    : path_(std::move(other.path_)), remove_on_destroy_(other.remove_on_destroy_) {
  other.remove_on_destroy_ = false;
  other.path_.clear();
}

UserDataDir& UserDataDir::operator=(UserDataDir&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::move(other.path_);
    remove_on_destroy_ = other.remove_on_destroy_;
    other.remove_on_destroy_ = false;
    other.path_.clear();
  }
  return *this;
}

UserDataDir::~UserDataDir() { remove(); }

void UserDataDir::remove() {
  if (!remove_on_destroy_ || path_.empty()) return;
  std::error_code ec;  // best effort: a destructor must not throw
  std::filesystem::remove_all(path_, ec);
  remove_on_destroy_ = false;
}

}  // namespace lantern::rig
