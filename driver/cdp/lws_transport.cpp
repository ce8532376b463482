#include "cdp/lws_transport.h"

#include <libwebsockets.h>

#include <cstring>
#include <iostream>
#include <stdexcept>

namespace lantern::rig {
namespace {

int lws_callback(struct lws* wsi, enum lws_callback_reasons reason, void* user, void* in, size_t len) {
  lws_context* ctx = lws_get_context(wsi);
  auto* self = ctx ? static_cast<LwsTransport*>(lws_context_user(ctx)) : nullptr;
  if (!self) return 0;
  return self->on_lws_event(wsi, static_cast<int>(reason), in, len);
}

const lws_protocols kProtocols[] = {
    {"lantern-cdp", lws_callback, 0, 64 * 1024, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

void lws_log_to_stderr(int level, const char* line) {
  std::cerr << "[lws] " << line;  // lws lines end with '\n'
}

void quiet_lws_logs() {
  static std::once_flag once;
  std::call_once(once, [] { lws_set_log_level(LLL_ERR, lws_log_to_stderr); });
}

}  // namespace

std::string LwsTransport::url() const {
  return "ws://" + options_.host + ":" + std::to_string(options_.port) + options_.path;
}

std::unique_ptr<LwsTransport> LwsTransport::connect(const LwsTransportOptions& options) {
  if (options.port == 0) throw std::runtime_error("websocket connect: no port given");
  quiet_lws_logs();
  std::unique_ptr<LwsTransport> t(new LwsTransport(options));
  t->thread_ = std::thread([raw = t.get()] { raw->service_loop(); });

  std::unique_lock<std::mutex> lock(t->mu_);
  bool settled = t->state_cv_.wait_for(lock, options.connect_timeout, [&] { return t->state_ != State::kConnecting; });
  if (!settled || t->state_ != State::kOpen) {
    std::string why = settled ? t->close_reason_
                              : "timed out after " + std::to_string(options.connect_timeout.count()) + " ms";
    lock.unlock();
    t.reset();  // stops and joins the service thread
    throw std::runtime_error("websocket connect to " + options.host + ":" + std::to_string(options.port) +
                             options.path + " failed: " + why);
  }
  return t;
}

LwsTransport::~LwsTransport() {
  close();
  stop_.store(true);
  wake_service_thread();
  if (thread_.joinable()) {
    if (thread_.get_id() == std::this_thread::get_id())
      thread_.detach();  // destroyed from our own handler: cannot join ourselves
    else
      thread_.join();
  }
}

void LwsTransport::service_loop() {
  lws_context_creation_info info;
  std::memset(&info, 0, sizeof info);
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = kProtocols;
  info.user = this;
  info.gid = -1;
  info.uid = -1;
  info.options = 0;
  lws_context* ctx = lws_create_context(&info);
  if (!ctx) {
    mark_closed("cannot create a libwebsockets context");
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    context_ = ctx;
  }

  lws_client_connect_info ci;
  std::memset(&ci, 0, sizeof ci);
  ci.context = ctx;
  ci.address = options_.host.c_str();
  ci.port = options_.port;
  ci.path = options_.path.c_str();
  ci.host = options_.host.c_str();
  ci.origin = nullptr;    // Chromium refuses websocket clients that send an Origin
  ci.protocol = nullptr;  // and it offers no subprotocol
  ci.local_protocol_name = kProtocols[0].name;
  ci.pwsi = &wsi_;
  if (!lws_client_connect_via_info(&ci)) mark_closed("connection refused or failed to start");

  while (!stop_.load()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (state_ == State::kClosed && !wsi_) break;
    }
    lws_service(ctx, 0);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);  // no lws_cancel_service() on a dying context
    context_ = nullptr;
  }
  lws_context_destroy(ctx);  // may fire CLIENT_CLOSED for a still-open wsi
  mark_closed("transport shut down");
}

int LwsTransport::on_lws_event(struct lws* wsi, int reason_int, void* in, std::size_t len) {
  auto reason = static_cast<lws_callback_reasons>(reason_int);
  switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED: {
      std::lock_guard<std::mutex> lock(mu_);
      state_ = State::kOpen;
      state_cv_.notify_all();
      if (!outbox_.empty() || close_requested_) lws_callback_on_writable(wsi);
      return 0;
    }
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
      std::string why = in && len ? std::string(static_cast<const char*>(in), len) : "connection error";
      if (in && !len) why = static_cast<const char*>(in);
      wsi_ = nullptr;
      mark_closed(why);
      return 0;
    }
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED: {
      std::lock_guard<std::mutex> lock(mu_);
      if (wsi_ && state_ == State::kOpen && (!outbox_.empty() || close_requested_)) lws_callback_on_writable(wsi_);
      return 0;
    }
    case LWS_CALLBACK_CLIENT_WRITEABLE: {
      std::string message;
      bool more = false;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (close_requested_) {
          lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, nullptr, 0);
          return -1;
        }
        if (outbox_.empty()) return 0;
        message = std::move(outbox_.front());
        outbox_.pop_front();
        more = !outbox_.empty();
      }
      std::vector<unsigned char> buf(LWS_PRE + message.size());
      std::memcpy(buf.data() + LWS_PRE, message.data(), message.size());
      int n = lws_write(wsi, buf.data() + LWS_PRE, message.size(), LWS_WRITE_TEXT);
      if (n < static_cast<int>(message.size())) {
        peer_close_reason_ = "websocket write failed";
        return -1;
      }
      if (more) lws_callback_on_writable(wsi);
      return 0;
    }
    case LWS_CALLBACK_CLIENT_RECEIVE: {
      if (!rx_oversized_) {
        if (rx_.size() + len > options_.max_message_bytes) {
          rx_oversized_ = true;
          rx_.clear();
          rx_.shrink_to_fit();
        } else {
          rx_.append(static_cast<const char*>(in), len);
        }
      }
      if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
        if (rx_oversized_) {
          ++dropped_oversized_;
          std::cerr << "[cdp] dropped a websocket message larger than " << options_.max_message_bytes << " bytes\n";
          rx_oversized_ = false;
        } else {
          std::string message;
          message.swap(rx_);
          deliver_message(std::move(message));
        }
      }
      return 0;
    }
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE: {
      peer_close_reason_ = "browser closed the websocket";
      if (in && len > 2)
        peer_close_reason_ += ": " + std::string(static_cast<const char*>(in) + 2, len - 2);
      return 0;
    }
    case LWS_CALLBACK_CLIENT_CLOSED: {
      wsi_ = nullptr;
      bool requested;
      {
        std::lock_guard<std::mutex> lock(mu_);
        requested = close_requested_;
      }
      mark_closed(requested ? "closed by the rig"
                            : (peer_close_reason_.empty() ? "socket closed by the browser (did it exit?)"
                                                          : peer_close_reason_));
      return 0;
    }
    default:
      return 0;
  }
}

void LwsTransport::mark_closed(const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    close_reason_ = reason;
    outbox_.clear();
    state_cv_.notify_all();
  }
  deliver_close(reason);
}

void LwsTransport::deliver_message(std::string message) {
  std::lock_guard<std::mutex> lock(handler_mu_);
  if (close_delivered_) return;
  if (!on_message_) {
    early_messages_.push_back(std::move(message));
    return;
  }
  on_message_(std::move(message));
}

void LwsTransport::deliver_close(const std::string& reason) {
  std::lock_guard<std::mutex> lock(handler_mu_);
  if (close_delivered_ || early_close_) return;
  if (!on_close_) {
    early_close_ = reason;
    return;
  }
  close_delivered_ = true;
  on_close_(reason);
}

void LwsTransport::start(MessageHandler on_message, CloseHandler on_close) {
  std::lock_guard<std::mutex> lock(handler_mu_);
  on_message_ = std::move(on_message);
  on_close_ = std::move(on_close);
  for (auto& m : early_messages_) on_message_(std::move(m));
  early_messages_.clear();
  if (early_close_ && !close_delivered_) {
    close_delivered_ = true;
    on_close_(*early_close_);
  }
}

bool LwsTransport::send(std::string message) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::kOpen || close_requested_) return false;
    outbox_.push_back(std::move(message));
    if (context_) lws_cancel_service(context_);
  }
  return true;
}

void LwsTransport::close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == State::kClosed || close_requested_) return;
    close_requested_ = true;
  }
  wake_service_thread();
}

void LwsTransport::wake_service_thread() {
  std::lock_guard<std::mutex> lock(mu_);
  if (context_) lws_cancel_service(context_);
}

}  // namespace lantern::rig
