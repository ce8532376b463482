#include "scenarios/scenario_page.h"

#include <map>
#include <thread>

#include "browser/browser.h"
#include "cdp/bounded_json.h"
#include "cdp/page_domain.h"
#include "cdp/runtime_domain.h"
#include "cdp/target_domain.h"
#include "scenarios/scenario_context.h"

namespace lantern::rig {

using nlohmann::json;
using namespace std::chrono_literals;

ScenarioPage::ScenarioPage(ScenarioContext& context, Browser& browser, const PageOptions& options)
    : context_(context), browser_(browser), options_(options) {
  CdpConnection& cdp = browser.cdp();
  if (options_.isolated_context) context_id_ = cdp::target::create_browser_context(cdp);
  target_id_ = cdp::target::create_target(cdp, "about:blank", context_id_);
  session_ = std::make_unique<CdpSession>(cdp, cdp::target::attach_to_target(cdp, target_id_));
  const std::string& sid = session_->id();

  subscriptions_.push_back(cdp.subscribe("Runtime.bindingCalled", sid, [this](const CdpEvent& e) { on_binding(e); }));
  subscriptions_.push_back(cdp.subscribe("Runtime.consoleAPICalled", sid, [this](const CdpEvent& e) {
    auto m = cdp::runtime::parse_console_api_called(e);
    context_.log("console." + m.type + ": " + m.text);
  }));
  subscriptions_.push_back(cdp.subscribe("Runtime.exceptionThrown", sid, [this](const CdpEvent& e) {
    const std::string text = cdp::runtime::parse_exception_thrown(e).text;
    context_.log("page exception: " + text);
    // A script that does not parse never runs, so the page may never report:
    // waiting out the timeout would only hide the cause.
    if (text.find("SyntaxError") == std::string::npos) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (script_error_.empty()) script_error_ = text;
    cv_.notify_all();
  }));
  subscriptions_.push_back(cdp.subscribe("Inspector.targetCrashed", sid, [this](const CdpEvent&) {
    context_.log("page crashed (renderer process gone)");
    std::lock_guard<std::mutex> lock(mu_);
    crash_reason_ = "the page's renderer crashed";
    cv_.notify_all();
  }));
  subscriptions_.push_back(cdp.on_close([this](const std::string& reason) {
    std::lock_guard<std::mutex> lock(mu_);
    close_reason_ = reason;
    cv_.notify_all();
  }));

  cdp::runtime::enable(*session_);
  cdp::page::enable(*session_);
  session_->call("Inspector.enable");
  // Before navigation, so the page's first script can already report.
  cdp::runtime::add_binding(*session_, options_.binding);
}

ScenarioPage::~ScenarioPage() {
  subscriptions_.clear();
  close();
}

void ScenarioPage::close() {
  if (closed_) return;
  closed_ = true;
  CdpConnection& cdp = browser_.cdp();
  if (cdp.is_closed()) return;
  try {  // best effort, with short timeouts: the page may be gone or hung
    cdp.call("Target.closeTarget", {{"targetId", target_id_}}, "", 3s);
    if (!context_id_.empty()) cdp.call("Target.disposeBrowserContext", {{"browserContextId", context_id_}}, "", 3s);
  } catch (const std::exception& e) {
    context_.log(std::string("closing page: ") + e.what());
  }
}

void ScenarioPage::on_binding(const CdpEvent& e) {
  auto call = cdp::runtime::parse_binding_called(e);
  if (call.name != options_.binding) return;
  PageEvent pe;
  pe.received = std::chrono::steady_clock::now();
  BoundedJson parsed = parse_bounded_json(call.payload);
  if (parsed.too_deep) {
    context_.log("ignoring a page event nested deeper than " + std::to_string(kMaxJsonDepth) +
                 " levels: " + call.payload.substr(0, 200));
    return;
  }
  pe.data = std::move(parsed.value);
  if (pe.data.is_discarded() || !pe.data.is_object() || !pe.data.contains("name") || !pe.data["name"].is_string()) {
    context_.log("ignoring a page event that is not a JSON object with a name: " + call.payload.substr(0, 200));
    return;
  }
  pe.name = pe.data["name"].get<std::string>();
  if (pe.name == "error") context_.log("page reported an error: " + pe.data.value("message", std::string("?")));
  std::lock_guard<std::mutex> lock(mu_);
  if (pe.name == "error" && page_error_.empty()) page_error_ = pe.data.value("message", std::string("(no message)"));
  events_.push_back(std::move(pe));
  cv_.notify_all();
}

void ScenarioPage::navigate(const std::string& url) {
  auto t0 = std::chrono::steady_clock::now();
  try {
    cdp::page::navigate(*session_, url, context_.budget(30s, "navigating to " + url));
  } catch (const CdpConnectionClosed& e) {
    context_.fail(std::string("browser connection closed while loading ") + url + ": " + e.reason() + "; browser " +
                  browser_.process().exit_description());
  }
  context_.log("loaded " + url + " in " +
               std::to_string(static_cast<int>(
                   std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count())) +
               " ms");
}

std::string ScenarioPage::describe_seen_locked() const {
  if (events_.empty()) return "no events seen";
  std::map<std::string, int> counts;
  std::vector<std::string> order;
  for (const auto& e : events_)
    if (counts[e.name]++ == 0) order.push_back(e.name);
  std::string out = "events seen:";
  for (const auto& n : order) {
    out.append(" ").append(n);
    if (counts[n] > 1) out.append("x").append(std::to_string(counts[n]));
  }
  return out;
}

void ScenarioPage::fail_wait(const std::string& what, std::unique_lock<std::mutex>& lock) {
  std::string seen = describe_seen_locked();
  if (!page_error_.empty()) {
    std::string err = page_error_;
    lock.unlock();
    context_.fail("page reported an error while " + what + ": " + err);
  }
  if (!crash_reason_.empty()) {
    lock.unlock();
    context_.fail(crash_reason_ + " while " + what + " (" + seen + ")");
  }
  if (!script_error_.empty()) {
    std::string err = script_error_;
    lock.unlock();
    context_.fail("a page script does not parse (" + err + ") while " + what + "; " + seen);
  }
  std::string reason = close_reason_;
  lock.unlock();
  // The socket usually closes a moment before the process is reaped.
  browser_.process().wait_for_exit(1000ms);
  context_.fail("browser connection closed while " + what + " (" + reason + "); browser " +
                browser_.process().exit_description() + "; " + seen);
}

std::vector<PageEvent> ScenarioPage::wait_for_events(const std::string& name, std::size_t count,
                                                     std::chrono::milliseconds timeout) {
  const std::string what = "waiting for " + (count == 1 ? "page event '" + name + "'"
                                                        : std::to_string(count) + " page events '" + name + "'");
  auto limit = context_.budget(timeout, what);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    std::vector<PageEvent> found;
    for (const auto& e : events_)
      if (e.name == name && found.size() < count) found.push_back(e);
    if (found.size() == count) return found;
    if (!page_error_.empty() || !crash_reason_.empty() || !script_error_.empty() || !close_reason_.empty())
      fail_wait(what, lock);
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
      bool done = false;
      std::size_t n = 0;
      for (const auto& e : events_) n += e.name == name;
      done = n >= count;
      if (done) continue;
      std::string seen = describe_seen_locked();
      lock.unlock();
      bool scenario_deadline = limit < timeout;
      context_.fail("timed out after " + std::to_string(limit.count()) + " ms " + what +
                    (scenario_deadline ? " (scenario timeout reached)" : "") + "; " + seen);
    }
  }
}

PageEvent ScenarioPage::wait_for_event(const std::string& name, std::chrono::milliseconds timeout) {
  return wait_for_events(name, 1, timeout).front();
}

std::vector<PageEvent> ScenarioPage::events(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (name.empty()) return events_;
  std::vector<PageEvent> out;
  for (const auto& e : events_)
    if (e.name == name) out.push_back(e);
  return out;
}

json ScenarioPage::evaluate(const std::string& expression, std::chrono::milliseconds timeout) {
  cdp::runtime::EvaluateOptions o;
  o.timeout = context_.budget(timeout, "evaluating JS");
  try {
    return cdp::runtime::evaluate(*session_, expression, o);
  } catch (const JsException& e) {
    context_.fail(std::string("page JavaScript threw: ") + e.js_message());
  } catch (const CdpConnectionClosed& e) {
    browser_.process().wait_for_exit(1000ms);
    context_.fail("browser connection closed while evaluating JS (" + e.reason() + "); browser " +
                  browser_.process().exit_description());
  }
}

}  // namespace lantern::rig
