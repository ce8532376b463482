#include "cdp/cdp_message.h"

#include <limits>

#include "cdp/bounded_json.h"

namespace lantern::rig {

using nlohmann::json;

namespace {

CdpIncomingMessage malformed(std::string reason) {
  CdpIncomingMessage m;
  m.kind = CdpIncomingMessage::Kind::kMalformed;
  m.malformed_reason = std::move(reason);
  return m;
}

// A protocol error object whose fields may have any type: the browser is
// trusted to send the documented shape, but a wrong type must not throw on
// the transport thread (it did, through json::value, before this parser).
CdpProtocolError read_protocol_error(const json& err) {
  CdpProtocolError e;
  e.message = "unknown protocol error";
  if (auto c = err.find("code"); c != err.end()) {
    if (c->is_number_integer()) {
      const int64_t v = c->get<int64_t>();
      if (v >= std::numeric_limits<int>::min() && v <= std::numeric_limits<int>::max()) e.code = static_cast<int>(v);
    } else if (c->is_number_unsigned()) {
      const uint64_t v = c->get<uint64_t>();
      if (v <= static_cast<uint64_t>(std::numeric_limits<int>::max())) e.code = static_cast<int>(v);
    }
  }
  // An empty message says as little as a missing one: keep the placeholder.
  if (auto m = err.find("message"); m != err.end() && m->is_string() && !m->get_ref<const std::string&>().empty())
    e.message = m->get<std::string>();
  if (auto d = err.find("data"); d != err.end())
    e.data = d->is_string() ? d->get<std::string>() : d->dump(-1, ' ', false, json::error_handler_t::replace);
  return e;
}

}  // namespace

CdpIncomingMessage parse_cdp_message(std::string_view text) {
  BoundedJson parsed = parse_bounded_json(text);
  json message = std::move(parsed.value);
  if (message.is_discarded()) return malformed("not JSON");
  if (!message.is_object()) return malformed("not a JSON object");
  const std::string too_deep = "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";

  if (auto id_it = message.find("id"); id_it != message.end()) {
    // Our ids are positive; a negative or fractional one cannot match a call.
    if (!id_it->is_number_unsigned()) return malformed("reply with an id that is not a non-negative integer");
    CdpIncomingMessage m;
    m.kind = CdpIncomingMessage::Kind::kReply;
    m.id = id_it->get<uint64_t>();
    if (parsed.too_deep) {
      // The call still fails at once, with this, instead of waiting for its
      // timeout; nothing of the over-deep reply is kept.
      m.error = CdpProtocolError{-32700, "the browser's reply is " + too_deep + " (the rig's limit for JSON it reads)", ""};
      return m;
    }
    if (auto err = message.find("error"); err != message.end() && err->is_object()) {
      m.error = read_protocol_error(*err);
    } else {
      auto res = message.find("result");
      m.result = res != message.end() ? std::move(*res) : json::object();
    }
    return m;
  }

  if (parsed.too_deep) return malformed("an event " + too_deep);
  auto method_it = message.find("method");
  if (method_it == message.end() || !method_it->is_string()) return malformed("neither an id nor a method");
  CdpIncomingMessage m;
  m.kind = CdpIncomingMessage::Kind::kEvent;
  m.method = method_it->get<std::string>();
  if (auto s = message.find("sessionId"); s != message.end() && s->is_string()) m.session_id = s->get<std::string>();
  if (auto p = message.find("params"); p != message.end()) m.params = std::move(*p);
  return m;
}

}  // namespace lantern::rig
