// One incoming CDP message, parsed without side effects: a reply to a call
// (by id, with its result or its protocol error), an event (method, optional
// sessionId, params), or a malformed message with the reason. The connection
// (cdp_connection.cpp) only dispatches what this returns; the fuzz target
// tests/fuzz/cdp_message_fuzz.cpp feeds it arbitrary bytes.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace lantern::rig {

struct CdpProtocolError {
  int code = 0;
  std::string message;
  std::string data;  // a non-string "data" is kept as its JSON text
};

struct CdpIncomingMessage {
  enum class Kind { kMalformed, kReply, kEvent };
  Kind kind = Kind::kMalformed;
  std::string malformed_reason;  // kMalformed only

  // kReply
  uint64_t id = 0;
  std::optional<CdpProtocolError> error;  // set: an error reply; result is then null
  nlohmann::json result;                  // an object when the reply carried none

  // kEvent
  std::string method;
  std::string session_id;  // empty: the browser-level session
  nlohmann::json params;   // null when the event carried none
};

// Never throws on any input (bad JSON, wrong field types, huge numbers).
CdpIncomingMessage parse_cdp_message(std::string_view text);

}  // namespace lantern::rig
