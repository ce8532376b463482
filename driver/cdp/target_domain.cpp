#include "cdp/target_domain.h"

namespace lantern::rig::cdp::target {

using nlohmann::json;

namespace {
std::string required_string(const json& result, const char* key, const char* method) {
  auto it = result.find(key);
  if (it == result.end() || !it->is_string())
    throw CdpException(method, std::string(method) + " reply lacks '" + key + "': " + result.dump());
  return it->get<std::string>();
}
}  // namespace

std::string create_browser_context(CdpConnection& connection) {
  auto r = connection.call("Target.createBrowserContext", {{"disposeOnDetach", true}});
  return required_string(r, "browserContextId", "Target.createBrowserContext");
}

void dispose_browser_context(CdpConnection& connection, const std::string& browser_context_id) {
  connection.call("Target.disposeBrowserContext", {{"browserContextId", browser_context_id}});
}

std::string create_target(CdpConnection& connection, const std::string& url, const std::string& browser_context_id) {
  json params = {{"url", url}};
  if (!browser_context_id.empty()) params["browserContextId"] = browser_context_id;
  auto r = connection.call("Target.createTarget", params);
  return required_string(r, "targetId", "Target.createTarget");
}

std::string attach_to_target(CdpConnection& connection, const std::string& target_id) {
  auto r = connection.call("Target.attachToTarget", {{"targetId", target_id}, {"flatten", true}});
  return required_string(r, "sessionId", "Target.attachToTarget");
}

void close_target(CdpConnection& connection, const std::string& target_id) {
  connection.call("Target.closeTarget", {{"targetId", target_id}});
}

}  // namespace lantern::rig::cdp::target
