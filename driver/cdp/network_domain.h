// CDP Network domain: request/response/finished events (with the bytes that
// crossed the wire), cache bypass and throttling.
#pragma once

#include <string>

#include "cdp/cdp_connection.h"

namespace lantern::rig::cdp::network {

void enable(const CdpSession& session);
void set_cache_disabled(const CdpSession& session, bool disabled);

struct Conditions {
  bool offline = false;
  double latency_ms = 0;
  double download_bytes_per_s = -1;  // -1: no limit
  double upload_bytes_per_s = -1;
};
void emulate_network_conditions(const CdpSession& session, const Conditions& conditions);

struct RequestWillBeSent {
  std::string request_id;
  std::string url;
  std::string method;
  double timestamp_s = 0;  // monotonic seconds, browser clock
};
RequestWillBeSent parse_request_will_be_sent(const CdpEvent& event);

struct ResponseReceived {
  std::string request_id;
  std::string url;
  int status = 0;
  std::string mime_type;
  bool from_disk_cache = false;
  bool from_service_worker = false;
  double timestamp_s = 0;
};
ResponseReceived parse_response_received(const CdpEvent& event);

struct LoadingFinished {
  std::string request_id;
  double encoded_data_length = 0;  // bytes received over the network
  double timestamp_s = 0;
};
LoadingFinished parse_loading_finished(const CdpEvent& event);

}  // namespace lantern::rig::cdp::network
