#include "cdp/cdp_connection.h"

#include "cdp/cdp_message.h"

#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace lantern::rig {

using nlohmann::json;

struct CdpConnection::Pending {
  std::string method;
  std::condition_variable cv;
  bool done = false;
  json result;
  std::exception_ptr error;
};

// State shared with subscription handles, which may outlive the connection.
struct CdpSubscription::Shared {
  struct Sub {
    std::string method;
    std::string session_id;
    CdpConnection::EventHandler on_event;
    CdpConnection::CloseHandler on_close;
  };

  mutable std::mutex mu;
  std::map<uint64_t, std::shared_ptr<CdpConnection::Pending>> pending;
  uint64_t next_call_id = 1;
  std::set<uint64_t> ignored_replies;  // ids sent with send_only()
  std::map<uint64_t, Sub> subs;
  uint64_t next_sub_id = 1;
  bool closed = false;
  std::string close_reason;
  std::size_t malformed = 0;
  std::size_t unmatched = 0;

  // Held while handlers run, so unsubscribing waits for a running handler.
  // Recursive: a handler may drop its own (or another) subscription.
  std::recursive_mutex dispatch_mu;
  std::atomic<std::thread::id> dispatch_thread{};

  void remove(uint64_t id) {
    {
      std::lock_guard<std::mutex> lock(mu);
      subs.erase(id);
    }
    std::lock_guard<std::recursive_mutex> wait_for_running_handler(dispatch_mu);
  }
};

CdpSubscription::CdpSubscription(CdpSubscription&& other) noexcept
    : shared_(std::move(other.shared_)), id_(other.id_) {
  other.id_ = 0;
}

CdpSubscription& CdpSubscription::operator=(CdpSubscription&& other) noexcept {
  if (this != &other) {
    reset();
    shared_ = std::move(other.shared_);
    id_ = other.id_;
    other.id_ = 0;
  }
  return *this;
}

void CdpSubscription::reset() {
  if (id_ == 0) return;
  if (auto shared = shared_.lock()) shared->remove(id_);
  id_ = 0;
  shared_.reset();
}

CdpConnection::CdpConnection(std::unique_ptr<CdpTransport> transport, CdpConnectionOptions options)
    : options_(std::move(options)),
      shared_(std::make_shared<CdpSubscription::Shared>()),
      transport_(std::move(transport)) {
  if (!transport_) throw std::invalid_argument("CdpConnection needs a transport");
  transport_->start([this](std::string text) { on_message(std::move(text)); },
                    [this](const std::string& reason) { on_transport_closed(reason); });
}

CdpConnection::~CdpConnection() {
  close();
  transport_.reset();  // joins the transport's thread: no callback after this
}

void CdpConnection::log(const std::string& line) const {
  if (options_.log)
    options_.log(line);
  else
    std::cerr << "[cdp] " << line << "\n";
}

json CdpConnection::call(const std::string& method, const json& params, const std::string& session_id,
                         std::optional<std::chrono::milliseconds> timeout) {
  if (shared_->dispatch_thread.load() == std::this_thread::get_id())
    throw std::logic_error("CDP call " + method + " made from an event handler would deadlock");
  const auto limit = timeout.value_or(options_.default_timeout);
  auto pending = std::make_shared<Pending>();
  pending->method = method;
  uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (shared_->closed) throw CdpConnectionClosed(method, shared_->close_reason);
    id = shared_->next_call_id++;
    shared_->pending[id] = pending;
  }
  json message = {{"id", id}, {"method", method}, {"params", params.is_null() ? json::object() : params}};
  if (!session_id.empty()) message["sessionId"] = session_id;
  // Not under the lock: a transport may deliver the reply from inside send().
  if (!transport_->send(message.dump())) {
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->pending.erase(id);
    throw CdpConnectionClosed(method, shared_->closed ? shared_->close_reason : "transport refused to send");
  }

  std::unique_lock<std::mutex> lock(shared_->mu);
  if (!pending->cv.wait_for(lock, limit, [&] { return pending->done; })) {
    shared_->pending.erase(id);
    throw CdpTimeout(method, limit);
  }
  if (pending->error) std::rethrow_exception(pending->error);
  return std::move(pending->result);
}

bool CdpConnection::send_only(const std::string& method, const json& params, const std::string& session_id) {
  uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (shared_->closed) return false;
    id = shared_->next_call_id++;
    shared_->ignored_replies.insert(id);
  }
  json message = {{"id", id}, {"method", method}, {"params", params.is_null() ? json::object() : params}};
  if (!session_id.empty()) message["sessionId"] = session_id;
  return transport_->send(message.dump());
}

void CdpConnection::on_message(std::string text) {
  CdpIncomingMessage message = parse_cdp_message(text);
  if (message.kind == CdpIncomingMessage::Kind::kMalformed) {
    std::size_t n;
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      n = ++shared_->malformed;
    }
    log("ignoring malformed message #" + std::to_string(n) + " (" + message.malformed_reason + ", " +
        std::to_string(text.size()) + " bytes): " + text.substr(0, 200));
    return;
  }

  if (message.kind == CdpIncomingMessage::Kind::kReply) {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (shared_->ignored_replies.erase(message.id)) return;
    auto it = shared_->pending.find(message.id);
    if (it == shared_->pending.end()) {
      ++shared_->unmatched;  // usually the reply to a call that timed out
      return;
    }
    auto pending = it->second;
    shared_->pending.erase(it);
    if (message.error) {
      const CdpProtocolError& e = *message.error;
      pending->error = std::make_exception_ptr(CdpError(pending->method, e.code, e.message, e.data));
    } else {
      pending->result = std::move(message.result);
    }
    pending->done = true;
    pending->cv.notify_all();
    return;
  }

  CdpEvent event;
  event.method = std::move(message.method);
  event.session_id = std::move(message.session_id);
  event.params = std::move(message.params);

  std::lock_guard<std::recursive_mutex> dispatch(shared_->dispatch_mu);
  std::vector<CdpConnection::EventHandler> handlers;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    for (const auto& [id, sub] : shared_->subs) {
      if (!sub.on_event) continue;
      if (!sub.method.empty() && sub.method != event.method) continue;
      if (sub.session_id != kAnySession && sub.session_id != event.session_id) continue;
      handlers.push_back(sub.on_event);
    }
  }
  shared_->dispatch_thread.store(std::this_thread::get_id());
  for (auto& h : handlers) {
    try {
      h(event);
    } catch (const std::exception& e) {
      log("event handler for " + event.method + " threw: " + e.what());
    }
  }
  shared_->dispatch_thread.store(std::thread::id{});
}

void CdpConnection::on_transport_closed(const std::string& reason) {
  // Taken before the handlers are collected, as for events: a subscription
  // removed after this point waits for the handlers to finish, and one
  // removed before it is not collected (collecting first let a close handler
  // run on an event queue that had just been destroyed).
  std::lock_guard<std::recursive_mutex> dispatch(shared_->dispatch_mu);
  std::vector<CloseHandler> handlers;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (shared_->closed) return;
    shared_->closed = true;
    shared_->close_reason = reason.empty() ? "connection closed" : reason;
    // Every waiting call fails now, not at its timeout.
    for (auto& [id, pending] : shared_->pending) {
      pending->error = std::make_exception_ptr(CdpConnectionClosed(pending->method, shared_->close_reason));
      pending->done = true;
      pending->cv.notify_all();
    }
    shared_->pending.clear();
    for (const auto& [id, sub] : shared_->subs)
      if (sub.on_close) handlers.push_back(sub.on_close);
  }
  auto previous = shared_->dispatch_thread.exchange(std::this_thread::get_id());
  for (auto& h : handlers) {
    try {
      h(shared_->close_reason);
    } catch (const std::exception& e) {
      log(std::string("close handler threw: ") + e.what());
    }
  }
  shared_->dispatch_thread.store(previous);
}

CdpSubscription CdpConnection::subscribe(std::string method, std::string session_id, EventHandler handler) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  uint64_t id = shared_->next_sub_id++;
  shared_->subs[id] = {std::move(method), std::move(session_id), std::move(handler), nullptr};
  return CdpSubscription(shared_, id);
}

CdpSubscription CdpConnection::on_close(CloseHandler handler) {
  std::string reason;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (!shared_->closed) {
      uint64_t id = shared_->next_sub_id++;
      shared_->subs[id] = {"", "", nullptr, std::move(handler)};
      return CdpSubscription(shared_, id);
    }
    reason = shared_->close_reason;
  }
  handler(reason);
  return CdpSubscription();
}

bool CdpConnection::is_closed() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->closed;
}

std::string CdpConnection::close_reason() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->close_reason;
}

void CdpConnection::close() {
  if (transport_) transport_->close();
  on_transport_closed("connection closed by the rig");
}

std::size_t CdpConnection::malformed_message_count() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->malformed;
}

std::size_t CdpConnection::unmatched_reply_count() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->unmatched;
}

std::size_t CdpConnection::pending_call_count() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->pending.size();
}

}  // namespace lantern::rig
