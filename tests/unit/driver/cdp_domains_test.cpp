// The thin domain helpers and the event queue over a scripted transport:
// what each helper sends, how it reads replies and events, and how waits end
// (timeout, connection closed).
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "cdp/cdp_event_queue.h"
#include "cdp/network_domain.h"
#include "cdp/page_domain.h"
#include "cdp/runtime_domain.h"
#include "cdp/storage_domain.h"
#include "cdp/target_domain.h"

namespace lantern::rig {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

// Answers each request synchronously through `respond` (which may also emit
// events first); records what was sent.
class ScriptedTransport : public CdpTransport {
 public:
  std::function<void(ScriptedTransport&, const json& request)> respond;
  std::vector<json> sent;
  void start(MessageHandler m, CloseHandler c) override {
    on_message_ = std::move(m);
    on_close_ = std::move(c);
  }
  bool send(std::string message) override {
    json req = json::parse(message);
    sent.push_back(req);
    if (respond) respond(*this, req);
    return true;
  }
  void close() override {}
  void reply(const json& req, const json& result) { on_message_(json{{"id", req["id"]}, {"result", result}}.dump()); }
  void event(const std::string& method, const json& params, const std::string& session = "") {
    json e = {{"method", method}, {"params", params}};
    if (!session.empty()) e["sessionId"] = session;
    on_message_(e.dump());
  }
  void peer_close(const std::string& why) { on_close_(why); }

 private:
  MessageHandler on_message_;
  CloseHandler on_close_;
};

struct DomainTest : ::testing::Test {
  DomainTest() {
    auto t = std::make_unique<ScriptedTransport>();
    transport = t.get();
    CdpConnectionOptions o;
    o.default_timeout = 2s;
    o.log = [](const std::string&) {};
    conn = std::make_unique<CdpConnection>(std::move(t), o);
  }
  ScriptedTransport* transport;
  std::unique_ptr<CdpConnection> conn;
};

TEST_F(DomainTest, TargetHelpersSendFlattenAndReadIds) {
  transport->respond = [](ScriptedTransport& t, const json& req) {
    if (req["method"] == "Target.createBrowserContext") t.reply(req, {{"browserContextId", "CTX"}});
    if (req["method"] == "Target.createTarget") t.reply(req, {{"targetId", "T1"}});
    if (req["method"] == "Target.attachToTarget") t.reply(req, {{"sessionId", "S1"}});
  };
  EXPECT_EQ("CTX", cdp::target::create_browser_context(*conn));
  EXPECT_EQ("T1", cdp::target::create_target(*conn, "about:blank", "CTX"));
  EXPECT_EQ("CTX", transport->sent.back()["params"]["browserContextId"]);
  EXPECT_EQ("S1", cdp::target::attach_to_target(*conn, "T1"));
  EXPECT_EQ(true, transport->sent.back()["params"]["flatten"]);
}

TEST_F(DomainTest, MissingReplyFieldIsAClearError) {
  transport->respond = [](ScriptedTransport& t, const json& req) { t.reply(req, json::object()); };
  try {
    cdp::target::create_target(*conn, "about:blank");
    FAIL();
  } catch (const CdpException& e) {
    EXPECT_NE(std::string(e.what()).find("lacks 'targetId'"), std::string::npos) << e.what();
  }
}

TEST_F(DomainTest, NavigateWaitsForLoadEventOfItsSession) {
  transport->respond = [](ScriptedTransport& t, const json& req) {
    if (req["method"] != "Page.navigate") return;
    EXPECT_EQ("S", req["sessionId"]);
    t.reply(req, {{"frameId", "F"}, {"loaderId", "L"}});
    t.event("Page.loadEventFired", {{"timestamp", 1.0}}, "OTHER");  // another page's load
    std::thread([&t] {
      std::this_thread::sleep_for(50ms);
      t.event("Page.loadEventFired", {{"timestamp", 2.0}}, "S");
    }).detach();
  };
  auto t0 = std::chrono::steady_clock::now();
  auto r = cdp::page::navigate(CdpSession(*conn, "S"), "http://x/", 2s);
  EXPECT_EQ("F", r.frame_id);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 40ms) << "must wait for its own session's load event";
}

TEST_F(DomainTest, NavigateErrorTextAndMissingLoadEvent) {
  transport->respond = [](ScriptedTransport& t, const json& req) {
    t.reply(req, {{"frameId", "F"}, {"errorText", "net::ERR_CONNECTION_REFUSED"}});
  };
  try {
    cdp::page::navigate(CdpSession(*conn, "S"), "http://127.0.0.1:9/", 1s);
    FAIL();
  } catch (const CdpException& e) {
    EXPECT_NE(std::string(e.what()).find("ERR_CONNECTION_REFUSED"), std::string::npos) << e.what();
  }
  transport->respond = [](ScriptedTransport& t, const json& req) { t.reply(req, {{"frameId", "F"}}); };
  try {
    cdp::page::navigate(CdpSession(*conn, "S"), "http://x/slow", 150ms);
    FAIL();
  } catch (const CdpTimeout& e) {
    EXPECT_NE(std::string(e.what()).find("no load event"), std::string::npos) << e.what();
  }
}

TEST_F(DomainTest, EvaluateReturnsValueOrThrowsJsMessage) {
  transport->respond = [](ScriptedTransport& t, const json& req) {
    EXPECT_EQ(true, req["params"]["awaitPromise"]);
    EXPECT_EQ(true, req["params"]["returnByValue"]);
    if (req["params"]["expression"] == "ok")
      t.reply(req, {{"result", {{"type", "number"}, {"value", 42}}}});
    else
      t.reply(req, {{"result", {{"type", "object"}}},
                    {"exceptionDetails",
                     {{"text", "Uncaught"},
                      {"exception", {{"description", "TypeError: x is not a function\n    at <anonymous>:1:1"}}},
                      {"url", "http://x/p.js"}, {"lineNumber", 4}, {"columnNumber", 2}}}});
  };
  CdpSession s(*conn, "S");
  EXPECT_EQ(42, cdp::runtime::evaluate(s, "ok").get<int>());
  try {
    cdp::runtime::evaluate(s, "bad");
    FAIL();
  } catch (const JsException& e) {
    EXPECT_EQ("TypeError: x is not a function (http://x/p.js:5:3)", e.js_message());
  }
}

TEST(DomainParsers, EventsToStructs) {
  CdpEvent console{"Runtime.consoleAPICalled", "S",
                   {{"type", "error"},
                    {"timestamp", 5.0},
                    {"args", {{{"type", "string"}, {"value", "bad"}}, {{"type", "number"}, {"value", 42}},
                              {{"type", "object"}, {"description", "Object"}}}}}};
  auto m = cdp::runtime::parse_console_api_called(console);
  EXPECT_EQ("error", m.type);
  EXPECT_EQ("bad 42 Object", m.text);

  CdpEvent binding{"Runtime.bindingCalled", "S", {{"name", "__lanternEvent"}, {"payload", "{}"}, {"executionContextId", 3}}};
  EXPECT_EQ(3, cdp::runtime::parse_binding_called(binding).execution_context_id);

  CdpEvent finished{"Network.loadingFinished", "S", {{"requestId", "R"}, {"encodedDataLength", 1234.0}, {"timestamp", 9.5}}};
  auto f = cdp::network::parse_loading_finished(finished);
  EXPECT_EQ("R", f.request_id);
  EXPECT_EQ(1234.0, f.encoded_data_length);

  CdpEvent resp{"Network.responseReceived", "S",
                {{"requestId", "R"}, {"response", {{"url", "http://x/a.wasm"}, {"status", 206}, {"mimeType", "application/wasm"}, {"fromDiskCache", true}}}}};
  auto r = cdp::network::parse_response_received(resp);
  EXPECT_EQ(206, r.status);
  EXPECT_TRUE(r.from_disk_cache);
  EXPECT_EQ("application/wasm", r.mime_type);

  cdp::storage::UsageAndQuota u;
  u.breakdown = json::parse(R"([{"storageType":"indexeddb","usage":5},{"storageType":"cache_storage","usage":777}])");
  EXPECT_EQ(777, u.usage_of("cache_storage"));
  EXPECT_EQ(0, u.usage_of("websql"));
}

TEST(DomainParsers, Base64) {
  EXPECT_EQ("", cdp::page::base64_decode(""));
  EXPECT_EQ("f", cdp::page::base64_decode("Zg=="));
  EXPECT_EQ("fo", cdp::page::base64_decode("Zm8="));
  EXPECT_EQ("foobar", cdp::page::base64_decode("Zm9vYmFy"));
  EXPECT_EQ(std::string("\x89PNG", 4), cdp::page::base64_decode("iVBORw=="));
  EXPECT_THROW(cdp::page::base64_decode("Zm9v!"), std::invalid_argument);
}

TEST_F(DomainTest, EventQueueFiltersTimesOutAndEndsOnClose) {
  CdpEventQueue q(*conn, "Page.lifecycleEvent", "S");
  transport->event("Page.lifecycleEvent", {{"name", "init"}}, "S");
  transport->event("Page.lifecycleEvent", {{"name", "load"}}, "S");
  transport->event("Page.lifecycleEvent", {{"name", "load"}}, "OTHER");
  auto e = q.wait(1s, [](const CdpEvent& ev) { return cdp::page::lifecycle_event_name(ev) == "load"; });
  EXPECT_EQ("load", e.params["name"]);
  EXPECT_EQ(0u, q.size()) << "the non-matching init was dropped, OTHER's never queued";
  try {
    q.wait(100ms);
    FAIL();
  } catch (const CdpTimeout& e) {
    EXPECT_NE(std::string(e.what()).find("waiting for Page.lifecycleEvent timed out after 100 ms"), std::string::npos)
        << e.what();
  }
  auto waiter = std::async(std::launch::async, [&] { return q.wait(10s); });
  std::this_thread::sleep_for(50ms);
  auto t0 = std::chrono::steady_clock::now();
  transport->peer_close("browser gone");
  EXPECT_THROW(waiter.get(), CdpConnectionClosed);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
}

}  // namespace
}  // namespace lantern::rig
