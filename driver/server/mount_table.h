// URL prefix → directory mapping of the HTTP server, and the resolution of a
// request path to a file inside one mount. Uses std::filesystem only (no
// libwebsockets), so it is unit-tested directly. Thread-safe: mounts can be
// added while the server runs.
#pragma once
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_server.h"

namespace lantern::rig {

struct ResolvedPath {
  int status = 404;             // 200: `file` is a regular file to serve; else 403/404
  std::string reason;           // why not 200, for logs and error bodies
  std::filesystem::path file;   // canonical path, inside the mount's directory
};

class MountTable {
 public:
  // Throws std::invalid_argument when the prefix does not start with '/', is
  // not a plain path, or the directory does not exist. A prefix that is
  // already mounted is replaced.
  void add(Mount mount);
  // `decoded_path` is the percent-decoded URL path without query. Refuses
  // traversal (403), anything outside every mount (404), a symlink leading
  // out of its mount (403), any name a mount with only_files does not list
  // (404). A directory serves its index.html, else 404.
  ResolvedPath resolve(std::string_view decoded_path) const;
  size_t size() const;

 private:
  struct Entry {
    std::vector<std::string> prefix_segments;
    std::filesystem::path root;  // canonical
    std::vector<std::string> only_files;  // empty: the whole directory
  };
  mutable std::mutex mu_;
  std::vector<Entry> entries_;  // longest prefix first
};

}  // namespace lantern::rig
