#include "cdp/storage_domain.h"

namespace lantern::rig::cdp::storage {

using nlohmann::json;

void clear_data_for_origin(const CdpSession& session, const std::string& origin, const std::string& storage_types) {
  session.call("Storage.clearDataForOrigin", {{"origin", origin}, {"storageTypes", storage_types}});
}

double UsageAndQuota::usage_of(const std::string& storage_type) const {
  if (!breakdown.is_array()) return 0;
  for (const auto& b : breakdown)
    if (b.value("storageType", "") == storage_type) return b.value("usage", 0.0);
  return 0;
}

UsageAndQuota get_usage_and_quota(const CdpSession& session, const std::string& origin) {
  auto r = session.call("Storage.getUsageAndQuota", {{"origin", origin}});
  UsageAndQuota u;
  u.usage_bytes = r.value("usage", 0.0);
  u.quota_bytes = r.value("quota", 0.0);
  u.override_active = r.value("overrideActive", false);
  u.breakdown = r.value("usageBreakdown", json::array());
  return u;
}

void override_quota_for_origin(const CdpSession& session, const std::string& origin, std::optional<double> quota_bytes) {
  json params = {{"origin", origin}};
  if (quota_bytes) params["quotaSize"] = *quota_bytes;
  session.call("Storage.overrideQuotaForOrigin", params);
}

}  // namespace lantern::rig::cdp::storage
