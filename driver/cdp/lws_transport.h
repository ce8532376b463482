// CdpTransport over a libwebsockets client connection to Chromium's DevTools
// websocket. One lws context and one service thread per connection; other
// threads only queue messages and wake the loop with lws_cancel_service().
// Messages arrive reassembled (screenshots run to several MB across many
// fragments); a socket closed by the peer becomes a close notification.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cdp/cdp_transport.h"

struct lws;
struct lws_context;

namespace lantern::rig {

struct LwsTransportOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string path = "/";
  std::chrono::milliseconds connect_timeout{10000};
  std::size_t max_message_bytes = 512u << 20;  // a bigger message is dropped and logged
};

class LwsTransport : public CdpTransport {
 public:
  // Connects and completes the websocket handshake, or throws
  // std::runtime_error naming the url and the reason (refused, timeout...).
  static std::unique_ptr<LwsTransport> connect(const LwsTransportOptions& options);

  ~LwsTransport() override;  // closes and joins the service thread
  void start(MessageHandler on_message, CloseHandler on_close) override;
  bool send(std::string message) override;
  void close() override;

  std::size_t dropped_oversized_messages() const { return dropped_oversized_.load(); }

  // lws glue (public so the C callback can reach it; not for callers).
  int on_lws_event(struct lws* wsi, int reason, void* in, std::size_t len);

 private:
  explicit LwsTransport(LwsTransportOptions options) : options_(std::move(options)) {}
  void service_loop();
  void deliver_message(std::string message);
  void deliver_close(const std::string& reason);
  void mark_closed(const std::string& reason);
  void wake_service_thread();
  std::string url() const;

  LwsTransportOptions options_;

  // Connection state, shared between the service thread and callers.
  std::mutex mu_;
  std::condition_variable state_cv_;
  enum class State { kConnecting, kOpen, kClosed } state_ = State::kConnecting;
  std::string close_reason_;
  std::deque<std::string> outbox_;
  bool close_requested_ = false;
  std::atomic<bool> stop_{false};
  lws_context* context_ = nullptr;  // guarded by mu_

  // Handler delivery (held while a handler runs; see start()).
  std::mutex handler_mu_;
  MessageHandler on_message_;
  CloseHandler on_close_;
  std::vector<std::string> early_messages_;
  std::optional<std::string> early_close_;
  bool close_delivered_ = false;

  // Service-thread-only state.
  struct lws* wsi_ = nullptr;
  std::string rx_;
  bool rx_oversized_ = false;
  std::string peer_close_reason_;
  std::atomic<std::size_t> dropped_oversized_{0};

  std::thread thread_;
};

}  // namespace lantern::rig
