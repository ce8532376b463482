// The byte pipe under a CDP connection: text messages out, text messages and
// a close notification in. The libwebsockets client implements it
// (lws_transport.h); unit tests mock it.
#pragma once

#include <functional>
#include <string>

namespace lantern::rig {

class CdpTransport {
 public:
  using MessageHandler = std::function<void(std::string message)>;
  using CloseHandler = std::function<void(const std::string& reason)>;

  virtual ~CdpTransport() = default;
  // Installs the handlers; called once, by the connection that owns the
  // transport. Messages or a close that arrived earlier are delivered now.
  // Handlers run on the transport's own thread, one at a time; the close
  // handler runs at most once and no message follows it.
  virtual void start(MessageHandler on_message, CloseHandler on_close) = 0;
  // Queues one text message; false when the transport is already closed.
  virtual bool send(std::string message) = 0;
  // Closes the connection (idempotent). The close handler fires if it has
  // not yet.
  virtual void close() = 0;
};

}  // namespace lantern::rig
