// A Chrome DevTools Protocol connection over a CdpTransport: request ids and
// replies, events dispatched to subscribers by method and sessionId, and
// flattened target sessions (one socket, messages tagged with "sessionId").
// It knows nothing of pages or domains; the thin helpers in *_domain.h do.
//
// Threading: call() blocks the calling thread; replies and events arrive on
// the transport's thread. Event handlers run on that thread, must be quick,
// and must not call() (that would wait for a reply only that thread can
// deliver; it throws std::logic_error instead of deadlocking).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cdp/cdp_errors.h"
#include "cdp/cdp_transport.h"

namespace lantern::rig {

struct CdpEvent {
  std::string method;
  std::string session_id;  // empty: the browser-level session
  nlohmann::json params;
};

using CdpLogSink = std::function<void(const std::string& line)>;

struct CdpConnectionOptions {
  std::chrono::milliseconds default_timeout{30000};
  CdpLogSink log;  // protocol oddities (malformed JSON, stray replies); stderr when empty
};

class CdpConnection;

// Unsubscribes when destroyed (or on reset()). After reset() returns the
// handler is not running and will not run again. Safe to outlive the
// connection.
class CdpSubscription {
 public:
  CdpSubscription() = default;
  CdpSubscription(CdpSubscription&& other) noexcept;
  CdpSubscription& operator=(CdpSubscription&& other) noexcept;
  CdpSubscription(const CdpSubscription&) = delete;
  CdpSubscription& operator=(const CdpSubscription&) = delete;
  ~CdpSubscription() { reset(); }
  void reset();
  bool active() const { return id_ != 0; }

 private:
  friend class CdpConnection;
  struct Shared;
  CdpSubscription(std::weak_ptr<Shared> shared, uint64_t id) : shared_(std::move(shared)), id_(id) {}
  std::weak_ptr<Shared> shared_;
  uint64_t id_ = 0;
};

class CdpConnection {
 public:
  using EventHandler = std::function<void(const CdpEvent&)>;
  using CloseHandler = std::function<void(const std::string& reason)>;
  static constexpr const char* kAnySession = "*";

  explicit CdpConnection(std::unique_ptr<CdpTransport> transport, CdpConnectionOptions options = {});
  CdpConnection(const CdpConnection&) = delete;
  CdpConnection& operator=(const CdpConnection&) = delete;
  // Closes the transport; pending calls fail with CdpConnectionClosed.
  ~CdpConnection();

  // Sends {id, method, params[, sessionId]} and waits for the reply's
  // "result". Throws CdpError (error reply), CdpTimeout, CdpConnectionClosed.
  nlohmann::json call(const std::string& method, const nlohmann::json& params = nlohmann::json::object(),
                      const std::string& session_id = "",
                      std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  // Sends a command whose reply nobody waits for (e.g. Page.crash, whose
  // renderer dies before answering). Returns false when already closed.
  bool send_only(const std::string& method, const nlohmann::json& params = nlohmann::json::object(),
                 const std::string& session_id = "");

  // Handler for events of `method` ("" = every method) on `session_id`
  // ("" = the browser session, kAnySession = every session).
  [[nodiscard]] CdpSubscription subscribe(std::string method, std::string session_id, EventHandler handler);
  // Fires once when the connection closes (at once if it already has).
  [[nodiscard]] CdpSubscription on_close(CloseHandler handler);

  bool is_closed() const;
  std::string close_reason() const;
  void close();

  std::chrono::milliseconds default_timeout() const { return options_.default_timeout; }
  std::size_t malformed_message_count() const;
  std::size_t unmatched_reply_count() const;
  std::size_t pending_call_count() const;

 private:
  struct Pending;
  friend struct CdpSubscription::Shared;
  void on_message(std::string text);
  void on_transport_closed(const std::string& reason);
  void log(const std::string& line) const;

  CdpConnectionOptions options_;
  std::shared_ptr<CdpSubscription::Shared> shared_;
  std::unique_ptr<CdpTransport> transport_;
};

// A flattened target session: the connection plus a sessionId.
class CdpSession {
 public:
  CdpSession(CdpConnection& connection, std::string session_id)
      : connection_(&connection), session_id_(std::move(session_id)) {}
  nlohmann::json call(const std::string& method, const nlohmann::json& params = nlohmann::json::object(),
                      std::optional<std::chrono::milliseconds> timeout = std::nullopt) const {
    return connection_->call(method, params, session_id_, timeout);
  }
  [[nodiscard]] CdpSubscription subscribe(std::string method, CdpConnection::EventHandler handler) const {
    return connection_->subscribe(std::move(method), session_id_, std::move(handler));
  }
  CdpConnection& connection() const { return *connection_; }
  const std::string& id() const { return session_id_; }

 private:
  CdpConnection* connection_;
  std::string session_id_;
};

}  // namespace lantern::rig
