// The template budget charges the work an operation really does. Each probe
// below ran for minutes, or grew the process by gigabytes and then escaped as
// a bare std::bad_alloc, while the budget charged it a few steps: substring
// search (in, find, count, replace, split) was charged n/64 for n*m work,
// `~` copied up to 4 MiB per step for free, s[i] built an offset table of
// the whole string per access. Now each ends within a second or two with a
// Limit error that says which limit, or (a single linear-time search) with
// the right answer.
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "chat/chat_template.h"
#include "chat/jinja_error.h"
#include "chat/jinja_template.h"
#include "support/sanitizers.h"

namespace {

using lantern::jinja::ErrorKind;
using lantern::jinja::JinjaError;
using lantern::jinja::RenderOptions;
using lantern::jinja::Template;

// Natively each probe ends in well under 2 s (the wall-clock budget is 1 s);
// the bound is generous for a busy machine, looser still under sanitizers.
#ifdef LANTERN_TEST_SANITIZED
constexpr double kProbeSeconds = 60.0;
#else
constexpr double kProbeSeconds = 5.0;
#endif

struct BudgetOutcome {
  std::optional<std::string> out;
  std::optional<JinjaError> error;
  double seconds = 0;
};

BudgetOutcome run(const std::string& src, const RenderOptions& opts = {}) {
  BudgetOutcome o;
  const auto start = std::chrono::steady_clock::now();
  try {
    o.out = Template(src).render(nlohmann::ordered_json::object(), opts);
  } catch (const JinjaError& e) {
    o.error = e;
  }
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return o;
}

// The probe must end quickly with a Limit error whose message names `what`.
void expect_limit(const std::string& src, const std::string& what, const RenderOptions& opts = {}) {
  SCOPED_TRACE(src);
  const BudgetOutcome o = run(src, opts);
  EXPECT_LT(o.seconds, kProbeSeconds);
  ASSERT_TRUE(o.error.has_value()) << "rendered " << (o.out ? o.out->size() : 0) << " bytes";
  EXPECT_EQ(o.error->kind(), ErrorKind::Limit) << o.error->what();
  EXPECT_NE(o.error->detail().find(what), std::string::npos) << o.error->what();
}

// The default limits without the wall clock: a test that expects one
// particular limit must not see the clock fire first on a busy machine.
RenderOptions no_clock() {
  RenderOptions o;
  o.limits.max_wall_ms = 0;
  return o;
}

// A 4 MB haystack of 'a' and needles that match everywhere but at their end:
// the naive search's worst case, a 2 MB needle and a 64-byte one.
const std::string kHay = "{% set h = 'a' * 4000000 %}";
const std::string kLongNeedle = "{% set n = 'a' * 2000000 ~ 'b' %}";
const std::string kShortNeedle = "{% set n = 'a' * 63 ~ 'b' %}";

TEST(JinjaBudget, OneSubstringSearchEndsQuicklyWhateverTheNeedle) {
  struct Probe {
    const char* expr;
    const char* expected;
  };
  const std::vector<Probe> probes = {
      {"{{ n in h }}", "False"},
      {"{{ h.find(n) }}", "-1"},
      {"{{ h.count(n) }}", "0"},
      {"{{ h.replace(n, 'x') | length }}", "4000000"},
      {"{{ h | replace(n, 'x') | length }}", "4000000"},
      {"{{ h.split(n) | length }}", "1"},
  };
  for (const std::string& needle : {kLongNeedle, kShortNeedle}) {
    for (const Probe& p : probes) {
      const std::string src = kHay + needle + p.expr;
      SCOPED_TRACE(src);
      const BudgetOutcome o = run(src);
      EXPECT_LT(o.seconds, kProbeSeconds);
      // A linear-time search answers; a search the budget cannot afford says so.
      if (o.error) {
        EXPECT_EQ(o.error->kind(), ErrorKind::Limit) << o.error->what();
      } else {
        EXPECT_EQ(*o.out, p.expected);
      }
    }
  }
}

TEST(JinjaBudget, RepeatedSubstringSearchesRunOutOfSteps) {
  for (const std::string& needle : {kLongNeedle, kShortNeedle}) {
    for (const char* body : {"{% if n in h %}{% endif %}", "{% set x = h.find(n) %}", "{% set x = h.count(n) %}",
                             "{% set x = h.replace(n, 'x') %}", "{% set x = h.split(n) %}"}) {
      expect_limit(kHay + needle + "{% for i in range(100000) %}" + body + "{% endfor %}", "limit");
    }
  }
  // many short matches: split makes a value per part and pays for each
  expect_limit(kHay + "{{ h.split('a') | length }}", "in total", no_clock());
}

TEST(JinjaBudget, ConcatenationPaysForTheBytesItCopies) {
  const std::string big = "{% set big = 'x' * 4000000 %}";
  // keeping each copy: gigabytes of live strings before (then std::bad_alloc)
  expect_limit(big + "{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = ns.l + [big ~ i] %}"
                     "{% endfor %}{{ ns.l | length }}",
               "in total", no_clock());
  // dropping each copy: 400 GB of memcpy before
  expect_limit(big + "{% for i in range(100000) %}{% set t = big ~ i %}{% endfor %}", "in total", no_clock());
  expect_limit(big + "{% for i in range(100000) %}{% set t = big + 'y' %}{% endfor %}", "in total", no_clock());
  expect_limit(big + "{% for i in range(100000) %}{% set t = [big, big] | join %}{% endfor %}", "limit");
}

TEST(JinjaBudget, RepetitionAndListGrowthCount) {
  expect_limit("{% for i in range(100000) %}{% set t = 'ab' * 2000000 %}{% endfor %}", "in total", no_clock());
  expect_limit("{% for i in range(100000) %}{% set t = [1, 2, 3] * 50000 %}{% endfor %}", "in total", no_clock());
  expect_limit("{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = ns.l + [i] %}{% endfor %}",
               "in total", no_clock());
  // one list copy per nested loop, held while it runs
  expect_limit("{% set l = range(170000) | list %}{% macro f(k) %}{% for x in l %}{{ f(k + 1) }}{% endfor %}"
               "{% endmacro %}{{ f(0) }}",
               "in total", no_clock());
}

TEST(JinjaBudget, StringIndexingAndSlicingAreLinearPerAccess) {
  const std::string big = "{% set big = '\xC3\xA9' * 1000000 %}";  // 2 MB of two-byte characters
  expect_limit(big + "{% for i in range(100000) %}{% set c = big[-1] %}{% endfor %}", "limit");
  expect_limit(big + "{% for i in range(100000) %}{% set c = big[1:3] %}{% endfor %}", "limit");
  expect_limit(big + "{% for i in range(100000) %}{% set c = big[::-1] %}{% endfor %}", "limit");
  // and the answers are still Python's
  BudgetOutcome o = run(big + "{{ big[-1] == '\xC3\xA9' }} {{ big[1:3] | length }} {{ ('h\xC3\xA9llo')[1:4] }} "
                        "{{ ('h\xC3\xA9llo')[::-2] }} {{ ('abc')[5] is defined }}");
  ASSERT_TRUE(o.out.has_value()) << o.error->what();
  EXPECT_EQ(*o.out, "True 2 \xC3\xA9ll olh False");
}

TEST(JinjaBudget, StripWithALongCharacterSetIsLinear) {
  expect_limit("{% set big = 'x' * 4000000 %}{% set cs = 'y' * 2000000 ~ 'x' %}{% for i in range(100000) %}"
               "{% set t = big.strip(cs) %}{% endfor %}",
               "limit");
}

TEST(JinjaBudget, WallClockEndsARenderTheStepsWouldAllow) {
  RenderOptions opts;
  opts.limits.max_steps = std::numeric_limits<uint64_t>::max();
  opts.limits.max_wall_ms = 200;
  const auto start = std::chrono::steady_clock::now();
  expect_limit("{% for a in range(100000) %}{% for b in range(100000) %}{% set x = a + b %}{% endfor %}{% endfor %}",
               "time limit of 200 ms", opts);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), kProbeSeconds);
}

TEST(JinjaBudget, DefaultBudgetsAreDocumentedNumbers) {
  const lantern::jinja::RenderLimits d;
  EXPECT_EQ(d.max_steps, 10'000'000u);
  EXPECT_EQ(d.max_wall_ms, 1000u);
  EXPECT_EQ(d.max_output_bytes, size_t{4} << 20);
  EXPECT_EQ(d.max_total_bytes, uint64_t{64} << 20);
  EXPECT_EQ(d.max_depth, 256);
}

// With every budget lifted, what is left is the allocator: a string longer
// than std::string can hold is a length_error, one larger than memory a
// bad_alloc. Both become JinjaError(Limit), so callers keep their fallback.
RenderOptions unlimited() {
  RenderOptions o;
  o.limits.max_steps = std::numeric_limits<uint64_t>::max();
  o.limits.max_output_bytes = std::numeric_limits<size_t>::max();
  o.limits.max_total_bytes = std::numeric_limits<uint64_t>::max();
  o.limits.max_wall_ms = 0;
  return o;
}

TEST(JinjaBudget, LengthErrorBecomesALimitError) {
  // 4e17 list slots is more than std::vector<Value>::max_size()
  expect_limit("{{ [1] * 400000000000000000 }}", "longer than", unlimited());
}

#ifndef LANTERN_TEST_SANITIZED  // ASan reports an allocation this large instead of failing it
TEST(JinjaBudget, OutOfMemoryBecomesALimitErrorAndChatTemplateFallsBack) {
  expect_limit("{{ 'x' * 1000000000000000000 }}", "out of memory", unlimited());

  lantern::ChatTemplate t("{{ 'x' * 1000000000000000000 }}", "", "", lantern::ChatFamily::ChatML);
  lantern::ChatRenderOptions opts;
  opts.limits = unlimited().limits;
  const lantern::ChatRenderResult r = t.render_detailed({{"user", "q", nullptr}}, true, opts);
  EXPECT_EQ(r.source, lantern::ChatTemplateSource::Builtin);
  EXPECT_EQ(r.text, "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_NE(r.warning.find("out of memory"), std::string::npos) << r.warning;
}
#endif

TEST(JinjaBudget, ByteBudgetFailureFallsBackToTheBuiltinTemplate) {
  lantern::ChatTemplate t("{% set big = 'x' * 4000000 %}{% for i in range(100000) %}{% set t = big ~ i %}{% endfor %}",
                          "", "", lantern::ChatFamily::ChatML);
  lantern::ChatRenderOptions opts;
  opts.limits = no_clock().limits;
  const lantern::ChatRenderResult r = t.render_detailed({{"user", "q", nullptr}}, true, opts);
  EXPECT_EQ(r.source, lantern::ChatTemplateSource::Builtin);
  EXPECT_NE(r.warning.find("in total"), std::string::npos) << r.warning;
}

}  // namespace
