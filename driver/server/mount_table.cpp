#include "server/mount_table.h"

#include <algorithm>
#include <stdexcept>
#include <system_error>

#include "server/url_path.h"

namespace lantern::rig {
namespace fs = std::filesystem;

namespace {

// Component-wise "is `p` equal to or below `root`" (both canonical).
bool is_within(const fs::path& p, const fs::path& root) {
  auto [root_end, p_it] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
  (void)p_it;
  return root_end == root.end();
}

ResolvedPath fail(int status, std::string reason) {
  ResolvedPath r;
  r.status = status;
  r.reason = std::move(reason);
  return r;
}

// Canonicalises `p` and checks that it stays inside `root`.
ResolvedPath check_target(const fs::path& p, const fs::path& root) {
  std::error_code ec;
  fs::path canon = fs::canonical(p, ec);
  if (ec) return fail(404, "not found");
  if (!is_within(canon, root)) return fail(403, "resolves outside its mount (symlink)");
  ResolvedPath r;
  r.status = 200;
  r.file = std::move(canon);
  return r;
}

}  // namespace

void MountTable::add(Mount mount) {
  std::string prefix = mount.url_prefix;
  if (prefix.empty() || prefix.front() != '/')
    throw std::invalid_argument("mount prefix must start with '/': '" + prefix + "'");
  if (prefix.back() != '/') prefix += '/';
  PathCheck check = check_decoded_path(prefix);
  if (!check.ok)
    throw std::invalid_argument("bad mount prefix '" + prefix + "': " + check.reason);
  for (const std::string& name : mount.only_files) {
    const PathCheck f = check_decoded_path("/" + name);
    if (!f.ok || f.segments.size() != 1 || f.trailing_slash)
      throw std::invalid_argument("mount '" + prefix + "': '" + name + "' is not a plain file name");
  }
  std::error_code ec;
  fs::path root = fs::canonical(mount.directory, ec);
  if (ec || !fs::is_directory(root, ec))
    throw std::invalid_argument("mount directory does not exist or is not a directory: '" +
                                mount.directory.string() + "'");
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [&](const Entry& e) { return e.prefix_segments == check.segments; }),
                 entries_.end());
  entries_.push_back(Entry{check.segments, root, std::move(mount.only_files)});
  std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return a.prefix_segments.size() > b.prefix_segments.size();
  });
}

size_t MountTable::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

ResolvedPath MountTable::resolve(std::string_view decoded_path) const {
  PathCheck check = check_decoded_path(decoded_path);
  if (!check.ok) return fail(403, check.reason);

  fs::path root;
  size_t used = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const Entry* match = nullptr;
    for (const Entry& e : entries_) {
      const auto& pre = e.prefix_segments;
      if (pre.size() > check.segments.size()) continue;
      if (std::equal(pre.begin(), pre.end(), check.segments.begin())) {
        match = &e;
        break;
      }
    }
    if (!match) return fail(404, "no mount serves this path");
    root = match->root;
    used = match->prefix_segments.size();
    const auto& only = match->only_files;
    if (!only.empty() && (check.segments.size() != used + 1 || check.trailing_slash ||
                          std::find(only.begin(), only.end(), check.segments[used]) == only.end()))
      return fail(404, "not one of the files this mount serves");
  }

  // Segments are plain names (no '/', '.', '..'), so joining them one by one
  // cannot climb out of root; only symlinks can, which check_target catches.
  fs::path p = root;
  for (size_t i = used; i < check.segments.size(); ++i) p /= check.segments[i];

  ResolvedPath target = check_target(p, root);
  if (target.status != 200) return target;
  std::error_code ec;
  fs::file_status st = fs::status(target.file, ec);
  if (ec) return fail(404, "not found");
  if (fs::is_directory(st)) {
    target = check_target(target.file / "index.html", root);
    if (target.status != 200) return target.status == 404 ? fail(404, "directory without index.html") : target;
    st = fs::status(target.file, ec);
    if (ec) return fail(404, "not found");
  } else if (check.trailing_slash) {
    return fail(404, "not a directory");
  }
  if (!fs::is_regular_file(st)) return fail(404, "not a regular file");
  return target;
}

}  // namespace lantern::rig
