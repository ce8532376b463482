#include "cdp/runtime_domain.h"

namespace lantern::rig::cdp::runtime {

using nlohmann::json;

namespace {

// A console argument (a RemoteObject) as text.
std::string remote_object_text(const json& obj) {
  if (auto v = obj.find("value"); v != obj.end()) return v->is_string() ? v->get<std::string>() : v->dump();
  if (auto u = obj.find("unserializableValue"); u != obj.end() && u->is_string()) return u->get<std::string>();
  if (auto d = obj.find("description"); d != obj.end() && d->is_string()) return d->get<std::string>();
  return obj.value("type", "undefined");
}

}  // namespace

void enable(const CdpSession& session) { session.call("Runtime.enable"); }

std::string describe_exception_details(const json& details) {
  std::string text;
  if (auto ex = details.find("exception"); ex != details.end() && ex->is_object()) {
    if (auto d = ex->find("description"); d != ex->end() && d->is_string())
      text = d->get<std::string>();
    else if (auto v = ex->find("value"); v != ex->end())
      text = v->is_string() ? v->get<std::string>() : v->dump();
  }
  if (text.empty()) text = details.value("text", "unknown exception");
  // Keep the first line (message) plus the location; stacks go to the log.
  auto nl = text.find('\n');
  std::string first = nl == std::string::npos ? text : text.substr(0, nl);
  std::string url = details.value("url", "");
  if (!url.empty())
    first += " (" + url + ":" + std::to_string(details.value("lineNumber", 0) + 1) + ":" +
             std::to_string(details.value("columnNumber", 0) + 1) + ")";
  return first;
}

json evaluate(const CdpSession& session, const std::string& expression, const EvaluateOptions& options) {
  json params = {{"expression", expression},
                 {"awaitPromise", options.await_promise},
                 {"returnByValue", options.return_by_value},
                 {"userGesture", true}};
  auto r = session.call("Runtime.evaluate", params, options.timeout);
  if (auto details = r.find("exceptionDetails"); details != r.end())
    throw JsException("Runtime.evaluate", describe_exception_details(*details));
  auto result = r.find("result");
  if (result == r.end()) return nullptr;
  if (!options.return_by_value) return *result;
  if (auto v = result->find("value"); v != result->end()) return *v;
  return nullptr;  // undefined
}

void add_binding(const CdpSession& session, const std::string& name) {
  session.call("Runtime.addBinding", {{"name", name}});
}

BindingCall parse_binding_called(const CdpEvent& event) {
  BindingCall b;
  b.name = event.params.value("name", "");
  b.payload = event.params.value("payload", "");
  b.execution_context_id = event.params.value("executionContextId", int64_t{0});
  return b;
}

ConsoleMessage parse_console_api_called(const CdpEvent& event) {
  ConsoleMessage m;
  m.type = event.params.value("type", "log");
  m.timestamp_ms = event.params.value("timestamp", 0.0);
  if (auto args = event.params.find("args"); args != event.params.end() && args->is_array()) {
    for (const auto& a : *args) {
      if (!m.text.empty()) m.text += ' ';
      m.text += remote_object_text(a);
    }
  }
  return m;
}

PageException parse_exception_thrown(const CdpEvent& event) {
  PageException p;
  const json& d = event.params.contains("exceptionDetails") ? event.params["exceptionDetails"] : event.params;
  p.text = describe_exception_details(d);
  p.url = d.value("url", "");
  p.line = d.value("lineNumber", 0) + 1;
  p.column = d.value("columnNumber", 0) + 1;
  return p;
}

}  // namespace lantern::rig::cdp::runtime
