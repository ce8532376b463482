// Buffers the events of one method on one session so a caller can block until
// the one it wants arrives, with a timeout. Subscribe before triggering the
// event (e.g. before Page.navigate) so it cannot be missed. A closed
// connection ends every wait at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "cdp/cdp_connection.h"

namespace lantern::rig {

class CdpEventQueue {
 public:
  using Predicate = std::function<bool(const CdpEvent&)>;

  CdpEventQueue(CdpConnection& connection, std::string method, std::string session_id);
  CdpEventQueue(const CdpEventQueue&) = delete;
  CdpEventQueue& operator=(const CdpEventQueue&) = delete;

  // Removes and returns the first buffered or future event that satisfies
  // `pred` (all events when empty); events before it that do not match are
  // dropped. Throws CdpTimeout or CdpConnectionClosed naming the method.
  CdpEvent wait(std::chrono::milliseconds timeout, const Predicate& pred = {});
  // Everything buffered so far.
  std::vector<CdpEvent> take_all();
  std::size_t size() const;
  const std::string& method() const { return method_; }

 private:
  std::string method_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<CdpEvent> events_;
  bool closed_ = false;
  std::string close_reason_;
  // Declared last: unsubscribed first, before the members handlers touch.
  CdpSubscription event_sub_;
  CdpSubscription close_sub_;
};

}  // namespace lantern::rig
