#include "browser/user_data_dir.h"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace lantern::rig {

namespace {

constexpr std::string_view kProfilePrefix = "lantern-rig-profile-";

// Field 22 of /proc/PID/stat: when the process started, in clock ticks since
// boot. With the pid it names one process, even after the pid is reused.
std::optional<uint64_t> process_start_ticks(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!in || !std::getline(in, stat)) return std::nullopt;
  const size_t comm_end = stat.rfind(')');  // the name may hold spaces and ')'
  if (comm_end == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(comm_end + 1));
  std::string field;
  for (int i = 3; i <= 22; ++i)
    if (!(fields >> field)) return std::nullopt;
  try {
    return std::stoull(field);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool parse_number(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

std::string temp_root() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

}  // namespace

int remove_stale_profile_dirs(const std::string& dir) {
  namespace fs = std::filesystem;
  int removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(kProfilePrefix, 0) != 0) continue;
    // lantern-rig-profile-PID-STARTTICKS-XXXXXX; any other spelling (an
    // older rig's, without an owner) is left alone.
    std::string_view rest = std::string_view(name).substr(kProfilePrefix.size());
    const size_t dash1 = rest.find('-');
    const size_t dash2 = dash1 == std::string_view::npos ? dash1 : rest.find('-', dash1 + 1);
    uint64_t pid = 0, ticks = 0;
    if (dash2 == std::string_view::npos || !parse_number(rest.substr(0, dash1), &pid) ||
        !parse_number(rest.substr(dash1 + 1, dash2 - dash1 - 1), &ticks) || pid == 0 || pid > (1u << 30))
      continue;
    std::error_code type_ec;
    if (!it->is_directory(type_ec) || it->is_symlink(type_ec)) continue;
    const auto started = process_start_ticks(static_cast<long>(pid));
    if (started && *started == ticks) continue;  // its rig is alive
    if (!started && fs::exists("/proc/" + std::to_string(pid), type_ec)) continue;  // alive, unreadable: keep
    std::error_code rm_ec;
    fs::remove_all(it->path(), rm_ec);
    if (!rm_ec) ++removed;
  }
  return removed;
}

UserDataDir UserDataDir::fresh() {
  const std::string root = temp_root();
  // A rig killed with SIGKILL cannot remove its profile: whoever starts next
  // does. The name says which process owns the dir (pid and start time).
  remove_stale_profile_dirs(root);
  const long pid = static_cast<long>(::getpid());
  const uint64_t ticks = process_start_ticks(pid).value_or(0);
  std::string templ = root + "/" + std::string(kProfilePrefix) + std::to_string(pid) + "-" + std::to_string(ticks) + "-XXXXXX";
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
