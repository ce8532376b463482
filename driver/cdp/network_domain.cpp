#include "cdp/network_domain.h"

namespace lantern::rig::cdp::network {

using nlohmann::json;

void enable(const CdpSession& session) { session.call("Network.enable"); }

void set_cache_disabled(const CdpSession& session, bool disabled) {
  session.call("Network.setCacheDisabled", {{"cacheDisabled", disabled}});
}

void emulate_network_conditions(const CdpSession& session, const Conditions& c) {
  session.call("Network.emulateNetworkConditions", {{"offline", c.offline},
                                                     {"latency", c.latency_ms},
                                                     {"downloadThroughput", c.download_bytes_per_s},
                                                     {"uploadThroughput", c.upload_bytes_per_s}});
}

RequestWillBeSent parse_request_will_be_sent(const CdpEvent& event) {
  RequestWillBeSent r;
  r.request_id = event.params.value("requestId", "");
  r.timestamp_s = event.params.value("timestamp", 0.0);
  if (auto req = event.params.find("request"); req != event.params.end() && req->is_object()) {
    r.url = req->value("url", "");
    r.method = req->value("method", "");
  }
  return r;
}

ResponseReceived parse_response_received(const CdpEvent& event) {
  ResponseReceived r;
  r.request_id = event.params.value("requestId", "");
  r.timestamp_s = event.params.value("timestamp", 0.0);
  if (auto resp = event.params.find("response"); resp != event.params.end() && resp->is_object()) {
    r.url = resp->value("url", "");
    r.status = resp->value("status", 0);
    r.mime_type = resp->value("mimeType", "");
    r.from_disk_cache = resp->value("fromDiskCache", false);
    r.from_service_worker = resp->value("fromServiceWorker", false);
  }
  return r;
}

LoadingFinished parse_loading_finished(const CdpEvent& event) {
  LoadingFinished f;
  f.request_id = event.params.value("requestId", "");
  f.encoded_data_length = event.params.value("encodedDataLength", 0.0);
  f.timestamp_s = event.params.value("timestamp", 0.0);
  return f;
}

}  // namespace lantern::rig::cdp::network
