// CDP Target domain: isolated browser contexts, page targets, and flattened
// sessions (Target.attachToTarget with flatten:true: the page's messages come
// over the browser socket tagged with the returned sessionId).
#pragma once

#include <string>

#include "cdp/cdp_connection.h"

namespace lantern::rig::cdp::target {

// An incognito-like context: its own cookies, cache and storage.
std::string create_browser_context(CdpConnection& connection);
void dispose_browser_context(CdpConnection& connection, const std::string& browser_context_id);
// A new page target (in `browser_context_id` when not empty); returns targetId.
std::string create_target(CdpConnection& connection, const std::string& url,
                          const std::string& browser_context_id = "");
// Attaches with flatten:true; returns the sessionId.
std::string attach_to_target(CdpConnection& connection, const std::string& target_id);
void close_target(CdpConnection& connection, const std::string& target_id);

}  // namespace lantern::rig::cdp::target
