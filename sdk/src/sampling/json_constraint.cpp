#include "sampling/json_constraint.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace lantern {

bool JsonConstraint::fits(int32_t token, const Tokenizer& tokenizer) const {
  if (tokenizer.is_eog(token)) return prefix_.complete();
  const std::string piece = tokenizer.token_to_piece(token);
  if (piece.empty()) return false;  // control tokens would end nothing and say nothing
  JsonPrefix trial = prefix_;
  return trial.push(piece);
}

SampledToken JsonConstraint::sample(Sampler& sampler, const float* logits, int32_t n_vocab, const Tokenizer& tokenizer) {
  constexpr float kBanned = -std::numeric_limits<float>::infinity();
  std::vector<int32_t> banned;
  for (int draw = 0; draw < kDraws; ++draw) {
    work_.assign(logits, logits + n_vocab);
    for (int32_t t : banned) work_[t] = kBanned;
    SampledToken tok = sampler.sample(work_.data(), n_vocab);
    if (tok.token >= 0 && tok.token < n_vocab && fits(tok.token, tokenizer)) return tok;
    if (tok.token < 0 || tok.token >= n_vocab || work_[tok.token] == kBanned) break;  // nothing left to draw from
    banned.push_back(tok.token);
  }
  // Many misses: the most likely token (after bias and penalties) that fits.
  work_.assign(logits, logits + n_vocab);
  sampler.apply_bias_and_penalties(work_.data(), n_vocab);
  std::vector<int32_t> order(n_vocab);
  for (int32_t i = 0; i < n_vocab; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return work_[a] > work_[b]; });
  for (int32_t t : order) {
    if (work_[t] == kBanned) break;
    if (fits(t, tokenizer)) {
      SampledToken tok;
      tok.token = t;
      return tok;
    }
  }
  throw std::runtime_error("response_format json_object: no token of the vocabulary can continue the JSON");
}

void JsonConstraint::accept(int32_t token, const Tokenizer& tokenizer) {
  if (!tokenizer.is_eog(token)) prefix_.push(tokenizer.token_to_piece(token));
}

}  // namespace lantern
