// CDP Browser domain: the helpers the rig uses, nothing more.
#pragma once

#include <chrono>
#include <string>

#include "cdp/cdp_connection.h"

namespace lantern::rig::cdp::browser {

struct Version {
  std::string protocol_version;
  std::string product;  // e.g. "HeadlessChrome/156.0.8078.79"
  std::string revision;
  std::string user_agent;
  std::string js_version;
};

Version get_version(CdpConnection& connection);
// Asks the browser to shut down cleanly (profile data, Cache API entries are
// flushed). The socket often closes before the reply: that counts as success.
void close(CdpConnection& connection, std::chrono::milliseconds timeout);

}  // namespace lantern::rig::cdp::browser
