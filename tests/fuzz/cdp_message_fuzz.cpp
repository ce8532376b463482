// libFuzzer target for the rig's CDP message handling: arbitrary bytes as one
// incoming websocket text message, first through the pure parser
// (driver/cdp/cdp_message.h), then through a CdpConnection over an in-memory
// transport, with subscribers on every session and a reply id registered by
// send_only(). Checks: the parser never throws and its result is consistent;
// the connection never throws out of its message handler and counts every
// malformed message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "cdp/cdp_connection.h"
#include "cdp/cdp_message.h"

namespace {

using namespace lantern::rig;

void require(bool ok) {
  if (!ok) std::abort();
}

// Plays the browser side: start() keeps the handler so the input can be
// delivered; everything the rig sends is accepted and dropped.
class InMemoryTransport : public CdpTransport {
 public:
  void start(MessageHandler on_message, CloseHandler on_close) override {
    on_message_ = std::move(on_message);
    on_close_ = std::move(on_close);
  }
  bool send(std::string) override { return !closed_; }
  void close() override {
    if (closed_) return;
    closed_ = true;
    if (on_close_) on_close_("closed");
  }
  void deliver(std::string text) { on_message_(std::move(text)); }

 private:
  MessageHandler on_message_;
  CloseHandler on_close_;
  bool closed_ = false;
};

void check_parse(std::string_view text) {
  CdpIncomingMessage m = parse_cdp_message(text);
  switch (m.kind) {
    case CdpIncomingMessage::Kind::kMalformed:
      require(!m.malformed_reason.empty());
      break;
    case CdpIncomingMessage::Kind::kReply:
      require(m.malformed_reason.empty());
      if (m.error) {
        require(m.result.is_null());
        require(!m.error->message.empty());
      }
      (void)m.result.dump();  // valid JSON text in, so dumping must not throw
      break;
    case CdpIncomingMessage::Kind::kEvent:
      require(m.malformed_reason.empty());
      (void)m.params.dump();
      break;
  }
}

void check_connection(std::string_view text) {
  auto owned = std::make_unique<InMemoryTransport>();
  InMemoryTransport* transport = owned.get();
  std::string last_log;
  CdpConnectionOptions options;
  options.log = [&](const std::string& line) { last_log = line; };
  CdpConnection connection(std::move(owned), options);
  std::size_t events = 0;
  auto any = connection.subscribe("", CdpConnection::kAnySession, [&](const CdpEvent&) { ++events; });
  auto throwing = connection.subscribe("", "", [](const CdpEvent&) { throw std::runtime_error("handler"); });
  require(connection.send_only("Page.crash"));  // id 1: its reply must be swallowed

  const CdpIncomingMessage parsed = parse_cdp_message(text);
  transport->deliver(std::string(text));
  switch (parsed.kind) {
    case CdpIncomingMessage::Kind::kMalformed:
      require(connection.malformed_message_count() == 1);
      require(!last_log.empty());
      break;
    case CdpIncomingMessage::Kind::kReply:
      require(connection.malformed_message_count() == 0);
      require(connection.unmatched_reply_count() == (parsed.id == 1 ? 0u : 1u));
      break;
    case CdpIncomingMessage::Kind::kEvent:
      require(connection.malformed_message_count() == 0);
      require(events == 1);
      break;
  }
  require(connection.pending_call_count() == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check_parse(text);
  check_connection(text);
  return 0;
}
