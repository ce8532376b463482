#include "sampling/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "sampling/stop_matcher.h"

using namespace lantern;

namespace {
std::vector<float> logits_of(std::initializer_list<float> v) { return std::vector<float>(v); }

std::map<int32_t, int> histogram(const SamplingParams& p, const std::vector<float>& base, int draws) {
  Sampler s(p, static_cast<int32_t>(base.size()));
  std::map<int32_t, int> h;
  for (int i = 0; i < draws; ++i) {
    auto l = base;
    h[s.sample(l.data(), static_cast<int32_t>(l.size())).token]++;
  }
  return h;
}
}  // namespace

TEST(Sampler, GreedyPicksFirstMaximum) {
  SamplingParams p;
  p.temperature = 0;
  Sampler s(p, 4);
  auto l = logits_of({1.0f, 3.0f, 3.0f, -2.0f});
  EXPECT_EQ(s.sample(l.data(), 4).token, 1);
}

TEST(Sampler, SameSeedSameSequenceDifferentSeedDiffers) {
  SamplingParams p;
  p.seed = 42;
  std::vector<float> base(50);
  for (int i = 0; i < 50; ++i) base[i] = std::sin(i * 0.7f);
  auto run = [&](uint64_t seed) {
    p.seed = seed;
    Sampler s(p, 50);
    std::vector<int32_t> out;
    for (int i = 0; i < 40; ++i) {
      auto l = base;
      out.push_back(s.sample(l.data(), 50).token);
    }
    return out;
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
}

TEST(Sampler, TopKOneIsGreedy) {
  SamplingParams p;
  p.top_k = 1;
  p.temperature = 5.0f;
  auto h = histogram(p, logits_of({0.1f, 0.5f, 0.4f}), 200);
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.begin()->first, 1);
}

TEST(Sampler, TopPKeepsTheNucleus) {
  SamplingParams p;
  p.top_p = 0.5f;  // token 0 alone has probability ~0.84
  auto h = histogram(p, logits_of({3.0f, 1.0f, 0.0f, -1.0f}), 300);
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.begin()->first, 0);
}

TEST(Sampler, MinPDropsUnlikelyTokens) {
  SamplingParams p;
  p.min_p = 0.2f;  // p1/p0 = e^-1 = 0.37 kept, p2/p0 = e^-3 = 0.05 dropped
  auto h = histogram(p, logits_of({3.0f, 2.0f, 0.0f}), 2000);
  EXPECT_GT(h[0], 0);
  EXPECT_GT(h[1], 0);
  EXPECT_EQ(h.count(2), 0u);
}

TEST(Sampler, TemperatureFollowsTheDistribution) {
  SamplingParams p;
  p.seed = 7;
  // softmax(log 0.75, log 0.25) at T=1: 3:1.
  auto h = histogram(p, logits_of({std::log(0.75f), std::log(0.25f)}), 20000);
  EXPECT_NEAR(h[0] / 20000.0, 0.75, 0.02);
}

TEST(Sampler, LogitBiasBansAndForces) {
  SamplingParams p;
  p.temperature = 0;
  p.logit_bias = {{0, -100.0f}};
  Sampler s(p, 3);
  auto l = logits_of({10.0f, 1.0f, 2.0f});
  EXPECT_EQ(s.sample(l.data(), 3).token, 2);
  p.logit_bias = {{1, 100.0f}};
  Sampler f(p, 3);
  l = logits_of({10.0f, 1.0f, 2.0f});
  EXPECT_EQ(f.sample(l.data(), 3).token, 1);
}

TEST(Sampler, PenaltiesLowerRepeatedTokens) {
  SamplingParams p;
  p.temperature = 0;
  p.frequency_penalty = 1.0f;
  Sampler s(p, 3);
  s.accept(0);
  s.accept(0);
  auto l = logits_of({2.5f, 1.0f, 0.0f});  // 2.5 - 2*1.0 = 0.5 < 1.0
  EXPECT_EQ(s.sample(l.data(), 3).token, 1);

  SamplingParams r;
  r.temperature = 0;
  r.repetition_penalty = 2.0f;
  Sampler rs(r, 2);
  rs.accept(0);
  l = logits_of({1.5f, 1.0f});  // 1.5 / 2 = 0.75 < 1.0
  EXPECT_EQ(rs.sample(l.data(), 2).token, 1);

  SamplingParams pr;
  pr.temperature = 0;
  pr.presence_penalty = 0.6f;
  pr.penalty_last_n = 1;  // only the last token counts
  Sampler ps(pr, 2);
  ps.accept(0);
  ps.accept(1);
  l = logits_of({1.0f, 1.5f});  // token 1 penalised to 0.9, token 0 out of the window
  EXPECT_EQ(ps.sample(l.data(), 2).token, 0);
}

TEST(Sampler, LogprobsAreLogSoftmax) {
  SamplingParams p;
  p.temperature = 0;
  p.logprobs = 2;
  Sampler s(p, 3);
  auto l = logits_of({std::log(0.5f), std::log(0.3f), std::log(0.2f)});
  const SampledToken t = s.sample(l.data(), 3);
  EXPECT_EQ(t.token, 0);
  EXPECT_NEAR(t.logprob, std::log(0.5), 1e-5);
  ASSERT_EQ(t.top.size(), 2u);
  EXPECT_EQ(t.top[1].token, 1);
  EXPECT_NEAR(t.top[1].logprob, std::log(0.3), 1e-5);
}

TEST(Sampler, RejectsOutOfRangeParameters) {
  SamplingParams p;
  p.top_p = 0.0f;
  EXPECT_THROW(Sampler(p, 10), std::invalid_argument);
  p = {};
  p.temperature = -1;
  EXPECT_THROW(Sampler(p, 10), std::invalid_argument);
  p = {};
  p.logit_bias = {{10, 1.0f}};
  EXPECT_THROW(Sampler(p, 10), std::invalid_argument);
}

TEST(StopMatcher, HoldsBackPartialMatchesAcrossPushes) {
  StopMatcher m({"END"});
  EXPECT_EQ(m.push("hello E").emit, "hello ");
  auto r = m.push("N");
  EXPECT_EQ(r.emit, "");
  EXPECT_FALSE(r.stopped);
  r = m.push("D and more");
  EXPECT_EQ(r.emit, "");
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(m.flush(), "");
}

TEST(StopMatcher, ReleasesHeldTextThatDidNotMatch) {
  StopMatcher m({"END", "\n\n"});
  EXPECT_EQ(m.push("a\n").emit, "a");
  EXPECT_EQ(m.push("b").emit, "\nb");
  EXPECT_EQ(m.push("EN").emit, "");
  EXPECT_EQ(m.flush(), "EN");
}

TEST(StopMatcher, EarliestStopWins) {
  StopMatcher m({"cd", "b"});
  auto r = m.push("abcd");
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.emit, "a");
}
