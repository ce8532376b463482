// CdpConnection over a mocked transport: ids and replies (also out of order),
// events interleaved with replies, session routing, malformed JSON, error
// replies, timeouts, and the socket closing in the middle of a call.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "cdp/cdp_connection.h"

namespace lantern::rig {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using ::testing::_;
using ::testing::Invoke;
using ::testing::Return;

// A transport whose send() is mocked; the test plays the browser by calling
// deliver()/peer_close() (like the real transport, from another thread).
class MockTransport : public CdpTransport {
 public:
  MOCK_METHOD(bool, send, (std::string message), (override));
  MOCK_METHOD(void, close, (), (override));
  void start(MessageHandler on_message, CloseHandler on_close) override {
    on_message_ = std::move(on_message);
    on_close_ = std::move(on_close);
  }
  void deliver(const std::string& text) { on_message_(text); }
  void deliver(const json& j) { on_message_(j.dump()); }
  void peer_close(const std::string& reason) { on_close_(reason); }

 private:
  MessageHandler on_message_;
  CloseHandler on_close_;
};

// Records what was sent, so the "browser" thread can answer by id.
class SentLog {
 public:
  bool record(const std::string& text) {
    std::lock_guard<std::mutex> lock(mu_);
    sent_.push_back(json::parse(text));
    cv_.notify_all();
    return true;
  }
  json wait_for(std::size_t index) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, 5s, [&] { return sent_.size() > index; })) throw std::runtime_error("nothing sent");
    return sent_[index];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<json> sent_;
};

struct CdpConnectionTest : ::testing::Test {
  CdpConnectionTest() {
    auto t = std::make_unique<MockTransport>();
    transport = t.get();
    ON_CALL(*transport, send(_)).WillByDefault(Invoke([this](std::string s) { return sent.record(s); }));
    EXPECT_CALL(*transport, close()).Times(::testing::AnyNumber());
    CdpConnectionOptions opts;
    opts.default_timeout = 5s;
    opts.log = [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(log_mu);
      logged.push_back(line);
    };
    conn = std::make_unique<CdpConnection>(std::move(t), opts);
  }
  MockTransport* transport = nullptr;
  SentLog sent;
  std::mutex log_mu;
  std::vector<std::string> logged;
  std::unique_ptr<CdpConnection> conn;
};

TEST_F(CdpConnectionTest, CallSendsIdMethodParamsAndReturnsResult) {
  EXPECT_CALL(*transport, send(_)).Times(1);
  auto reply = std::async(std::launch::async, [&] {
    json req = sent.wait_for(0);
    EXPECT_EQ("Browser.getVersion", req["method"]);
    EXPECT_EQ(json::object(), req["params"]);
    EXPECT_FALSE(req.contains("sessionId"));
    transport->deliver(json{{"id", req["id"]}, {"result", {{"product", "Chrome/156"}}}});
  });
  json result = conn->call("Browser.getVersion");
  reply.get();
  EXPECT_EQ("Chrome/156", result["product"]);
  EXPECT_EQ(0u, conn->pending_call_count());
}

TEST_F(CdpConnectionTest, RepliesOutOfOrderReachTheRightCaller) {
  EXPECT_CALL(*transport, send(_)).Times(3);
  std::vector<std::future<json>> calls;
  for (int i = 0; i < 3; ++i)
    calls.push_back(std::async(std::launch::async, [&, i] {
      return conn->call("Test.echo", json{{"n", i}});
    }));
  std::vector<json> reqs;
  for (int i = 0; i < 3; ++i) reqs.push_back(sent.wait_for(i));
  // Answer last-sent first; each reply carries the request's own n.
  for (int i = 2; i >= 0; --i)
    transport->deliver(json{{"id", reqs[i]["id"]}, {"result", {{"n", reqs[i]["params"]["n"]}}}});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(i, calls[i].get()["n"].get<int>());
  std::set<uint64_t> ids;
  for (auto& r : reqs) ids.insert(r["id"].get<uint64_t>());
  EXPECT_EQ(3u, ids.size()) << "ids must be unique";
}

TEST_F(CdpConnectionTest, EventsInterleavedWithRepliesAreDispatched) {
  std::vector<std::string> seen;
  std::mutex mu;
  auto sub = conn->subscribe("Page.lifecycleEvent", "", [&](const CdpEvent& e) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(e.params["name"].get<std::string>());
  });
  auto other = conn->subscribe("Network.requestWillBeSent", "", [&](const CdpEvent&) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back("network");
  });
  EXPECT_CALL(*transport, send(_)).Times(1);
  auto browser = std::async(std::launch::async, [&] {
    json req = sent.wait_for(0);
    transport->deliver(json{{"method", "Page.lifecycleEvent"}, {"params", {{"name", "init"}}}});
    transport->deliver(json{{"method", "Network.requestWillBeSent"}, {"params", json::object()}});
    transport->deliver(json{{"id", req["id"]}, {"result", {{"frameId", "F"}}}});
    transport->deliver(json{{"method", "Page.lifecycleEvent"}, {"params", {{"name", "load"}}}});
  });
  EXPECT_EQ("F", conn->call("Page.navigate", {{"url", "http://x/"}})["frameId"]);
  browser.get();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ((std::vector<std::string>{"init", "network", "load"}), seen);
}

TEST_F(CdpConnectionTest, SessionRoutingDeliversOnlyToThatSession) {
  std::vector<std::string> a, b, any, browser_level;
  auto sa = conn->subscribe("Runtime.bindingCalled", "S-A", [&](const CdpEvent& e) { a.push_back(e.params["payload"]); });
  auto sb = conn->subscribe("Runtime.bindingCalled", "S-B", [&](const CdpEvent& e) { b.push_back(e.params["payload"]); });
  auto sany = conn->subscribe("", CdpConnection::kAnySession, [&](const CdpEvent& e) { any.push_back(e.session_id); });
  auto sbr = conn->subscribe("Runtime.bindingCalled", "", [&](const CdpEvent& e) { browser_level.push_back(e.params["payload"]); });
  transport->deliver(json{{"method", "Runtime.bindingCalled"}, {"sessionId", "S-A"}, {"params", {{"payload", "1"}}}});
  transport->deliver(json{{"method", "Runtime.bindingCalled"}, {"sessionId", "S-B"}, {"params", {{"payload", "2"}}}});
  transport->deliver(json{{"method", "Runtime.bindingCalled"}, {"params", {{"payload", "3"}}}});
  EXPECT_EQ(std::vector<std::string>{"1"}, a);
  EXPECT_EQ(std::vector<std::string>{"2"}, b);
  EXPECT_EQ(std::vector<std::string>{"3"}, browser_level);
  EXPECT_EQ((std::vector<std::string>{"S-A", "S-B", ""}), any);

  // A call on a session carries its sessionId.
  EXPECT_CALL(*transport, send(_)).Times(1);
  CdpSession session(*conn, "S-A");
  auto browser = std::async(std::launch::async, [&] {
    json req = sent.wait_for(0);
    EXPECT_EQ("S-A", req["sessionId"]);
    transport->deliver(json{{"id", req["id"]}, {"sessionId", "S-A"}, {"result", json::object()}});
  });
  session.call("Runtime.enable");
  browser.get();
}

TEST_F(CdpConnectionTest, UnsubscribedHandlerIsNotCalled) {
  int calls = 0;
  auto sub = conn->subscribe("X.y", "", [&](const CdpEvent&) { ++calls; });
  transport->deliver(json{{"method", "X.y"}});
  sub.reset();
  transport->deliver(json{{"method", "X.y"}});
  EXPECT_EQ(1, calls);
}

TEST_F(CdpConnectionTest, MalformedJsonIsLoggedAndCountedNotFatal) {
  transport->deliver(std::string("{not json"));
  transport->deliver(std::string("[1,2,3]"));
  transport->deliver(std::string("{\"neither\":1}"));
  EXPECT_EQ(3u, conn->malformed_message_count());
  {
    std::lock_guard<std::mutex> lock(log_mu);
    ASSERT_FALSE(logged.empty());
    EXPECT_NE(logged[0].find("{not json"), std::string::npos) << logged[0];
  }
  // The connection still works afterwards.
  EXPECT_CALL(*transport, send(_)).Times(1);
  auto browser = std::async(std::launch::async, [&] {
    json req = sent.wait_for(0);
    transport->deliver(json{{"id", req["id"]}, {"result", {{"ok", true}}}});
  });
  EXPECT_TRUE(conn->call("Test.ok")["ok"].get<bool>());
  browser.get();
}

TEST_F(CdpConnectionTest, ErrorReplyThrowsCdpErrorNamingMethodAndMessage) {
  EXPECT_CALL(*transport, send(_)).Times(1);
  auto browser = std::async(std::launch::async, [&] {
    json req = sent.wait_for(0);
    transport->deliver(json{{"id", req["id"]},
                            {"error", {{"code", -32000}, {"message", "Cannot navigate to invalid URL"}}}});
  });
  try {
    conn->call("Page.navigate", {{"url", "nope"}});
    FAIL() << "expected CdpError";
  } catch (const CdpError& e) {
    EXPECT_EQ("Page.navigate", e.method());
    EXPECT_EQ(-32000, e.code());
    std::string what = e.what();
    EXPECT_NE(what.find("Page.navigate"), std::string::npos) << what;
    EXPECT_NE(what.find("Cannot navigate to invalid URL"), std::string::npos) << what;
  }
  browser.get();
}

// Regression (found by the cdp_message fuzz target's checks): an error reply
// whose fields had the wrong types threw from the message handler on the
// transport thread, and the waiting call only ended at its timeout.
TEST_F(CdpConnectionTest, ErrorReplyWithWrongFieldTypesStillFailsTheCall) {
  EXPECT_CALL(*transport, send(_)).Times(1);
  auto browser = std::async(std::launch::async, [&] {
    json req = sent.wait_for(0);
    transport->deliver(json{{"id", req["id"]}, {"error", {{"code", "oops"}, {"message", 5}, {"data", {1, 2}}}}});
  });
  auto t0 = Clock::now();
  try {
    conn->call("Page.navigate", {{"url", "x"}}, "", 5s);
    FAIL() << "expected CdpError";
  } catch (const CdpError& e) {
    EXPECT_EQ(0, e.code());
    EXPECT_EQ("unknown protocol error", e.protocol_message());
    EXPECT_NE(std::string(e.what()).find("[1,2]"), std::string::npos) << e.what();
  }
  EXPECT_LT(Clock::now() - t0, 2s);
  EXPECT_NO_THROW(browser.get());
}

// error.data nested 100K deep overflowed the stack on the transport thread
// (json::dump); now the call fails at once, saying why.
TEST_F(CdpConnectionTest, ReplyNested100KDeepFailsTheCallAtOnce) {
  EXPECT_CALL(*transport, send(_)).Times(1);
  auto browser = std::async(std::launch::async, [&] {
    json req = sent.wait_for(0);
    transport->deliver(R"({"id":)" + req["id"].dump() + R"(,"error":{"code":-32000,"message":"m","data":)" +
                       std::string(100000, '[') + std::string(100000, ']') + "}}");
  });
  auto t0 = Clock::now();
  try {
    conn->call("Runtime.evaluate", {{"expression", "1"}}, "", 5s);
    FAIL() << "expected CdpError";
  } catch (const CdpError& e) {
    EXPECT_NE(std::string(e.what()).find("nested deeper than 256 levels"), std::string::npos) << e.what();
  }
  EXPECT_LT(Clock::now() - t0, 2s);
  EXPECT_NO_THROW(browser.get());
  EXPECT_EQ(0u, conn->malformed_message_count());
}

TEST_F(CdpConnectionTest, NegativeOrFractionalIdsAreMalformedNotMatched) {
  transport->deliver(std::string(R"({"id":-1,"result":{}})"));
  transport->deliver(std::string(R"({"id":1.5,"result":{}})"));
  EXPECT_EQ(2u, conn->malformed_message_count());
  EXPECT_EQ(0u, conn->unmatched_reply_count());
}

TEST_F(CdpConnectionTest, TimeoutNamesMethodAndLateReplyIsIgnored) {
  EXPECT_CALL(*transport, send(_)).Times(1);
  auto t0 = Clock::now();
  try {
    conn->call("Runtime.evaluate", {{"expression", "1"}}, "", 100ms);
    FAIL() << "expected CdpTimeout";
  } catch (const CdpTimeout& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("Runtime.evaluate"), std::string::npos) << what;
    EXPECT_NE(what.find("100 ms"), std::string::npos) << what;
  }
  auto elapsed = Clock::now() - t0;
  EXPECT_GE(elapsed, 100ms);
  EXPECT_LT(elapsed, 2s);
  EXPECT_EQ(0u, conn->pending_call_count());
  json req = sent.wait_for(0);
  transport->deliver(json{{"id", req["id"]}, {"result", json::object()}});  // too late
  EXPECT_EQ(1u, conn->unmatched_reply_count());
}

TEST_F(CdpConnectionTest, SocketClosingMidCallFailsEveryPendingCallPromptly) {
  EXPECT_CALL(*transport, send(_)).Times(2);
  std::string close_reason;
  auto close_sub = conn->on_close([&](const std::string& r) { close_reason = r; });
  auto c1 = std::async(std::launch::async, [&] { conn->call("Page.navigate", {}, "", 30s); });
  auto c2 = std::async(std::launch::async, [&] { conn->call("Runtime.evaluate", {}, "S", 30s); });
  sent.wait_for(0);
  sent.wait_for(1);
  auto t0 = Clock::now();
  transport->peer_close("socket closed by the browser (did it exit?)");
  for (auto* f : {&c1, &c2}) {
    try {
      f->get();
      ADD_FAILURE() << "expected CdpConnectionClosed";
    } catch (const CdpConnectionClosed& e) {
      EXPECT_NE(std::string(e.what()).find("connection closed"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("did it exit"), std::string::npos) << e.what();
    }
  }
  EXPECT_LT(Clock::now() - t0, 1s) << "pending calls must not wait for their 30 s timeout";
  EXPECT_TRUE(conn->is_closed());
  EXPECT_EQ("socket closed by the browser (did it exit?)", close_reason);
  // Calls after the close fail at once, without sending.
  EXPECT_THROW(conn->call("Browser.getVersion"), CdpConnectionClosed);
  // A late on_close subscriber hears about it immediately.
  bool late = false;
  auto late_sub = conn->on_close([&](const std::string&) { late = true; });
  EXPECT_TRUE(late);
}

TEST_F(CdpConnectionTest, TransportRefusingToSendFailsTheCall) {
  EXPECT_CALL(*transport, send(_)).WillOnce(Return(false));
  EXPECT_THROW(conn->call("Browser.getVersion"), CdpConnectionClosed);
  EXPECT_EQ(0u, conn->pending_call_count());
}

TEST_F(CdpConnectionTest, CallFromAnEventHandlerIsRefusedNotDeadlocked) {
  std::string error;
  auto sub = conn->subscribe("X.y", "", [&](const CdpEvent&) {
    try {
      conn->call("Z.z");
    } catch (const std::logic_error& e) {
      error = e.what();
    }
  });
  transport->deliver(json{{"method", "X.y"}});
  EXPECT_NE(error.find("deadlock"), std::string::npos) << error;
}

TEST_F(CdpConnectionTest, ThrowingHandlerIsLoggedAndOthersStillRun) {
  bool second = false;
  auto s1 = conn->subscribe("X.y", "", [](const CdpEvent&) { throw std::runtime_error("boom"); });
  auto s2 = conn->subscribe("X.y", "", [&](const CdpEvent&) { second = true; });
  transport->deliver(json{{"method", "X.y"}});
  EXPECT_TRUE(second);
  std::lock_guard<std::mutex> lock(log_mu);
  ASSERT_FALSE(logged.empty());
  EXPECT_NE(logged.back().find("boom"), std::string::npos);
}

TEST_F(CdpConnectionTest, SubscriptionMayOutliveConnection) {
  auto sub = conn->subscribe("X.y", "", [](const CdpEvent&) {});
  conn.reset();
  sub.reset();  // must not crash
  SUCCEED();
}

}  // namespace
}  // namespace lantern::rig
