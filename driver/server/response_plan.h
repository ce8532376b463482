// What the server answers to one request, decided before any byte is sent:
// status, headers, and where the body comes from (a byte span of an open
// file, or a short text for errors). No libwebsockets here: the decision is
// unit-testable, and http_transaction.cpp only carries it out.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "server/http_server.h"
#include "server/mount_table.h"

namespace lantern::rig {

// The request fields the decision depends on (values empty when absent).
struct RequestInfo {
  std::string method;  // "GET", "HEAD", ...
  std::string path;    // percent-decoded URL path, no query
  std::string range;
  std::string if_none_match;
  std::string if_modified_since;
  std::string if_range;
};

// An open file descriptor, closed on destruction.
class FileHandle {
 public:
  explicit FileHandle(int fd) : fd_(fd) {}
  ~FileHandle();
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

struct ResponsePlan {
  int status = 500;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names, no Content-Length
  // Content-Length to send; a HEAD gets the length its GET would have.
  uint64_t content_length = 0;
  bool has_content_length = true;  // false for 304
  bool send_body = false;          // false for HEAD and 304
  std::string text_body;           // error responses
  std::shared_ptr<FileHandle> file;  // set when the body comes from a file
  uint64_t file_offset = 0;          // first byte of the span to send
  std::string reason;                // why an error status, for the log
};

// `fault` is the looked-up fault for the path (only force_status is used here).
ResponsePlan plan_response(const RequestInfo& req, const HttpServerOptions& options,
                           const MountTable& mounts, const Fault& fault);

// "404 Not Found" style reason phrase (also used for the status line).
const char* status_text(int status);

}  // namespace lantern::rig
