// CDP Performance domain: runtime metrics (JSHeapUsedSize, Nodes, TaskDuration...).
#pragma once

#include <map>
#include <string>

#include "cdp/cdp_connection.h"

namespace lantern::rig::cdp::performance {

void enable(const CdpSession& session);
std::map<std::string, double> get_metrics(const CdpSession& session);

}  // namespace lantern::rig::cdp::performance
