// Exceptions of the CDP client. Every message names the protocol method that
// failed, so a scenario's failure reason says what the rig was doing.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

namespace lantern::rig {

class CdpException : public std::runtime_error {
 public:
  CdpException(std::string method, const std::string& what)
      : std::runtime_error(what), method_(std::move(method)) {}
  const std::string& method() const { return method_; }

 private:
  std::string method_;
};

// The browser answered with {"error": {code, message, data}}.
class CdpError : public CdpException {
 public:
  CdpError(const std::string& method, int code, const std::string& message, const std::string& data)
      : CdpException(method, method + " failed: " + message + (data.empty() ? "" : " (" + data + ")") +
                                 " [code " + std::to_string(code) + "]"),
        code_(code),
        protocol_message_(message) {}
  int code() const { return code_; }
  const std::string& protocol_message() const { return protocol_message_; }

 private:
  int code_;
  std::string protocol_message_;
};

// No reply (or awaited event) within the timeout.
class CdpTimeout : public CdpException {
 public:
  CdpTimeout(const std::string& method, std::chrono::milliseconds timeout, const std::string& what_waited = "")
      : CdpException(method, (what_waited.empty() ? method : what_waited) + " timed out after " +
                                 std::to_string(timeout.count()) + " ms"),
        timeout_(timeout) {}
  std::chrono::milliseconds timeout() const { return timeout_; }

 private:
  std::chrono::milliseconds timeout_;
};

// The socket closed before the reply came (browser exited or crashed).
class CdpConnectionClosed : public CdpException {
 public:
  CdpConnectionClosed(const std::string& method, const std::string& reason)
      : CdpException(method, method + " failed: connection closed (" + reason + ")"), reason_(reason) {}
  const std::string& reason() const { return reason_; }

 private:
  std::string reason_;
};

// Runtime.evaluate threw in the page; the message is the JS error text.
class JsException : public CdpException {
 public:
  JsException(const std::string& method, const std::string& js_message)
      : CdpException(method, "page JavaScript threw: " + js_message), js_message_(js_message) {}
  const std::string& js_message() const { return js_message_; }

 private:
  std::string js_message_;
};

}  // namespace lantern::rig
