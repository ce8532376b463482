// CDP Runtime domain: evaluate (awaiting promises, returning by value; page
// exceptions become JsException with the JS message), bindings for
// page -> rig events, console messages and uncaught exceptions.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "cdp/cdp_connection.h"

namespace lantern::rig::cdp::runtime {

void enable(const CdpSession& session);

struct EvaluateOptions {
  bool await_promise = true;
  bool return_by_value = true;
  std::chrono::milliseconds timeout{30000};
};
// Returns result.value (return_by_value) or the RemoteObject. Throws
// JsException when the expression (or the awaited promise) throws.
nlohmann::json evaluate(const CdpSession& session, const std::string& expression, const EvaluateOptions& options = {});

// Installs window[name](string) in every frame of the session's target; each
// call fires Runtime.bindingCalled.
void add_binding(const CdpSession& session, const std::string& name);

struct BindingCall {
  std::string name;
  std::string payload;
  int64_t execution_context_id = 0;
};
BindingCall parse_binding_called(const CdpEvent& event);

struct ConsoleMessage {
  std::string type;  // log, warning, error, ...
  std::string text;  // arguments joined by spaces
  double timestamp_ms = 0;
};
ConsoleMessage parse_console_api_called(const CdpEvent& event);

struct PageException {
  std::string text;  // the exception's description (message and stack)
  std::string url;
  int line = 0;
  int column = 0;
};
PageException parse_exception_thrown(const CdpEvent& event);

// A readable one-line description of a CDP exceptionDetails object.
std::string describe_exception_details(const nlohmann::json& details);

}  // namespace lantern::rig::cdp::runtime
