// response_format json_object: token choice constrained so the completion
// stays a prefix of one JSON object and ends when the object closes. The
// sampler draws as usual; a token whose text cannot continue the JSON is
// banned and the draw repeated, so the distribution is the model's own
// restricted to the tokens that fit (after a few misses, the most likely
// token that fits is taken directly). Needs the logits on the host, so a
// constrained request never uses device greedy decoding.
#pragma once
#include <cstdint>
#include <vector>

#include "sampling/json_prefix.h"
#include "sampling/sampler.h"
#include "tokenizer/tokenizer.h"

namespace lantern {

class JsonConstraint {
 public:
  static constexpr int kDraws = 32;  // draws before scanning the vocabulary

  // `logits` are left untouched. Throws std::runtime_error if no token of the
  // vocabulary fits (a vocabulary without JSON's punctuation).
  SampledToken sample(Sampler& sampler, const float* logits, int32_t n_vocab, const Tokenizer& tokenizer);
  // The token was taken: its text joins the prefix.
  void accept(int32_t token, const Tokenizer& tokenizer);
  bool complete() const { return prefix_.complete(); }

 private:
  bool fits(int32_t token, const Tokenizer& tokenizer) const;

  JsonPrefix prefix_;
  std::vector<float> work_;
};

}  // namespace lantern
