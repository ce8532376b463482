// One page a scenario opened: a fresh target (in its own browser context
// unless the scenario needs persistent storage), attached as a flattened
// session, with the __lanternEvent binding installed before navigation so
// the page can report named events. Events are stamped with the rig's clock
// as they arrive. Console errors, page exceptions and crashes go to the
// scenario log; a page 'error' event, a crash or a closed connection ends a
// wait at once with a clear reason.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cdp/cdp_connection.h"

namespace lantern::rig {

class Browser;
class ScenarioContext;

struct PageOptions {
  // Own browser context (like incognito: storage is not persisted). Cache
  // scenarios that need the profile on disk use the default context.
  bool isolated_context = true;
  std::string binding = "__lanternEvent";
};

struct PageEvent {
  std::string name;
  nlohmann::json data;  // the whole payload (name and page_ms included)
  std::chrono::steady_clock::time_point received;  // rig clock
};

class ScenarioPage {
 public:
  ScenarioPage(ScenarioContext& context, Browser& browser, const PageOptions& options);
  ScenarioPage(const ScenarioPage&) = delete;
  ScenarioPage& operator=(const ScenarioPage&) = delete;
  ~ScenarioPage();

  // Navigates and waits for the load event, within the scenario's budget.
  void navigate(const std::string& url);
  // The first event named `name` (already arrived or arriving within timeout).
  PageEvent wait_for_event(const std::string& name, std::chrono::milliseconds timeout);
  // The first `count` events named `name`.
  std::vector<PageEvent> wait_for_events(const std::string& name, std::size_t count,
                                         std::chrono::milliseconds timeout);
  // Events received so far (all, or those named `name`), in arrival order.
  std::vector<PageEvent> events(const std::string& name = "") const;
  // Runtime.evaluate with awaitPromise/returnByValue; JS errors fail the scenario.
  nlohmann::json evaluate(const std::string& expression, std::chrono::milliseconds timeout);

  CdpSession& session() { return *session_; }
  Browser& browser() { return browser_; }
  const std::string& target_id() const { return target_id_; }
  // Closes the target and disposes its context (best effort; idempotent).
  void close();

 private:
  void on_binding(const CdpEvent& event);
  std::string describe_seen_locked() const;
  [[noreturn]] void fail_wait(const std::string& what, std::unique_lock<std::mutex>& lock);

  ScenarioContext& context_;
  Browser& browser_;
  PageOptions options_;
  std::string context_id_;
  std::string target_id_;
  std::unique_ptr<CdpSession> session_;
  bool closed_ = false;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<PageEvent> events_;
  std::string page_error_;    // from a page 'error' event
  std::string crash_reason_;  // renderer crashed
  std::string script_error_;  // a page script's SyntaxError (it never ran)
  std::string close_reason_;  // connection closed

  // Declared last: unsubscribed before the state they touch goes away.
  std::vector<CdpSubscription> subscriptions_;
};

}  // namespace lantern::rig
