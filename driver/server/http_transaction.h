// One HTTP request/response on a libwebsockets connection: carries out a
// ResponsePlan with the fault knobs applied (latency before the status line,
// bandwidth paced with lws timers, drop after N body bytes), counts every
// body byte handed to lws into the ByteLog, and records the request when it
// ends. Runs on the service thread only.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/bandwidth_link.h"
#include "server/byte_log.h"
#include "server/http_server.h"
#include "server/response_plan.h"

struct lws;

namespace lantern::rig {

class HttpTransaction {
 public:
  // `link`: the shared bandwidth of the fault's prefix (null: none, or the
  // cap applies to this response alone).
  // `send_timeout_s`: how long the socket may take no byte before the
  // connection is dropped (0: no limit); see HttpServerOptions.
  HttpTransaction(RequestInfo request, std::string raw_range, Fault fault, ResponsePlan plan,
                  ByteLog& log, std::shared_ptr<BandwidthLink> link = nullptr, unsigned send_timeout_s = 30);
  ~HttpTransaction();  // records the request as aborted if it never finished

  // Each returns what the lws callback must return: 0 to go on, -1 to close
  // the connection. start() is called from LWS_CALLBACK_HTTP.
  int start(lws* wsi);
  int on_writable(lws* wsi);
  int on_timer(lws* wsi);

  bool finished() const { return state_ == State::kDone; }
  // True when the connection must not be reused after this response.
  bool close_after() const { return close_after_; }

 private:
  enum class State { kLatency, kHeaders, kBody, kDropping, kDone };
  int write_headers(lws* wsi);
  int write_body(lws* wsi);
  int complete(lws* wsi);  // the response is fully handed to lws
  void record(bool completed);
  // Asks for a writable callback, with the send timeout armed: a client that
  // stops reading is dropped by lws after send_timeout_s_ (the connection
  // closes and this response is recorded as aborted).
  void wait_writable(lws* wsi);
  // Waits on our own timer (latency, pacing): the send timeout is off, since
  // the wait is the server's, not the client's.
  void wait_timer(lws* wsi, int64_t usecs);

  RequestInfo request_;
  Fault fault_;
  ResponsePlan plan_;
  ByteLog& log_;
  RequestRecord record_;
  bool recorded_ = false;
  bool close_after_ = false;
  State state_ = State::kHeaders;
  uint64_t sent_ = 0;  // body bytes handed to lws
  uint64_t body_length_ = 0;
  std::chrono::steady_clock::time_point pace_start_;
  std::vector<unsigned char> buffer_;
  std::shared_ptr<BandwidthLink> link_;
  unsigned send_timeout_s_ = 30;
  std::optional<std::chrono::steady_clock::time_point> piece_due_;  // reserved on link_, not sent yet
};

}  // namespace lantern::rig
