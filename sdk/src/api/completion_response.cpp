#include "api/completion_response.h"

namespace lantern::api {

namespace {

using Json = nlohmann::ordered_json;

Json header(const ResponseMeta& meta) {
  Json j;
  j["id"] = meta.id;
  j["object"] = "text_completion";
  j["created"] = meta.created;
  j["model"] = valid_utf8(meta.model);
  if (!meta.system_fingerprint.empty()) j["system_fingerprint"] = valid_utf8(meta.system_fingerprint);
  return j;
}

int64_t char_count(const std::string& valid) {
  int64_t n = 0;
  for (char c : valid) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

Json completion_logprobs_json(const std::vector<TokenLogprobInfo>& tokens, int64_t first_offset) {
  Json toks = Json::array(), lps = Json::array(), tops = Json::array(), offsets = Json::array();
  int64_t offset = first_offset;
  for (const TokenLogprobInfo& t : tokens) {
    std::string text = valid_utf8(t.token);
    toks.push_back(text);
    lps.push_back(json_logprob(t.logprob));
    Json top = Json::object();
    for (const TopLogprob& alt : t.top) top[valid_utf8(alt.token)] = json_logprob(alt.logprob);
    tops.push_back(std::move(top));
    offsets.push_back(offset);
    offset += char_count(text);
  }
  return Json{{"tokens", std::move(toks)},
              {"token_logprobs", std::move(lps)},
              {"top_logprobs", std::move(tops)},
              {"text_offset", std::move(offsets)}};
}

Json completion_json(const ResponseMeta& meta, const std::vector<CompletionChoice>& choices, const Usage& usage) {
  Json j = header(meta);
  Json arr = Json::array();
  for (const CompletionChoice& c : choices) {
    Json choice;
    choice["text"] = valid_utf8(c.text);
    choice["index"] = c.index;
    choice["logprobs"] = c.logprobs ? completion_logprobs_json(*c.logprobs) : Json(nullptr);
    choice["finish_reason"] = finish_reason_name(c.finish_reason);
    arr.push_back(std::move(choice));
  }
  j["choices"] = std::move(arr);
  j["usage"] = usage.to_json();
  return j;
}

Json completion_chunk(const ResponseMeta& meta, int32_t index, std::string_view text, const Json& logprobs,
                      std::optional<FinishReason> finish, bool include_usage) {
  Json j = header(meta);
  Json choice;
  choice["text"] = valid_utf8(text);
  choice["index"] = index;
  choice["logprobs"] = logprobs;
  choice["finish_reason"] = finish ? Json(finish_reason_name(*finish)) : Json(nullptr);
  j["choices"] = Json::array({std::move(choice)});
  if (include_usage) j["usage"] = nullptr;
  return j;
}

Json completion_chunk_usage(const ResponseMeta& meta, const Usage& usage) {
  Json j = header(meta);
  j["choices"] = Json::array();
  j["usage"] = usage.to_json();
  return j;
}

}  // namespace lantern::api
