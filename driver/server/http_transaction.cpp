#include "server/http_transaction.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <libwebsockets.h>

namespace lantern::rig {
namespace {

constexpr uint64_t kMaxChunk = 256 * 1024;  // big pieces for loopback throughput
constexpr uint64_t kMinPacedChunk = 1024;
constexpr size_t kHeaderSpace = 4096;

using Clock = std::chrono::steady_clock;

// Paced transfers send ~100 pieces per second, so a cap is smooth at the
// scale of tens of milliseconds.
uint64_t chunk_size_for(const Fault& fault) {
  if (fault.bandwidth_bytes_per_s == 0) return kMaxChunk;
  return std::clamp<uint64_t>(fault.bandwidth_bytes_per_s / 100, kMinPacedChunk, kMaxChunk);
}

bool add_header(lws* wsi, const std::string& name, const std::string& value, unsigned char** p,
                unsigned char* end) {
  std::string with_colon = name + ":";
  return lws_add_http_header_by_name(wsi, reinterpret_cast<const unsigned char*>(with_colon.c_str()),
                                     reinterpret_cast<const unsigned char*>(value.data()),
                                     static_cast<int>(value.size()), p, end) == 0;
}

}  // namespace

HttpTransaction::HttpTransaction(RequestInfo request, std::string raw_range, Fault fault,
                                 ResponsePlan plan, ByteLog& log, std::shared_ptr<BandwidthLink> link,
                                 unsigned send_timeout_s)
    : request_(std::move(request)),
      fault_(fault),
      plan_(std::move(plan)),
      log_(log),
      link_(std::move(link)),
      send_timeout_s_(send_timeout_s) {
  record_.method = request_.method;
  record_.path = request_.path;
  record_.range = std::move(raw_range);
  record_.start = Clock::now();
  log_.begin_request();
  body_length_ = plan_.send_body ? plan_.content_length : 0;
  // A request body we do not read (POST, ...) would be parsed as the next
  // request on a kept-alive connection: close instead.
  close_after_ = request_.method != "GET" && request_.method != "HEAD";
}

HttpTransaction::~HttpTransaction() {
  if (!recorded_) record(false);
}

void HttpTransaction::record(bool completed) {
  if (recorded_) return;
  recorded_ = true;
  record_.end = Clock::now();
  record_.completed = completed;
  record_.body_bytes = sent_;
  log_.add_request(record_);
}

void HttpTransaction::wait_writable(lws* wsi) {
  if (send_timeout_s_ > 0) lws_set_timeout(wsi, PENDING_TIMEOUT_HTTP_CONTENT, static_cast<int>(send_timeout_s_));
  else lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
  lws_callback_on_writable(wsi);
}

void HttpTransaction::wait_timer(lws* wsi, int64_t usecs) {
  lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
  lws_set_timer_usecs(wsi, std::max<lws_usec_t>(static_cast<lws_usec_t>(usecs), 1));
}

int HttpTransaction::start(lws* wsi) {
  // Latency and pacing may hold a response longer than lws' default
  // timeouts, so those waits run with no timeout (wait_timer); every wait on
  // the client has the send timeout (wait_writable); the keep-alive timeout
  // applies between requests.
  if (fault_.latency.count() > 0) {
    state_ = State::kLatency;
    wait_timer(wsi, static_cast<int64_t>(fault_.latency.count()) * 1000);
    return 0;
  }
  state_ = State::kHeaders;
  wait_writable(wsi);
  return 0;
}

int HttpTransaction::on_timer(lws* wsi) {
  if (state_ == State::kLatency) state_ = State::kHeaders;
  if (state_ != State::kDone) wait_writable(wsi);
  return 0;
}

int HttpTransaction::on_writable(lws* wsi) {
  switch (state_) {
    case State::kHeaders: return write_headers(wsi);
    case State::kBody: return write_body(wsi);
    case State::kDropping:
      // Reached only after lws flushed everything we handed it, so the client
      // has exactly drop_after_bytes body bytes when the socket closes.
      record(false);
      state_ = State::kDone;
      close_after_ = true;
      return -1;
    case State::kLatency:
    case State::kDone: return 0;
  }
  return 0;
}

int HttpTransaction::write_headers(lws* wsi) {
  std::vector<unsigned char> buf(LWS_PRE + kHeaderSpace);
  unsigned char* start = buf.data() + LWS_PRE;
  unsigned char* p = start;
  unsigned char* end = buf.data() + buf.size() - 1;
  if (lws_add_http_header_status(wsi, static_cast<unsigned>(plan_.status), &p, end)) return -1;
  for (const auto& [name, value] : plan_.headers) {
    if (!add_header(wsi, name, value, &p, end)) return -1;
  }
  if (plan_.has_content_length) {
    if (body_length_ > 0) {
      // Tells lws the body size so it keeps the connection alive after it.
      if (lws_add_http_header_content_length(wsi, body_length_, &p, end)) return -1;
    } else if (!add_header(wsi, "content-length", std::to_string(plan_.content_length), &p, end)) {
      return -1;
    }
  }
  if (close_after_ && !add_header(wsi, "connection", "close", &p, end)) return -1;
  if (lws_finalize_write_http_header(wsi, start, &p, end)) return -1;
  record_.status = plan_.status;
  if (body_length_ == 0) return complete(wsi);

  buffer_.resize(LWS_PRE + chunk_size_for(fault_));
  pace_start_ = Clock::now();
  bool drop_now = fault_.drop_after_bytes && *fault_.drop_after_bytes == 0;
  state_ = drop_now ? State::kDropping : State::kBody;
  wait_writable(wsi);
  return 0;
}

int HttpTransaction::write_body(lws* wsi) {
  uint64_t want = std::min<uint64_t>(body_length_ - sent_, buffer_.size() - LWS_PRE);
  const bool drops = fault_.drop_after_bytes && *fault_.drop_after_bytes < body_length_;
  if (drops) want = std::min<uint64_t>(want, *fault_.drop_after_bytes - sent_);

  if (link_) {
    // Shared cap: this piece waits for its slot on the link, reserved once.
    const auto now = Clock::now();
    if (!piece_due_) piece_due_ = link_->reserve(want, now);
    if (*piece_due_ > now) {
      wait_timer(wsi, std::chrono::duration_cast<std::chrono::microseconds>(*piece_due_ - now).count());
      return 0;
    }
    piece_due_.reset();
  } else if (fault_.bandwidth_bytes_per_s > 0) {
    // Token schedule: by time t after the first byte, rate*t bytes may have
    // gone out. Wait on an lws timer, never sleep the service thread.
    const double rate = static_cast<double>(fault_.bandwidth_bytes_per_s);
    const double elapsed = std::chrono::duration<double>(Clock::now() - pace_start_).count();
    const double due = static_cast<double>(sent_ + want) / rate;
    if (due > elapsed) {
      wait_timer(wsi, static_cast<int64_t>((due - elapsed) * 1e6));
      return 0;
    }
  }

  unsigned char* data = buffer_.data() + LWS_PRE;
  size_t n = 0;
  if (plan_.file) {
    ssize_t got;
    do {
      got = ::pread(plan_.file->fd(), data, want, static_cast<off_t>(plan_.file_offset + sent_));
    } while (got < 0 && errno == EINTR);
    if (got <= 0) return -1;  // the file shrank or vanished under us: abort the response
    n = static_cast<size_t>(got);
  } else {
    n = static_cast<size_t>(want);
    std::memcpy(data, plan_.text_body.data() + sent_, n);
  }
  const bool last = sent_ + n == body_length_;
  // Counted before the hand-off, so a client never sees a byte the log does
  // not show yet; taken back if lws refuses it (the connection is broken).
  log_.add_body_bytes(request_.path, n);
  int written = lws_write(wsi, data, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
  if (written < static_cast<int>(n)) {
    log_.remove_body_bytes(request_.path, n);
    return -1;
  }
  sent_ += n;
  if (last) return complete(wsi);
  if (drops && sent_ == *fault_.drop_after_bytes) state_ = State::kDropping;
  wait_writable(wsi);
  return 0;
}

int HttpTransaction::complete(lws* wsi) {
  record(true);
  state_ = State::kDone;
  if (close_after_) return -1;
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

}  // namespace lantern::rig
