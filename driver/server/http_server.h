// lantern-rig's embedded static HTTP server: serves the web build, test pages
// and model folders on 127.0.0.1, with Range support, and logs every body byte
// it hands to a socket (the truth the cache scenarios assert on). Fault knobs
// (latency, bandwidth cap, connection drop, forced 404/500) can be changed per
// path prefix while it runs. The libwebsockets service loop runs on its own
// thread; every public method is thread-safe.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lantern::rig {

// URL prefix → directory. "/" serves the directory at the root; "/models/"
// serves it below /models/. A prefix always starts with '/'; a missing
// trailing '/' is added. The longest matching prefix wins.
struct Mount {
  Mount() = default;
  Mount(std::string prefix, std::filesystem::path dir, std::vector<std::string> only = {})
      : url_prefix(std::move(prefix)), directory(std::move(dir)), only_files(std::move(only)) {}

  std::string url_prefix;
  std::filesystem::path directory;
  // When not empty, the mount serves only these plain file names directly in
  // `directory` (e.g. the one model file a command was given): every other
  // path under the prefix, the folder's other files and subfolders included,
  // is 404.
  std::vector<std::string> only_files;
};

struct HttpServerOptions {
  std::vector<Mount> mounts;
  uint16_t port = 0;                    // 0: the OS picks a free port
  std::string cache_control = "no-cache";  // empty: no Cache-Control header
  bool coop_coep = false;               // COOP same-origin + COEP require-corp
  bool cors = false;                    // Access-Control-Allow-Origin: *
  // Slow or stalled clients are dropped so they cannot hold the server's 64
  // request-header slots (libwebsockets' header pool) and stall everyone:
  // a connection must finish its request headers within header_timeout_s of
  // taking a slot, and a response whose socket takes no byte for
  // send_timeout_s is cut off (recorded as aborted). Waits the fault knobs
  // make (latency, bandwidth pacing) do not count against send_timeout_s.
  unsigned header_timeout_s = 10;
  unsigned send_timeout_s = 30;
};

// Fault injected into every response whose URL path starts with the prefix it
// was set for (the longest matching prefix wins).
struct Fault {
  std::chrono::milliseconds latency{0};        // delay before the status line
  uint64_t bandwidth_bytes_per_s = 0;          // 0: unlimited; body paced by timers
  std::optional<uint64_t> drop_after_bytes;    // close after exactly N body bytes
  int force_status = 0;  // 0: normal; 400..599 answered instead (e.g. 404, 500)
  // With a bandwidth cap: true shares it among all responses under the
  // prefix at once (one link, see BandwidthLink); false caps each response.
  bool shared_bandwidth = false;
};

// One finished (or aborted) request.
struct RequestRecord {
  std::string method;          // "GET" or "HEAD"
  std::string path;            // decoded URL path, without query
  std::string range;           // the Range header as sent, empty if none
  int status = 0;              // status sent (0 if none was sent)
  uint64_t body_bytes = 0;     // body bytes handed to the socket
  bool completed = false;      // false: connection closed or dropped mid-body
  std::chrono::steady_clock::time_point start;  // request headers parsed
  std::chrono::steady_clock::time_point end;    // last byte written or close
};

struct ByteLogSnapshot {
  std::map<std::string, uint64_t> bytes_by_path;  // body bytes per URL path
  std::vector<RequestRecord> requests;            // in completion order
  uint64_t total_bytes = 0;
};

class HttpServer {
 public:
  // Throws std::invalid_argument for a bad mount (see add_mount).
  explicit HttpServer(HttpServerOptions options);
  ~HttpServer();  // stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds 127.0.0.1 and starts the service thread; returns once listening
  // (binding is synchronous, so there is nothing to wait for). Throws
  // std::runtime_error with the reason (port in use, no mounts). A stopped
  // server can be started again (on a new port when port was 0).
  void start();
  // Wakes the service thread (lws_cancel_service), closes every connection
  // (responses in flight are recorded as aborted) and joins. Idempotent.
  void stop();
  bool running() const;

  uint16_t port() const;             // the bound port (0 before start())
  std::string base_url() const;      // "http://127.0.0.1:PORT"
  std::string url(std::string_view path) const;  // base_url() + path

  // Mounts can be added while running (e.g. a model folder per scenario).
  // Re-adding a prefix replaces it. Throws std::invalid_argument when the
  // directory does not exist or the prefix is not a plain "/a/b/" path.
  void add_mount(Mount mount);

  // Fault knobs, applied to requests that start after the call.
  void set_fault(std::string path_prefix, Fault fault);
  void clear_fault(const std::string& path_prefix);
  void clear_faults();

  // Byte log, keyed by the decoded URL path without query ("/models/a b.gguf"
  // for "/models/a%20b.gguf?v=1"). A path's count includes requests still in
  // flight: each body piece is counted as it is handed to the socket, so a
  // client never sees a byte the count does not include (a response cut off
  // by the client may count up to one 256 KiB piece it never received).
  // Error bodies (404 text, ...) count too. A request's record is added when
  // its response ends; wait_idle() waits for that.
  uint64_t bytes_served(const std::string& path) const;
  uint64_t total_bytes_served() const;
  ByteLogSnapshot byte_log() const;
  void reset_byte_log();
  // Waits until no response is in progress (all records written); false on
  // timeout. Call it after the client saw its responses, before byte_log().
  bool wait_idle(std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

  class Impl;  // lws glue, in http_server.cpp

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lantern::rig
