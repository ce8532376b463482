#include "api/request_fields.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace lantern::api::fields {

namespace {

std::string num_text(double v) {
  char buf[64];
  if (std::fabs(v) < 1e15 && v == std::floor(v)) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  } else {
    std::snprintf(buf, sizeof buf, "%g", v);
  }
  return buf;
}

std::string shown(const Json& j) {
  if (j.is_number()) return num_text(j.get<double>());
  std::string s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  return s.size() > 64 ? s.substr(0, 61) + "..." : s;
}

}  // namespace

std::string type_name(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "an integer";
    case Json::value_t::number_float: return "a decimal number";
    case Json::value_t::string: return "a string";
    case Json::value_t::array: return "an array";
    case Json::value_t::object: return "an object";
    default: return "an unsupported value";
  }
}

void fail(ApiError e) { throw ApiException(std::move(e)); }

const Json* find(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> get_string(const Json& obj, const char* key, const std::string& param) {
  const Json* v = find(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) fail(ApiError::invalid_type(param, "a string", type_name(*v)));
  return v->get<std::string>();
}

std::optional<bool> get_bool(const Json& obj, const char* key, const std::string& param) {
  const Json* v = find(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) fail(ApiError::invalid_type(param, "a boolean", type_name(*v)));
  return v->get<bool>();
}

std::optional<int64_t> get_integer(const Json& obj, const char* key, const std::string& param, int64_t lo,
                                   int64_t hi) {
  const Json* v = find(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_number()) fail(ApiError::invalid_type(param, "an integer", type_name(*v)));
  auto out_of_range = [&](const std::string& got) {
    fail(ApiError::invalid_value(param, "integer out of range. Expected a value between " + num_text(lo) + " and " +
                                            num_text(hi) + ", but got " + got + " instead."));
  };
  int64_t x = 0;
  if (v->is_number_unsigned()) {
    uint64_t u = v->get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) out_of_range(std::to_string(u));
    x = static_cast<int64_t>(u);
  } else if (v->is_number_integer()) {
    x = v->get<int64_t>();
  } else {
    double d = v->get<double>();
    if (!std::isfinite(d) || d != std::floor(d)) fail(ApiError::invalid_type(param, "an integer", type_name(*v)));
    if (d < -9.2e18 || d > 9.2e18) out_of_range(num_text(d));
    x = static_cast<int64_t>(d);
  }
  if (x < lo) {
    fail(ApiError::invalid_value(param, "integer below minimum value. Expected a value >= " + num_text(lo) +
                                            ", but got " + std::to_string(x) + " instead."));
  }
  if (x > hi) {
    fail(ApiError::invalid_value(param, "integer above maximum value. Expected a value <= " + num_text(hi) +
                                            ", but got " + std::to_string(x) + " instead."));
  }
  return x;
}

std::optional<double> get_number(const Json& obj, const char* key, const std::string& param, double lo, double hi,
                                 bool lo_open, bool hi_open) {
  const Json* v = find(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_number()) fail(ApiError::invalid_type(param, "a number", type_name(*v)));
  double d = v->get<double>();
  if (!std::isfinite(d)) fail(ApiError::invalid_value(param, "expected a finite number."));
  if (lo_open ? d <= lo : d < lo) {
    fail(ApiError::invalid_value(param, std::string("decimal below minimum value. Expected a value ") +
                                            (lo_open ? "> " : ">= ") + num_text(lo) + ", but got " + shown(*v) +
                                            " instead."));
  }
  if (hi_open ? d >= hi : d > hi) {
    fail(ApiError::invalid_value(param, std::string("decimal above maximum value. Expected a value ") +
                                            (hi_open ? "< " : "<= ") + num_text(hi) + ", but got " + shown(*v) +
                                            " instead."));
  }
  return d;
}

const Json* get_object(const Json& obj, const char* key, const std::string& param) {
  const Json* v = find(obj, key);
  if (v && !v->is_object()) fail(ApiError::invalid_type(param, "an object", type_name(*v)));
  return v;
}

const Json* get_array(const Json& obj, const char* key, const std::string& param) {
  const Json* v = find(obj, key);
  if (v && !v->is_array()) fail(ApiError::invalid_type(param, "an array", type_name(*v)));
  return v;
}

namespace {

void read_logit_bias(const Json& body, const SamplingFieldLimits& limits, SamplingParams& sampling) {
  const Json* lb = get_object(body, "logit_bias", "logit_bias");
  if (!lb) return;
  if (lb->size() > limits.max_logit_bias) {
    fail(ApiError::invalid_value("logit_bias", "too many entries. Expected at most " +
                                                   std::to_string(limits.max_logit_bias) + ", but got " +
                                                   std::to_string(lb->size()) + " instead."));
  }
  for (auto it = lb->begin(); it != lb->end(); ++it) {
    const std::string& key = it.key();
    std::string param = "logit_bias[" + key + "]";
    bool digits = !key.empty() && key.size() <= 10 &&
                  key.find_first_not_of("0123456789") == std::string::npos;
    int64_t id = digits ? std::stoll(key) : -1;
    if (!digits || id > std::numeric_limits<int32_t>::max()) {
      fail(ApiError::invalid_value("logit_bias", "keys must be token ids (non-negative integers as strings), got '" +
                                                     key + "'."));
    }
    if (limits.vocab_size > 0 && id >= limits.vocab_size) {
      fail(ApiError::invalid_value(param, "token id " + key + " is outside the vocabulary (size " +
                                              std::to_string(limits.vocab_size) + ")."));
    }
    if (it.value().is_null()) fail(ApiError::invalid_type(param, "a number", "null"));
    Json one = Json::object({{"v", it.value()}});
    double bias = *get_number(one, "v", param, -100, 100);
    sampling.logit_bias[static_cast<int32_t>(id)] = static_cast<float>(bias);
  }
}

void read_stop(const Json& body, StopParams& stop) {
  const Json* s = find(body, "stop");
  if (!s) return;
  auto add = [&](const Json& v, const std::string& param) {
    if (!v.is_string()) fail(ApiError::invalid_type(param, "a string", type_name(v)));
    std::string text = v.get<std::string>();
    if (text.empty()) fail(ApiError::invalid_value(param, "stop sequences must not be empty."));
    stop.stop.push_back(std::move(text));
  };
  if (s->is_string()) {
    add(*s, "stop");
  } else if (s->is_array()) {
    if (s->size() > 4) {
      fail(ApiError::invalid_value("stop", "array too long. Expected an array with maximum length 4, but got an "
                                           "array with length " + std::to_string(s->size()) + " instead."));
    }
    for (size_t i = 0; i < s->size(); ++i) add((*s)[i], "stop[" + std::to_string(i) + "]");
  } else {
    fail(ApiError::invalid_type("stop", "a string or an array of strings", type_name(*s)));
  }
}

void read_seed(const Json& body, SamplingParams& sampling) {
  const Json* s = find(body, "seed");
  if (!s) return;
  if (s->is_number_unsigned()) {
    sampling.seed = s->get<uint64_t>();
    return;
  }
  int64_t v = *get_integer(body, "seed", "seed", std::numeric_limits<int64_t>::min(),
                           std::numeric_limits<int64_t>::max());
  sampling.seed = static_cast<uint64_t>(v);  // negative seeds are valid ints: keep their bits
}

}  // namespace

void read_sampling_fields(const Json& body, const SamplingFieldLimits& limits, SamplingParams& sampling,
                          StopParams& stop) {
  if (auto v = get_number(body, "temperature", "temperature", 0, 2)) sampling.temperature = static_cast<float>(*v);
  if (auto v = get_number(body, "top_p", "top_p", 0, 1, true)) sampling.top_p = static_cast<float>(*v);
  if (auto v = get_integer(body, "top_k", "top_k", 0, std::numeric_limits<int32_t>::max())) {
    sampling.top_k = static_cast<int32_t>(*v);
  }
  if (auto v = get_number(body, "min_p", "min_p", 0, 1)) sampling.min_p = static_cast<float>(*v);
  if (auto v = get_number(body, "frequency_penalty", "frequency_penalty", -2, 2)) {
    sampling.frequency_penalty = static_cast<float>(*v);
  }
  if (auto v = get_number(body, "presence_penalty", "presence_penalty", -2, 2)) {
    sampling.presence_penalty = static_cast<float>(*v);
  }
  if (auto v = get_number(body, "repetition_penalty", "repetition_penalty", 0, 1e6, true)) {
    sampling.repetition_penalty = static_cast<float>(*v);
  }
  read_logit_bias(body, limits, sampling);
  read_seed(body, sampling);
  read_stop(body, stop);

  std::optional<int64_t> max_tokens = get_integer(body, "max_tokens", "max_tokens", 1, limits.max_tokens_cap);
  if (limits.allow_max_completion_tokens) {
    auto mct = get_integer(body, "max_completion_tokens", "max_completion_tokens", 1, limits.max_tokens_cap);
    if (mct && max_tokens && *mct != *max_tokens) {
      fail(ApiError::invalid_value("max_tokens", "max_tokens (" + std::to_string(*max_tokens) +
                                                     ") and max_completion_tokens (" + std::to_string(*mct) +
                                                     ") disagree; give one of them."));
    }
    if (mct) max_tokens = mct;
  }
  if (max_tokens) stop.max_tokens = static_cast<int32_t>(*max_tokens);
  if (auto v = get_bool(body, "ignore_eos", "ignore_eos")) stop.ignore_eos = *v;
}

}  // namespace lantern::api::fields
