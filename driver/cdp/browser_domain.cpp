#include "cdp/browser_domain.h"

namespace lantern::rig::cdp::browser {

Version get_version(CdpConnection& connection) {
  auto r = connection.call("Browser.getVersion");
  Version v;
  v.protocol_version = r.value("protocolVersion", "");
  v.product = r.value("product", "");
  v.revision = r.value("revision", "");
  v.user_agent = r.value("userAgent", "");
  v.js_version = r.value("jsVersion", "");
  return v;
}

void close(CdpConnection& connection, std::chrono::milliseconds timeout) {
  try {
    connection.call("Browser.close", nlohmann::json::object(), "", timeout);
  } catch (const CdpConnectionClosed&) {
    // Expected: the browser may drop the socket before it answers.
  }
}

}  // namespace lantern::rig::cdp::browser
