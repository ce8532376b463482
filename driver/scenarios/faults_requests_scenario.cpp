// faults-requests: bad input and awkward timing through the JS API, on
// stories260K on the wasm CPU backend (the API and queue logic are the same on every backend; faults-device-lost covers WebGPU) with a small context (n_ctx 64, prefill batches of 8):
//   every invalid request shape is rejected with an OpenAI error object
//   (type invalid_request_error, a param naming the field), and the engine
//   answers the next request normally;
//   context overflow: a prompt longer than n_ctx, or prompt + max_tokens past
//   it, is rejected with code context_length_exceeded (OpenAI's rule); with
//   no max_tokens the answer stops when the KV cache is full (prompt +
//   completion = n_ctx + 1: the last token needs no slot), finish "length";
//   100 requests made at once all complete, in the order they were made;
//   interrupting during prefill and during decode ends the stream with
//   finish_reason "abort", and the next request answers as before.
// Runs in the page and in a worker.
#include "scenarios/builtin_scenarios.h"
#include "scenarios/faults_scenario_kit.h"

namespace lantern::rig {

using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// The field each bad request must be blamed on (OpenAI's "param").
const std::vector<std::pair<std::string, std::string>> kBadRequestParams = {
    {"messages_missing", "messages"},
    {"messages_empty", "messages"},
    {"messages_not_array", "messages"},
    {"message_not_object", "messages[0]"},
    {"role_unknown", "messages[0].role"},
    {"role_missing", "messages[0].role"},
    {"content_wrong_type", "messages[0].content"},
    {"max_tokens_negative", "max_tokens"},
    {"max_tokens_zero", "max_tokens"},
    {"max_tokens_huge", "max_tokens"},
    {"max_tokens_string", "max_tokens"},
    {"max_tokens_fraction", "max_tokens"},
    {"temperature_string", "temperature"},
    {"temperature_negative", "temperature"},
    {"top_p_above_one", "top_p"},
    {"n_with_stream", "n"},
    {"n_zero", "n"},
    {"stop_wrong_type", "stop"},
    {"response_format_unknown", "response_format.type"},
    {"response_format_unsupported_keyword", "response_format.json_schema.schema"},
    {"response_format_bad_grammar", "grammar"},
    {"response_format_not_object", "response_format"},
    {"stream_options_without_stream", "stream_options"},
    {"logit_bias_bad_token", "logit_bias"},
    // NaN / Infinity, which JSON.stringify would have turned into null.
    {"max_tokens_nan", "max_tokens"},
    {"max_tokens_infinity", "max_tokens"},
    {"temperature_nan", "temperature"},
    {"logit_bias_nan", "logit_bias.5"},
};

void check(ScenarioContext& ctx, const json& r, const std::string& label) {
  const json& bad = r["bad"];
  ctx.expect_eq(label + ": bad request cases run", kBadRequestParams.size(), bad.size());
  for (const auto& [name, param] : kBadRequestParams) {
    const json& e = bad.value(name, json::object());
    const std::string what = label + ": " + name;
    ctx.expect(!e.value("accepted", false), what + " is rejected");
    ctx.expect_eq(what + ": error name", std::string("ApiError"), e.value("name", std::string()));
    ctx.expect_eq(what + ": error type", std::string("invalid_request_error"), e.value("type", std::string()));
    // The param names the field, or an element of it ("logit_bias[99999999]").
    const std::string got = e.value("param", std::string());
    ctx.expect(got.rfind(param, 0) == 0, what + ": param names " + param + ", got \"" + got + "\" (" +
                                             e.value("message", std::string()) + ")");
    ctx.expect(!e.value("message", std::string()).empty(), what + ": a message");
  }
  const json& after = r["after_bad"];
  ctx.expect_eq(label + ": the request after the bad ones answers", 8, after.value("tokens", 0));

  const int n_ctx = r.value("n_ctx", 0);
  for (const char* k : {"prompt_over_ctx", "max_tokens_over_ctx"}) {
    const json& e = r[k];
    ctx.expect_eq(label + ": " + k + " code", std::string("context_length_exceeded"), e.value("code", std::string()));
    faults_kit::expect_mentions(ctx, e.value("message", std::string()), {std::to_string(n_ctx)}, label + ": " + k);
  }
  const json& lim = r["to_limit"];
  ctx.expect_eq(label + ": no max_tokens: finish at the context's end", std::string("length"), lim.value("finish", std::string()));
  // Every token but the last takes a KV slot: n_ctx slots hold the prompt
  // and all of the completion but its final token.
  ctx.expect_eq(label + ": no max_tokens: prompt + completion = n_ctx + 1", n_ctx + 1,
                lim.value("prompt_tokens", 0) + lim.value("tokens", 0));

  const json& q = r["queued"];
  ctx.expect_eq(label + ": 100 queued requests fulfilled", 100, q.value("fulfilled", 0));
  ctx.expect(q.value("in_order", false), label + ": queued requests finish in the order they were made");

  for (const char* k : {"interrupt_prefill", "interrupt_decode"}) {
    const json& i = r[k];
    ctx.expect(i["error"].is_null(), label + ": " + k + " ends without an error, got " + i["error"].dump());
    ctx.expect_eq(label + ": " + k + " finish_reason", std::string("abort"), i.value("finish", std::string()));
  }
  ctx.expect_eq(label + ": interrupted in prefill: no content", 0, r["interrupt_prefill"].value("content", -1));
  ctx.expect(r["interrupt_decode"].value("content", 0) < 40, label + ": interrupted in decode: stopped early");
  for (const char* k : {"after_prefill_interrupt", "after_decode_interrupt"})
    ctx.expect_eq(label + ": " + k + " the next request answers alike", after["text"], r[k]["text"]);
}

}  // namespace

Scenario make_faults_requests_scenario() {
  Scenario s;
  s.name = "faults-requests";
  s.suite = "faults";
  s.description = "invalid request shapes, context overflow, 100 queued requests, interrupt in prefill and decode";
  s.run = [](ScenarioContext& ctx) {
    faults_kit::start(ctx);
    Browser& browser = ctx.launch_browser();
    for (const char* mode : {"page", "worker"}) {
      const std::string label = mode;
      const auto t0 = ScenarioContext::Clock::now();
      json r = faults_kit::run_case(ctx, browser, "requests", std::string("mode=") + mode + "&n_ctx=64&max_batch=8&backend=cpu", 60s, label);
      ctx.metric(label + "_ms", ctx.elapsed_ms(ScenarioContext::Clock::now()) - ctx.elapsed_ms(t0));
      check(ctx, r, label);
    }
  };
  return s;
}

}  // namespace lantern::rig
