#include "server/response_plan.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "server/http_range.h"
#include "server/http_validators.h"
#include "server/mime_types.h"

namespace lantern::rig {

FileHandle::~FileHandle() {
  if (fd_ >= 0) ::close(fd_);
}

const char* status_text(int status) {
  switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 416: return "Range Not Satisfiable";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

namespace {

// Headers every response carries (from the server options).
void add_common_headers(ResponsePlan& plan, const HttpServerOptions& options) {
  if (!options.cache_control.empty()) plan.headers.emplace_back("cache-control", options.cache_control);
  if (options.coop_coep) {
    plan.headers.emplace_back("cross-origin-opener-policy", "same-origin");
    plan.headers.emplace_back("cross-origin-embedder-policy", "require-corp");
  }
  if (options.cors) plan.headers.emplace_back("access-control-allow-origin", "*");
}

ResponsePlan error_plan(int status, std::string reason, const RequestInfo& req,
                        const HttpServerOptions& options) {
  ResponsePlan plan;
  plan.status = status;
  plan.reason = reason;
  char line[64];
  std::snprintf(line, sizeof line, "%d %s: ", status, status_text(status));
  plan.text_body = line + reason + "\n";
  plan.headers.emplace_back("content-type", "text/plain; charset=utf-8");
  add_common_headers(plan, options);
  plan.content_length = plan.text_body.size();
  plan.send_body = req.method != "HEAD";
  return plan;
}

}  // namespace

ResponsePlan plan_response(const RequestInfo& req, const HttpServerOptions& options,
                           const MountTable& mounts, const Fault& fault) {
  if (req.method != "GET" && req.method != "HEAD") {
    ResponsePlan plan = error_plan(405, "only GET and HEAD are served", req, options);
    plan.headers.emplace_back("allow", "GET, HEAD");
    return plan;
  }
  if (fault.force_status >= 400 && fault.force_status <= 599)
    return error_plan(fault.force_status, "injected by a fault knob", req, options);

  ResolvedPath resolved = mounts.resolve(req.path);
  if (resolved.status != 200) return error_plan(resolved.status, resolved.reason, req, options);

  int fd = ::open(resolved.file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return error_plan(err == EACCES ? 403 : 404, std::string("cannot open: ") + std::strerror(err),
                      req, options);
  }
  auto file = std::make_shared<FileHandle>(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    return error_plan(404, "not a regular file", req, options);

  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  const std::string etag = make_etag(size, mtime_ns);
  const std::string last_modified = format_http_date(st.st_mtim.tv_sec);

  ResponsePlan plan;
  plan.headers.emplace_back("etag", etag);
  plan.headers.emplace_back("last-modified", last_modified);
  add_common_headers(plan, options);

  // RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since.
  bool not_modified = !req.if_none_match.empty()
                          ? if_none_match_matches(req.if_none_match, etag)
                          : (!req.if_modified_since.empty() &&
                             not_modified_since(req.if_modified_since, st.st_mtim.tv_sec));
  if (not_modified) {
    plan.status = 304;
    plan.has_content_length = false;
    plan.send_body = false;
    return plan;
  }

  plan.headers.emplace_back("content-type", std::string(mime_type_for(resolved.file.native())));
  plan.headers.emplace_back("accept-ranges", "bytes");

  RangeResult range;
  bool range_applies = req.method == "GET" && !req.range.empty() &&
                       (req.if_range.empty() || if_range_allows(req.if_range, etag, last_modified));
  if (range_applies) range = parse_range_header(req.range, size);

  char content_range[96];
  if (range.kind == RangeKind::kUnsatisfiable) {
    ResponsePlan err = error_plan(416, "range not satisfiable", req, options);
    std::snprintf(content_range, sizeof content_range, "bytes */%llu",
                  static_cast<unsigned long long>(size));
    err.headers.emplace_back("content-range", content_range);
    return err;
  }
  plan.file = file;
  if (range.kind == RangeKind::kSatisfiable) {
    plan.status = 206;
    plan.file_offset = range.first;
    plan.content_length = range.length();
    std::snprintf(content_range, sizeof content_range, "bytes %llu-%llu/%llu",
                  static_cast<unsigned long long>(range.first),
                  static_cast<unsigned long long>(range.last),
                  static_cast<unsigned long long>(size));
    plan.headers.emplace_back("content-range", content_range);
  } else {
    plan.status = 200;
    plan.content_length = size;
  }
  plan.send_body = req.method == "GET" && plan.content_length > 0;
  return plan;
}

}  // namespace lantern::rig
