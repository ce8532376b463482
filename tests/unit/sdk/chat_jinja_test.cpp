// Every feature of the Jinja subset, table-driven. The expected strings are
// what Python jinja2 3.1 renders with Hugging Face's chat-template settings
// (trim_blocks, lstrip_blocks, json.dumps tojson); each row was checked
// against it when written.
#include <chrono>

#include <gtest/gtest.h>

#include "support/sanitizers.h"
#include <nlohmann/json.hpp>

#include "chat/jinja_error.h"
#include "chat/jinja_template.h"

namespace {

using lantern::jinja::ErrorKind;
using lantern::jinja::JinjaError;
using lantern::jinja::RenderOptions;
using lantern::jinja::Template;
using nlohmann::ordered_json;

const char* kContext = R"J({"messages": [{"role": "system", "content": "Be brief."},
  {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "  Hello!  "}],
  "name": "Ünïcode", "n": 7, "f": 2.5, "empty": "", "items": [3, 1, 2], "none_v": null,
  "d": {"b": 2, "a": 1, "nested": {"k": [1, "x", null, true]}},
  "users": [{"name": "amy", "age": 30, "admin": true}, {"name": "bob", "age": 25, "admin": false}]})J";

std::string render(const std::string& src, const char* ctx = kContext) {
  RenderOptions o;
  o.now_unix = 1736899200;  // 2025-01-15 00:00:00 UTC
  return Template(src).render(ordered_json::parse(ctx), o);
}

struct Row {
  const char* tmpl;
  const char* expected;
};

void check_rows(const std::vector<Row>& rows) {
  for (const Row& r : rows) {
    SCOPED_TRACE(r.tmpl);
    try {
      EXPECT_EQ(render(r.tmpl), r.expected);
    } catch (const JinjaError& e) {
      ADD_FAILURE() << "threw: " << e.what();
    }
  }
}

TEST(Jinja, WhitespaceControl) {
  check_rows({
      {R"J(a  {{- 'b' -}}  c)J", R"J(abc)J"},
      {R"J(a  {%- if true -%}  b  {%- endif -%}  c)J", R"J(abc)J"},
      // trim_blocks: the newline after a block tag goes; lstrip_blocks: indentation before it goes
      {"{% if true %}\nyes\n{% endif %}\nend", "yes\nend"},
      {"x\n    {% if true %}\n    y\n    {% endif %}\nz", "x\n    y\nz"},
      // {%+ keeps the indentation, +%} keeps the newline
      {"x\n  {%+ if true %}y{% endif %}", "x\n  y"},
      {"{% if true +%}\ny{% endif %}", "\ny"},
      // {{ }} is neither stripped nor trimmed
      {"  {{ 'v' }}\nw", "  v\nw"},
      {"a{# comment #}\nb", "ab"},
      {"a\n  {#- comment -#}  \nb", "ab"},
      {"{% raw %}{{ not rendered }}{% endraw %}", "{{ not rendered }}"},
      {"one\r\ntwo\rthree\n", "one\ntwo\nthree"},  // newlines normalised, one trailing newline dropped
  });
}

TEST(Jinja, IfAndFor) {
  check_rows({
      {R"J({% if n > 10 %}big{% elif n > 5 %}mid{% else %}small{% endif %})J", R"J(mid)J"},
      {R"J({% for m in messages %}{{ loop.index0 }}{{ loop.index }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}|{% endfor %})J",
       R"J(01TrueFalse33|12FalseFalse32|23FalseTrue31|)J"},
      {R"J({% for x in items %}{{ loop.previtem is defined }}{{ loop.nextitem | default('-') }},{% endfor %})J",
       R"J(False1,True2,True-,)J"},
      {R"J({% for x in [] %}x{% else %}empty{% endfor %})J", R"J(empty)J"},
      {R"J({% for x in items if x > 1 %}{{ x }}/{{ loop.length }} {% endfor %})J", R"J(3/2 2/2 )J"},
      {R"J({% for x in items %}{% if x == 1 %}{% continue %}{% endif %}{% if x == 2 %}{% break %}{% endif %}{{ x }}{% endfor %})J",
       R"J(3)J"},
      {R"J({% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %})J", R"J(b=2;a=1;nested={'k': [1, 'x', None, True]};)J"},
      {R"J({% for k in d %}{{ k }}{% endfor %})J", R"J(banested)J"},
      {R"J({% for c in name %}[{{ c }}]{% endfor %})J", R"J([Ü][n][ï][c][o][d][e])J"},
      {R"J({% for a in [1, 2] %}{% for b in 'xy' %}{{ a }}{{ b }}{{ loop.index }} {% endfor %}{% endfor %})J",
       R"J(1x1 1y2 2x1 2y2 )J"},
      {R"J({% for x in none_v or [] %}x{% endfor %}ok)J", R"J(ok)J"},
      {R"J({% for x in undefined_thing %}x{% endfor %}ok)J", R"J(ok)J"},
  });
}

TEST(Jinja, SetScopesNamespacesAndMacros) {
  check_rows({
      {R"J({% set x = 1 %}{% for i in items %}{% set x = i %}{% endfor %}{{ x }})J", R"J(1)J"},  // loop scope
      {R"J({% set ns = namespace(x=1, found=false) %}{% for i in items %}{% set ns.x = ns.x + i %}{% endfor %}{{ ns.x }} {{ ns.found }})J",
       R"J(7 False)J"},
      {R"J({% set ns = namespace() %}{% set ns.count = 0 %}{% for m in messages %}{% if m.role == 'user' %}{% set ns.count = ns.count + 1 %}{% endif %}{% endfor %}{{ ns.count }})J",
       R"J(1)J"},
      {R"J({% if true %}{% set y = 'set in if' %}{% endif %}{{ y }})J", R"J(set in if)J"},  // if has no scope
      {R"J({% set a, b = [1, 2] %}{{ b }}{{ a }})J", R"J(21)J"},
      {R"J({% set block %}  inner {{ n }}  {% endset %}[{{ block }}])J", R"J([  inner 7  ])J"},
      {R"J({% set block | trim | upper %}  inner  {% endset %}[{{ block }}])J", R"J([INNER])J"},
      {R"J({% macro greet(who, punct='!') %}Hi {{ who }}{{ punct }}{% endmacro %}{{ greet('a') }} {{ greet('b', '?') }} {{ greet(punct='.', who='c') }})J",
       R"J(Hi a! Hi b? Hi c.)J"},
      {R"J({% macro fact(k) %}{% if k <= 1 %}1{% else %}{{ k * fact(k - 1) | int }}{% endif %}{% endmacro %}{{ fact(5) }})J",
       R"J(120)J"},
      {R"J({% set top = 'T' %}{% macro m() %}{{ top }}{{ loopvar is defined }}{% endmacro %}{% for loopvar in [1] %}{{ m() }}{% endfor %})J",
       R"J(TFalse)J"},
      {R"J({% filter upper %}shout {{ name }}{% endfilter %})J", R"J(SHOUT ÜNÏCODE)J"},
      {R"J({% generation %}kept{% endgeneration %})J", R"J(kept)J"},
  });
}

TEST(Jinja, Expressions) {
  check_rows({
      {R"J({{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 7 % -3 }} {{ 1 - 2 * 3 }})J",
       R"J(3 -4 2 3.5 1024 -2 -5)J"},
      {R"J({{ 1 + 2.5 }} {{ 0.1 + 0.2 }} {{ 1e20 }} {{ 1e16 }} {{ 123456789012345.0 }} {{ 1.5e-7 }} {{ 10 / 5 }})J",
       R"J(3.5 0.30000000000000004 1e+20 1e+16 123456789012345.0 1.5e-07 2.0)J"},
      {R"J({{ 'ab' * 3 }} {{ 'a' ~ 1 ~ none ~ true }} {{ 'x' + 'y' }} {{ [1] + [2] }} {{ -n }} {{ +f }})J",
       R"J(ababab a1NoneTrue xy [1, 2] -7 2.5)J"},
      {R"J({{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' != 'a' }})J",
       R"J(True False True True True True False)J"},
      {R"J({{ 'ell' in 'hello' }} {{ 2 in items }} {{ 'a' in d }} {{ 'z' not in d }} {{ 5 not in items }})J",
       R"J(True True True True True)J"},
      {R"J({{ none_v or 'fallback' }} {{ 'x' and 'y' }} {{ empty or 0 or [] }} {{ not empty }} {{ not 'x' }})J",
       R"J(fallback y [] True False)J"},
      {R"J({{ 'yes' if n > 5 else 'no' }} {{ 'yes' if n > 50 else 'no' }} [{{ 'only' if false }}])J", R"J(yes no [])J"},
      {R"J({{ items[0] }} {{ items[-1] }} {{ items[1:] }} {{ items[::-1] }} {{ items[:-1] }} {{ items[5:] }} {{ items[::2] }})J",
       R"J(3 2 [1, 2] [2, 1, 3] [3, 1] [] [3, 2])J"},
      {R"J({{ name[0] }} {{ name[-1] }} {{ name[1:3] }} {{ name[::-1] }} {{ name | length }})J", R"J(Ü e nï edocïnÜ 7)J"},
      {R"J({{ d.a }} {{ d['b'] }} {{ d.nested.k[1] }} {{ messages.1.content }} {{ d.missing is defined }} {{ d['missing'] is undefined }})J",
       R"J(1 2 x Hi False True)J"},
      // (tuples are lists here: a printed tuple shows [1, 2] where Python shows (1, 2))
      {R"J({{ {'k': 'v', 'n': [1, {'x': none}]} }} {{ (1, 2) | length }} {{ [] }} {{ {} }} {{ "it's" }} {{ ['it\'s', "q\"q"] }})J",
       R"J({'k': 'v', 'n': [1, {'x': None}]} 2 [] {} it's ["it's", 'q"q'])J"},
      {R"J({{ 'a\tb\\n\u00e9\x41' }} {{ "adj" 'acent' }} {{ 1_000 + 0 }} {{ True }} {{ None }} {{ false }})J",
       "a\tb\\n\xc3\xa9" "A adjacent 1000 True None False"},
      {R"J({{ {0: 'zero', 1: 'one'}[1] }} {{ {0: 'zero'}[0.0] }} {{ {1: 'x'} | tojson }})J", R"J(one zero {"1": "x"})J"},
  });
}

TEST(Jinja, Filters) {
  check_rows({
      {R"J([{{ '  pad  ' | trim }}] [{{ 'xxhixx' | trim('x') }}] {{ items | length }} {{ d | length }} {{ name | count }})J",
       R"J([pad] [hi] 3 3 7)J"},
      {R"J({{ 'MiXed' | upper }} {{ 'MiXed' | lower }} {{ 'hello world' | capitalize }} {{ 'hello big-world' | title }})J",
       R"J(MIXED mixed Hello world Hello Big-World)J"},
      {R"J({{ 'ñandú ωmega привет ÿ' | upper }} {{ 'ÀÉÎ ΑΒΓ ДОМ Ÿ' | lower }} {{ 'élan vital' | title }} {{ 'éCOLE'.capitalize() }})J",
       R"J(ÑANDÚ ΩMEGA ПРИВЕТ Ÿ àéî αβγ дом ÿ Élan Vital École)J"},
      {R"J({{ d | tojson }} {{ 'é"\n' | tojson }} {{ none_v | tojson }} {{ [1.5, true] | tojson }})J",
       R"J({"b": 2, "a": 1, "nested": {"k": [1, "x", null, true]}} "é\"\n" null [1.5, true])J"},
      {R"J({{ d.nested | tojson(indent=2) }})J", "{\n  \"k\": [\n    1,\n    \"x\",\n    null,\n    true\n  ]\n}"},
      {R"J({{ {'b': 1, 'a': {}} | tojson(sort_keys=true) }} {{ [] | tojson(indent=4) }})J", R"J({"a": {}, "b": 1} [])J"},
      {R"J({{ missing | default('dflt') }} {{ empty | default('dflt') }} {{ empty | default('dflt', true) }} {{ none_v | d('n') }})J",
       R"J(dflt  dflt None)J"},
      {R"J({{ items | first }} {{ items | last }} {{ name | first }} {{ d | first }})J", R"J(3 2 Ü b)J"},
      {R"J({{ items | join(', ') }} {{ users | join('/', attribute='name') }} {{ [1, none] | join }})J",
       R"J(3, 1, 2 amy/bob 1None)J"},
      {R"J({{ 'a-b-c' | replace('-', '+') }} {{ 'a-b-c' | replace('-', '', 1) }} {{ 'ab' | replace('', '.') }})J",
       R"J(a+b+c ab-c .a.b.)J"},
      {R"J({% for k, v in d | items %}{{ k }}{{ v is mapping }} {% endfor %}{% for k, v in d | dictsort %}{{ k }}{% endfor %})J",
       R"J(bFalse aFalse nestedTrue abnested)J"},
      {R"J({{ 42 | string }}{{ (42 | string) ~ 'x' }} {{ '12' | int + 1 }} {{ '3.9' | int }} {{ 'x' | int }} {{ 'x' | int(5) }} {{ 4.7 | int }} {{ '2.5' | float }})J",
       R"J(4242x 13 3 0 5 4 2.5)J"},
      {R"J({{ items | sort }} {{ items | sort(reverse=true) }} {{ users | sort(attribute='age') | map(attribute='name') | list }} {{ ['b', 'A', 'c'] | sort }})J",
       R"J([1, 2, 3] [3, 2, 1] ['bob', 'amy'] ['A', 'b', 'c'])J"},
      {R"J({{ users | selectattr('admin') | map(attribute='name') | list }} {{ users | rejectattr('age', 'gt', 26) | map(attribute='name') | join }})J",
       R"J(['amy'] bob)J"},
      {R"J({{ messages | selectattr('role', 'equalto', 'user') | list | length }} {{ items | select('odd') | list }} {{ items | reject('odd') | list }})J",
       R"J(1 [3, 1] [2])J"},
      {R"J({{ ['a', 'b'] | map('upper') | list }} {{ [1, 2, 2, 1] | unique | list }} {{ items | reverse | list }} {{ 'abc' | reverse }})J",
       R"J(['A', 'B'] [1, 2] [2, 1, 3] cba)J"},
      {R"J({{ -3 | abs }} {{ 2.567 | round(2) }} {{ 2.5 | round }} {{ items | sum }} {{ items | min }} {{ items | max }} {{ users | sum(attribute='age') }})J",
       R"J(3 2.57 2.0 6 1 3 55)J"},
      {R"J({{ 'a\nb\n\nc' | indent(2) }}|{{ 'a\nb' | indent(2, true) }}|{{ '<&>' | e }}|{{ 'one two  three' | wordcount }})J",
       "a\n  b\n\n  c|  a\n  b|&lt;&amp;&gt;|3"},
      {R"J({{ 'x' | safe }} {{ none_v | selectattr('a') | list }} [{{ d | attr('a') }}] {{ namespace(a=5) | attr('a') }} {{ 3.5 | round }})J",
       R"J(x [] [] 5 4.0)J"},
  });
}

TEST(Jinja, MethodsTestsAndGlobals) {
  check_rows({
      {R"J([{{ '  s  '.strip() }}] [{{ '  s  '.lstrip() }}] [{{ '  s  '.rstrip() }}] [{{ '--s--'.strip('-') }}])J",
       R"J([s] [s  ] [  s] [s])J"},
      {R"J({{ 'hello'.startswith('he') }} {{ 'hello'.endswith(('x', 'lo')) }} {{ 'hello'.startswith('lo') }})J",
       R"J(True True False)J"},
      {R"J({{ ' a  b '.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a,b,c'.split(',', 1) }} {{ 'x'.split('y') }})J",
       R"J(['a', 'b'] ['a', 'b', '', 'c'] ['a', 'b,c'] ['x'])J"},
      {R"J({{ 'aBc'.upper() }} {{ 'aBc'.lower() }} {{ "they're bill's".title() }} {{ 'hELLO'.capitalize() }} {{ 'aaa'.replace('a', 'b', 2) }})J",
       R"J(ABC abc They'Re Bill'S Hello bba)J"},
      {R"J({{ '{} + {} = {sum}'.format(1, 2, sum=3) }} {{ '{1}{0}{{x}}'.format('a', 'b') }} {{ 'abcb'.find('b') }} {{ 'abcb'.count('b') }} {{ '-'.join(['a', 'b']) }})J",
       R"J(1 + 2 = 3 ba{x} 1 2 a-b)J"},
      {R"J({{ d.keys() | list }} {{ d.values() | list | length }} {{ d.get('a') }} {{ d.get('zz', 'dv') }} {{ d.get('zz') }})J",
       R"J(['b', 'a', 'nested'] 3 1 dv None)J"},
      {R"J({{ x is defined }} {{ n is defined }} {{ none_v is none }} {{ n is not none }} {{ name is string }} {{ n is string }})J",
       R"J(False True True True True False)J"},
      {R"J({{ d is mapping }} {{ items is mapping }} {{ items is iterable }} {{ name is iterable }} {{ n is iterable }} {{ items is sequence }})J",
       R"J(True False True True False True)J"},
      {R"J({{ n is number }} {{ f is number }} {{ name is number }} {{ n is integer }} {{ f is float }} {{ true is boolean }} {{ n is odd }} {{ n is even }})J",
       R"J(True True False True True True True False)J"},
      {R"J({{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} {{ 'user' is equalto 'user' }} {{ 3 is lt 4 }} {{ 2 is in items }} {{ 'abc' is lower }} {{ 'aBc' is upper }} {{ none_v is sameas none }})J",
       R"J(True False True True True True False True)J"},
      {R"J({{ range(3) | list }} {{ range(1, 7, 2) | list }} {{ range(3, 0, -1) | list }} {{ range(0) | list }})J",
       R"J([0, 1, 2] [1, 3, 5] [3, 2, 1] [])J"},
      {R"J({{ dict(a=1, b='x') }} {{ namespace(a=1).a }} {{ strftime_now('%d %b %Y') }} {{ strftime_now('%Y-%m-%dT%H:%M') }})J",
       R"J({'a': 1, 'b': 'x'} 1 15 Jan 2025 2025-01-15T00:00)J"},
  });
}

// ---- errors: kind, message and position ----

JinjaError render_error(const std::string& src, const RenderOptions& opts = {}) {
  try {
    Template(src).render(ordered_json::parse(kContext), opts);
  } catch (const JinjaError& e) {
    return e;
  }
  ADD_FAILURE() << "no error for: " << src;
  return JinjaError(ErrorKind::Runtime, "none");
}

TEST(JinjaErrors, SyntaxErrorsHaveLineAndColumn) {
  struct Case {
    const char* src;
    int line, col;
    const char* message_part;
  } cases[] = {
      {"ok\n{{ x ", 2, 1, "unclosed '{{'"},
      {"{% if x %}\nno end", 2, 7, "expected '{% endif %}'"},
      {"a\nb\n  {% frobnicate %}", 3, 6, "unknown statement 'frobnicate'"},
      {"{{ 'unterminated }}", 1, 4, "unterminated string"},
      {"{{ 1 + }}", 1, 8, "unexpected '}}'"},
      {"{% break %}", 1, 4, "outside of a for loop"},
      {"{# never closed", 1, 1, "unclosed comment"},
      {"{% for x in y %}{% endif %}", 1, 20, "expected '{% endfor %}'"},
      {"{% endfor %}", 1, 4, "without a matching opening tag"},
      {"{{ a $ b }}", 1, 6, "unexpected '$'"},
      {"{% include 'other.j2' %}", 1, 4, "not supported"},
      {"{{ f(a=1, 2) }}", 1, 11, "positional argument after keyword"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.src);
    try {
      Template t(c.src);
      ADD_FAILURE() << "parsed";
    } catch (const JinjaError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Syntax);
      EXPECT_EQ(e.line(), c.line);
      EXPECT_EQ(e.col(), c.col);
      EXPECT_NE(e.detail().find(c.message_part), std::string::npos) << e.detail();
      EXPECT_NE(std::string(e.what()).find("line " + std::to_string(c.line)), std::string::npos) << e.what();
    }
  }
}

TEST(JinjaErrors, RuntimeErrorsAreClear) {
  struct Case {
    const char* src;
    ErrorKind kind;
    int line;
    const char* message_part;
  } cases[] = {
      {"{{ missing.attr }}", ErrorKind::Runtime, 1, "'missing' is undefined"},
      {"line1\n{{ d.nope.deeper }}", ErrorKind::Runtime, 2, "has no attribute 'nope'"},
      {"{{ 'a' + 1 }}", ErrorKind::Runtime, 1, "unsupported operand type(s) for +: 'str' and 'int'"},
      {"{{ 1 / 0 }}", ErrorKind::Runtime, 1, "division by zero"},
      {"{{ 1 // 0 }}", ErrorKind::Runtime, 1, "division by zero"},
      {"{{ items | frobnicate }}", ErrorKind::Runtime, 1, "unknown filter 'frobnicate'"},
      {"{{ n is frobnicated }}", ErrorKind::Runtime, 1, "unknown test 'frobnicated'"},
      {"{{ n() }}", ErrorKind::Runtime, 1, "not callable"},
      {"{% set n.attr = 1 %}", ErrorKind::Runtime, 1, "only namespace() objects"},
      {"{{ items.append(4) }}", ErrorKind::Runtime, 1, "read-only"},
      {"{% for a, b in items %}{% endfor %}", ErrorKind::Runtime, 1, "cannot unpack"},
      {"{{ name.nomethod() }}", ErrorKind::Runtime, 1, "has no method 'nomethod'"},
      {"{{ 9223372036854775807 + 1 }}", ErrorKind::Runtime, 1, "integer overflow"},
      {"{{ [1] < 'a' }}", ErrorKind::Runtime, 1, "not supported between"},
      {"{{ none_v | tojson }}{{ missing | tojson }}", ErrorKind::Runtime, 1, "not JSON serializable"},
      {"{{ items[::0] }}", ErrorKind::Runtime, 1, "slice step cannot be zero"},
      {"\n\n  {{ raise_exception('Roles must alternate') }}", ErrorKind::Raised, 3, "Roles must alternate"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.src);
    JinjaError e = render_error(c.src);
    EXPECT_EQ(e.kind(), c.kind) << e.what();
    EXPECT_EQ(e.line(), c.line) << e.what();
    EXPECT_NE(e.detail().find(c.message_part), std::string::npos) << e.detail();
  }
  JinjaError raised = render_error("{{ raise_exception('Roles must alternate') }}");
  EXPECT_EQ(raised.detail(), "Roles must alternate");
}

// ---- limits: an untrusted template always stops with a clear error ----

TEST(JinjaLimits, HugeLoopStopsAtStepBudget) {
  RenderOptions opts;
  opts.limits.max_steps = 200'000;
  JinjaError e = render_error("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", opts);
  EXPECT_EQ(e.kind(), ErrorKind::Limit);
  EXPECT_NE(e.detail().find("step limit"), std::string::npos);
}

// Sanitizers make every step several times slower (10M steps took 9 s under
// ASan on a busy 2-core machine): the test is about the budget, so its time
// bound scales with the build.
#ifdef LANTERN_TEST_SANITIZED
constexpr double kStepBudgetSeconds = 60.0;
#else
constexpr double kStepBudgetSeconds = 5.0;
#endif

TEST(JinjaLimits, DefaultStepBudgetEndsAnEndlessLookingTemplateQuickly) {
  auto start = std::chrono::steady_clock::now();
  JinjaError e = render_error(
      "{% for a in range(100000) %}{% for b in range(100000) %}{% for c in range(100000) %}"
      "{% set x = a + b + c %}{% endfor %}{% endfor %}{% endfor %}");
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(e.kind(), ErrorKind::Limit);
  EXPECT_LT(s, kStepBudgetSeconds);
}

TEST(JinjaLimits, WorkOnLargeValuesIsChargedBySize) {
  // 1e6 comparisons of two 1 MB strings would take minutes if each cost one step.
  std::string big(1 << 20, 'x');
  ordered_json ctx = {{"s", big}, {"t", big}, {"l", std::vector<int>(100000, 1)}};
  auto start = std::chrono::steady_clock::now();
  for (const char* src : {"{% for i in range(1000000) %}{% if s == t %}{% endif %}{% endfor %}",
                          "{% for i in range(1000000) %}{{ s | length }}{% endfor %}",
                          "{% for i in range(1000000) %}{% set n = l | list %}{% endfor %}"}) {
    SCOPED_TRACE(src);
    try {
      Template(src).render(ctx);
      ADD_FAILURE() << "finished";
    } catch (const JinjaError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Limit) << e.what();
    }
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
}

TEST(JinjaLimits, RecursionDepth) {
  JinjaError e = render_error("{% macro f(k) %}{{ f(k + 1) }}{% endmacro %}{{ f(0) }}");
  EXPECT_EQ(e.kind(), ErrorKind::Limit);
  EXPECT_NE(e.detail().find("recursion"), std::string::npos);
}

TEST(JinjaLimits, OutputAndValueSize) {
  RenderOptions opts;
  opts.limits.max_output_bytes = 1 << 16;
  EXPECT_EQ(render_error("{{ 'x' * 1000000000 }}", opts).kind(), ErrorKind::Limit);
  EXPECT_EQ(render_error("{% for i in range(8000) %}0123456789{% endfor %}", opts).kind(), ErrorKind::Limit);
  EXPECT_EQ(render_error("{% set s = 'ab' %}{% for i in range(30) %}{% set s = s ~ s %}{% endfor %}", opts).kind(),
            ErrorKind::Limit);
  // a list shared with itself doubles per level: serialising it is exponential
  EXPECT_EQ(render_error("{% set ns = namespace(l=[1]) %}{% for i in range(60) %}{% set ns.l = [ns.l, ns.l] %}"
                         "{% endfor %}{{ ns.l | tojson }}", opts).kind(),
            ErrorKind::Limit);
  EXPECT_EQ(render_error("{{ range(100000000) | length }}", opts).kind(), ErrorKind::Limit);
}

TEST(JinjaLimits, DeepNestingIsRefusedNotACrash) {
  std::string parens = "{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}";
  EXPECT_EQ(render_error(parens).kind(), ErrorKind::Syntax);
  std::string chain = "{{ 1";
  for (int i = 0; i < 5000; ++i) chain += " + 1";
  EXPECT_EQ(render_error(chain + " }}").kind(), ErrorKind::Syntax);
  std::string blocks;
  for (int i = 0; i < 2000; ++i) blocks += "{% if true %}";
  EXPECT_EQ(render_error(blocks).kind(), ErrorKind::Syntax);
  std::string nots = "{{ " + std::string(0, ' ');
  for (int i = 0; i < 5000; ++i) nots += "not ";
  EXPECT_EQ(render_error(nots + "1 }}").kind(), ErrorKind::Syntax);
  EXPECT_EQ(render_error("{% set ns = namespace(l=[]) %}{% for i in range(1000) %}{% set ns.l = [ns.l] %}{% endfor %}")
                .kind(),
            ErrorKind::Limit);
  nlohmann::ordered_json deep = 1;
  for (int i = 0; i < 1000; ++i) deep = nlohmann::ordered_json::array({deep});
  try {
    Template("{{ x }}").render(nlohmann::ordered_json{{"x", deep}});
    ADD_FAILURE() << "deep JSON accepted";
  } catch (const JinjaError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Limit);
  }
}

}  // namespace
