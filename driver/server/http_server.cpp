// HttpServer: the libwebsockets context, its service thread, and the
// callback that routes lws events to one HttpTransaction per request.
#include "server/http_server.h"

#include <arpa/inet.h>
#include <libwebsockets.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "server/byte_log.h"
#include "server/fault_table.h"
#include "server/http_transaction.h"
#include "server/mount_table.h"
#include "server/response_plan.h"

namespace lantern::rig {

class HttpServer::Impl {
 public:
  explicit Impl(HttpServerOptions options) : options_(std::move(options)) {
    for (Mount& m : options_.mounts) mounts_.add(std::move(m));
    options_.mounts.clear();
  }

  void start();
  void stop();
  static int callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len);

  HttpServerOptions options_;
  MountTable mounts_;
  FaultTable faults_;
  ByteLog log_;
  std::atomic<bool> running_{false};
  std::atomic<uint16_t> port_{0};

 private:
  int on_http(lws* wsi, const char* uri, size_t len);
  void run_service();

  std::mutex lifecycle_mu_;  // start/stop
  lws_context* context_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_requested_{false};
  lws_protocols protocols_[2]{};
  // Service thread only. shared_ptr: a callback keeps its transaction alive
  // even if lws re-enters the callback for the same connection.
  std::unordered_map<lws*, std::shared_ptr<HttpTransaction>> transactions_;
};

namespace {

// For a fixed port: bind it once ourselves first, so "port in use" gets a
// clear message (and lws' failed-context path, which leaks, is not taken).
void check_port_free(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;  // let lws report it
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // as lws does
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = errno;
  ::close(fd);
  if (rc != 0) {
    throw std::runtime_error("HttpServer: cannot bind 127.0.0.1:" + std::to_string(port) + ": " +
                             std::strerror(err));
  }
}

std::string header(lws* wsi, lws_token_indexes token) {
  int len = lws_hdr_total_length(wsi, token);
  if (len <= 0) return {};
  std::string value(static_cast<size_t>(len) + 1, '\0');
  int copied = lws_hdr_copy(wsi, value.data(), len + 1, token);
  if (copied < 0) return {};
  value.resize(static_cast<size_t>(copied));
  return value;
}

std::string request_method(lws* wsi) {
  struct {
    lws_token_indexes token;
    const char* name;
  } static const kMethods[] = {
      {WSI_TOKEN_GET_URI, "GET"},       {WSI_TOKEN_HEAD_URI, "HEAD"},
      {WSI_TOKEN_POST_URI, "POST"},     {WSI_TOKEN_OPTIONS_URI, "OPTIONS"},
      {WSI_TOKEN_PUT_URI, "PUT"},       {WSI_TOKEN_PATCH_URI, "PATCH"},
      {WSI_TOKEN_DELETE_URI, "DELETE"},
  };
  for (const auto& m : kMethods) {
    if (lws_hdr_total_length(wsi, m.token) > 0) return m.name;
  }
  return "UNKNOWN";
}

}  // namespace

int HttpServer::Impl::callback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                               size_t len) {
  lws_context* ctx = lws_get_context(wsi);
  auto* self = ctx ? static_cast<Impl*>(lws_context_user(ctx)) : nullptr;
  if (!self) return lws_callback_http_dummy(wsi, reason, user, in, len);

  auto find = [&]() -> std::shared_ptr<HttpTransaction> {
    auto it = self->transactions_.find(wsi);
    return it == self->transactions_.end() ? nullptr : it->second;
  };
  auto forget_if_done = [&](const std::shared_ptr<HttpTransaction>& t, int rc) {
    auto it = self->transactions_.find(wsi);
    if (it != self->transactions_.end() && it->second == t && (t->finished() || rc != 0))
      self->transactions_.erase(it);
  };

  switch (reason) {
    case LWS_CALLBACK_HTTP:
      return self->on_http(wsi, static_cast<const char*>(in), len);
    case LWS_CALLBACK_HTTP_WRITEABLE: {
      auto t = find();
      if (!t) return 0;
      int rc = t->on_writable(wsi);
      forget_if_done(t, rc);
      return rc;
    }
    case LWS_CALLBACK_TIMER: {
      auto t = find();
      if (!t) return 0;
      int rc = t->on_timer(wsi);
      forget_if_done(t, rc);
      return rc;
    }
    case LWS_CALLBACK_HTTP_BODY:
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
      return 0;  // bodies are not read; such requests get 405 and a close
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_WSI_DESTROY:
      // Destroying a transaction that did not finish records it as aborted.
      self->transactions_.erase(wsi);
      return 0;
    default:
      return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

int HttpServer::Impl::on_http(lws* wsi, const char* uri, size_t len) {
  RequestInfo req;
  req.method = request_method(wsi);
  // lws hands over the URI path already percent-decoded, without the query.
  req.path.assign(uri ? uri : "", uri ? strnlen(uri, len ? len : 4096) : 0);
  if (req.path.empty()) req.path.push_back('/');
  req.range = header(wsi, WSI_TOKEN_HTTP_RANGE);
  req.if_none_match = header(wsi, WSI_TOKEN_HTTP_IF_NONE_MATCH);
  req.if_modified_since = header(wsi, WSI_TOKEN_HTTP_IF_MODIFIED_SINCE);
  req.if_range = header(wsi, WSI_TOKEN_HTTP_IF_RANGE);

  std::shared_ptr<BandwidthLink> link;
  Fault fault = faults_.lookup(req.path, &link);
  ResponsePlan plan = plan_response(req, options_, mounts_, fault);
  std::string raw_range = req.range;
  auto t = std::make_shared<HttpTransaction>(std::move(req), std::move(raw_range), fault,
                                             std::move(plan), log_, std::move(link), options_.send_timeout_s);
  transactions_[wsi] = t;  // a previous, finished one on this connection goes
  int rc = t->start(wsi);
  auto it = transactions_.find(wsi);
  if (rc != 0 && it != transactions_.end() && it->second == t) transactions_.erase(it);
  return rc;
}

void HttpServer::Impl::start() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (running_) return;
  // lws logs NOTICEs (e.g. every deferred write) by default; errors are
  // enough here. The level is process-wide; the CDP transport sets the same.
  static std::once_flag log_once;
  std::call_once(log_once, [] { lws_set_log_level(LLL_ERR, nullptr); });
  if (mounts_.size() == 0) throw std::runtime_error("HttpServer: no mounts configured");

  protocols_[0] = {};
  protocols_[0].name = "lantern-http";
  protocols_[0].callback = &Impl::callback;
  protocols_[1] = {};  // terminator

  lws_context_creation_info info{};
  info.port = options_.port;
  info.iface = "127.0.0.1";  // loopback only, never all interfaces
  info.protocols = protocols_;
  info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
  info.user = this;
  info.server_string = "lantern-rig";
  info.keepalive_timeout = 30;
  info.timeout_secs = 20;
  info.max_http_header_data = 8192;
  // 64 connections can be reading request headers at once; the rest wait for
  // a slot. A slot is held from a connection's first byte until its response
  // ends, so both waits are bounded: headers within header_timeout_s (lws'
  // "ah idle" timeout, not reset by further bytes, so dribbling does not
  // extend it) and, while responding, no more than send_timeout_s without
  // the socket taking a byte (HttpTransaction::wait_writable).
  info.max_http_header_pool = 64;
  info.timeout_secs_ah_idle = options_.header_timeout_s > 0 ? options_.header_timeout_s : 10;
  info.fd_limit_per_thread = 1024;

  if (options_.port != 0) check_port_free(options_.port);
  stop_requested_ = false;
  context_ = lws_create_context(&info);
  if (!context_) {
    char msg[160];
    std::snprintf(msg, sizeof msg,
                  "HttpServer: cannot listen on 127.0.0.1:%u (port in use or no permission)",
                  static_cast<unsigned>(options_.port));
    throw std::runtime_error(msg);
  }
  lws_vhost* vhost = lws_get_vhost_by_name(context_, "default");
  int port = vhost ? lws_get_vhost_listen_port(vhost) : -1;
  if (port <= 0) {
    lws_context_destroy(context_);
    context_ = nullptr;
    throw std::runtime_error("HttpServer: lws did not report the listening port");
  }
  port_ = static_cast<uint16_t>(port);
  running_ = true;
  thread_ = std::thread([this] { run_service(); });
}

void HttpServer::Impl::run_service() {
  while (!stop_requested_) {
    if (lws_service(context_, 0) < 0) break;
  }
}

void HttpServer::Impl::stop() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (!running_) return;
  stop_requested_ = true;
  lws_cancel_service(context_);  // wakes lws_service() from another thread
  thread_.join();
  // Destroyed here, after the join, not on the service thread: that thread
  // may see stop_requested_ before lws_cancel_service() has returned, and
  // must not free the context under it. With the service thread gone, lws
  // is used from one thread again; closing the connections runs our
  // callback, which records responses in flight as aborted.
  lws_context_destroy(context_);
  context_ = nullptr;
  transactions_.clear();
  running_ = false;
  port_ = 0;
}

// ---- public API ----

HttpServer::HttpServer(HttpServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpServer::~HttpServer() { stop(); }

void HttpServer::start() { impl_->start(); }
void HttpServer::stop() { impl_->stop(); }
bool HttpServer::running() const { return impl_->running_; }
uint16_t HttpServer::port() const { return impl_->port_; }

std::string HttpServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port_.load());
}

std::string HttpServer::url(std::string_view path) const {
  std::string u = base_url();
  if (path.empty() || path.front() != '/') u += '/';
  u += path;
  return u;
}

void HttpServer::add_mount(Mount mount) { impl_->mounts_.add(std::move(mount)); }

void HttpServer::set_fault(std::string path_prefix, Fault fault) {
  impl_->faults_.set(std::move(path_prefix), fault);
}
void HttpServer::clear_fault(const std::string& path_prefix) { impl_->faults_.clear(path_prefix); }
void HttpServer::clear_faults() { impl_->faults_.clear_all(); }

uint64_t HttpServer::bytes_served(const std::string& path) const { return impl_->log_.bytes_for(path); }
uint64_t HttpServer::total_bytes_served() const { return impl_->log_.total(); }
ByteLogSnapshot HttpServer::byte_log() const { return impl_->log_.snapshot(); }
void HttpServer::reset_byte_log() { impl_->log_.reset(); }
bool HttpServer::wait_idle(std::chrono::milliseconds timeout) const {
  return impl_->log_.wait_idle(timeout);
}

}  // namespace lantern::rig
