#include "cdp/cdp_event_queue.h"

namespace lantern::rig {

CdpEventQueue::CdpEventQueue(CdpConnection& connection, std::string method, std::string session_id)
    : method_(std::move(method)) {
  event_sub_ = connection.subscribe(method_, std::move(session_id), [this](const CdpEvent& e) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(e);
    cv_.notify_all();
  });
  close_sub_ = connection.on_close([this](const std::string& reason) {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    close_reason_ = reason;
    cv_.notify_all();
  });
}

CdpEvent CdpEventQueue::wait(std::chrono::milliseconds timeout, const Predicate& pred) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    while (!events_.empty()) {
      CdpEvent e = std::move(events_.front());
      events_.pop_front();
      if (!pred || pred(e)) return e;
    }
    if (closed_) throw CdpConnectionClosed("waiting for " + method_, close_reason_);
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && events_.empty() && !closed_)
      throw CdpTimeout(method_, timeout, "waiting for " + method_);
  }
}

std::vector<CdpEvent> CdpEventQueue::take_all() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<CdpEvent> out(std::make_move_iterator(events_.begin()), std::make_move_iterator(events_.end()));
  events_.clear();
  return out;
}

std::size_t CdpEventQueue::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_.size();
}

}  // namespace lantern::rig
