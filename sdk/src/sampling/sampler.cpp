#include "sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace lantern {

namespace {
uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void check(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("sampling parameter out of range: ") + what);
}
}  // namespace

Rng::Rng(uint64_t seed) {
  for (auto& s : s_) s = splitmix64(seed);
}

uint64_t Rng::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

Sampler::Sampler(const SamplingParams& p, int32_t n_vocab)
    : params_(p), n_vocab_(n_vocab), rng_(p.seed ? *p.seed : 0x5EED5EED5EEDull) {
  check(std::isfinite(p.temperature) && p.temperature >= 0.0f, "temperature");
  check(p.top_k >= 0, "top_k");
  check(std::isfinite(p.top_p) && p.top_p > 0.0f && p.top_p <= 1.0f, "top_p");
  check(std::isfinite(p.min_p) && p.min_p >= 0.0f && p.min_p <= 1.0f, "min_p");
  check(std::isfinite(p.repetition_penalty) && p.repetition_penalty > 0.0f, "repetition_penalty");
  check(std::isfinite(p.frequency_penalty), "frequency_penalty");
  check(std::isfinite(p.presence_penalty), "presence_penalty");
  check(p.penalty_last_n >= -1, "penalty_last_n");
  check(p.logprobs >= -1 && p.logprobs <= 20, "top_logprobs");
  for (const auto& [id, bias] : p.logit_bias) {
    check(id >= 0 && id < n_vocab, "logit_bias token id");
    check(std::isfinite(bias), "logit_bias value");
  }
}

void Sampler::accept(int32_t token) {
  const bool penalties = params_.repetition_penalty != 1.0f || params_.frequency_penalty != 0.0f ||
                         params_.presence_penalty != 0.0f;
  if (!penalties || params_.penalty_last_n == 0) return;
  window_.push_back(token);
  counts_[token]++;
  if (params_.penalty_last_n > 0 && window_.size() > static_cast<size_t>(params_.penalty_last_n)) {
    const int32_t old = window_.front();
    window_.pop_front();
    if (--counts_[old] == 0) counts_.erase(old);
  }
}

void Sampler::reset_history() {
  window_.clear();
  counts_.clear();
}

void Sampler::apply_bias_and_penalties(float* logits, int32_t n) const {
  for (const auto& [id, bias] : params_.logit_bias) {
    // OpenAI: -100 bans a token outright, +100 forces it.
    if (bias <= -100.0f) logits[id] = -std::numeric_limits<float>::infinity();
    else logits[id] += bias;
  }
  for (const auto& [id, count] : counts_) {
    if (id < 0 || id >= n) continue;
    float& l = logits[id];
    if (params_.repetition_penalty != 1.0f) {
      l = l > 0 ? l / params_.repetition_penalty : l * params_.repetition_penalty;
    }
    l -= static_cast<float>(count) * params_.frequency_penalty + (count > 0 ? params_.presence_penalty : 0.0f);
  }
}

SampledToken Sampler::sample(float* logits, int32_t n) {
  if (n != n_vocab_) throw std::invalid_argument("sampler: logits row has the wrong vocabulary size");
  apply_bias_and_penalties(logits, n);
  SampledToken out;

  // Log-softmax of the biased, penalised logits, only when logprobs are asked.
  auto logprob_of = [&](float maxl, double log_sum, int32_t id) {
    return static_cast<float>(static_cast<double>(logits[id]) - maxl - log_sum);
  };
  float maxl = -std::numeric_limits<float>::infinity();
  double log_sum = 0.0;
  if (params_.logprobs >= 0) {
    maxl = *std::max_element(logits, logits + n);
    double sum = 0.0;
    for (int32_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(logits[i]) - maxl);
    log_sum = std::log(sum);
  }

  if (params_.temperature == 0.0f) {
    // Greedy: first index of the maximum, as llama.cpp's argmax.
    out.token = static_cast<int32_t>(std::max_element(logits, logits + n) - logits);
  } else {
    // Candidates sorted by logit (only as far as the truncations need).
    auto& ids = scratch_ids_;
    ids.resize(n);
    std::iota(ids.begin(), ids.end(), 0);
    size_t keep = n;
    if (params_.top_k > 0 && params_.top_k < n) keep = params_.top_k;
    const bool need_sort = keep < static_cast<size_t>(n) || params_.top_p < 1.0f || params_.min_p > 0.0f;
    auto by_logit = [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); };
    if (need_sort) {
      std::partial_sort(ids.begin(), ids.begin() + keep, ids.end(), by_logit);
      ids.resize(keep);
    }
    // Softmax over the candidates at temperature 1 for top-p / min-p, as llama.cpp.
    auto& p = scratch_p_;
    p.resize(ids.size());
    float m = logits[ids[0]];  // the maximum when sorted
    if (!need_sort) for (int32_t id : ids) m = std::max(m, logits[id]);
    double sum = 0.0;
    for (size_t i = 0; i < ids.size(); ++i) {
      p[i] = std::exp(logits[ids[i]] - m);
      sum += p[i];
    }
    if (params_.top_p < 1.0f) {
      double cum = 0.0;
      size_t cut = ids.size();
      for (size_t i = 0; i < ids.size(); ++i) {
        cum += p[i] / sum;
        if (cum >= params_.top_p) { cut = i + 1; break; }
      }
      ids.resize(cut);
      p.resize(cut);
    }
    if (params_.min_p > 0.0f) {
      const float floor = p[0] * params_.min_p;  // p[0] is the most likely
      size_t cut = 1;
      while (cut < ids.size() && p[cut] >= floor) ++cut;
      ids.resize(cut);
      p.resize(cut);
    }
    // Temperature, then draw.
    double total = 0.0;
    for (size_t i = 0; i < ids.size(); ++i) {
      p[i] = static_cast<float>(std::exp((logits[ids[i]] - m) / params_.temperature));
      total += p[i];
    }
    double r = rng_.uniform() * total;
    out.token = ids.back();
    for (size_t i = 0; i < ids.size(); ++i) {
      r -= p[i];
      if (r < 0) { out.token = ids[i]; break; }
    }
  }

  if (params_.logprobs >= 0) {
    out.logprob = logprob_of(maxl, log_sum, out.token);
    const int32_t k = std::min<int32_t>(params_.logprobs, n);
    if (k > 0) {
      std::vector<int32_t> top(n);
      std::iota(top.begin(), top.end(), 0);
      std::partial_sort(top.begin(), top.begin() + k, top.end(), [&](int32_t a, int32_t b) {
        return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
      });
      for (int32_t i = 0; i < k; ++i) out.top.push_back({top[i], logprob_of(maxl, log_sum, top[i])});
    }
  }
  return out;
}

}  // namespace lantern
