// CDP Storage domain (browser-level; call it on the browser session, i.e. a
// CdpSession with an empty id): clearing an origin's data, usage and quota.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cdp/cdp_connection.h"

namespace lantern::rig::cdp::storage {

// storage_types: comma-separated ("cache_storage", "all", ...).
void clear_data_for_origin(const CdpSession& session, const std::string& origin,
                           const std::string& storage_types = "all");

struct UsageAndQuota {
  double usage_bytes = 0;
  double quota_bytes = 0;
  bool override_active = false;
  nlohmann::json breakdown;  // [{storageType, usage}]
  // Usage of one storage type (e.g. "cache_storage"), 0 when absent.
  double usage_of(const std::string& storage_type) const;
};
UsageAndQuota get_usage_and_quota(const CdpSession& session, const std::string& origin);

// nullopt removes the override.
void override_quota_for_origin(const CdpSession& session, const std::string& origin,
                               std::optional<double> quota_bytes);

}  // namespace lantern::rig::cdp::storage
