// ChatTemplate behaviour around the model's template: family detection, the
// built-in templates, each fallback step, and what the template can see.
#include <stdexcept>

#include <gtest/gtest.h>

#include "chat/chat_family.h"
#include "chat/chat_template.h"
#include "chat/jinja_error.h"

namespace {

using lantern::ChatFamily;
using lantern::ChatMessage;
using lantern::ChatRenderOptions;
using lantern::ChatTemplate;
using lantern::ChatTemplateSource;

const std::vector<ChatMessage> kConv = {
    {"system", "S", nullptr}, {"user", "U1", nullptr}, {"assistant", "A1", nullptr}, {"user", "U2", nullptr}};

TEST(ChatFamilyDetect, FromVocabularyTokens) {
  auto detect = [](std::vector<std::string> toks) { return lantern::detect_chat_family(toks, ""); };
  EXPECT_EQ(detect({"a", "<|im_start|>", "<|im_end|>"}), ChatFamily::ChatML);
  EXPECT_EQ(detect({"<|begin_of_text|>", "<|start_header_id|>", "<|eot_id|>"}), ChatFamily::Llama3);
  EXPECT_EQ(detect({"<s>", "[INST]", "[/INST]"}), ChatFamily::Mistral);
  EXPECT_EQ(detect({"<bos>", "<start_of_turn>", "<end_of_turn>"}), ChatFamily::Gemma);
  EXPECT_EQ(detect({"<|user|>", "<|assistant|>", "<|end|>"}), ChatFamily::Phi3);
  EXPECT_EQ(detect({"<|user|>", "<|assistant|>"}), ChatFamily::Zephyr);
  EXPECT_EQ(detect({"<s>", "</s>", "hello"}), ChatFamily::Plain);
  EXPECT_EQ(detect({}), ChatFamily::Plain);
  // Markers as substrings of longer tokens do not count.
  EXPECT_EQ(detect({"x<|im_start|>", "[INST]y"}), ChatFamily::Plain);
}

TEST(ChatFamilyDetect, FromTemplateTextWhenTheVocabularyHasNoMarkers) {
  EXPECT_EQ(lantern::detect_chat_family({}, "{{ '<|im_start|>' + m }} {% broken"), ChatFamily::ChatML);
  EXPECT_EQ(lantern::detect_chat_family({}, "'<|user|>\\n' + content + eos_token"), ChatFamily::Zephyr);
  EXPECT_EQ(lantern::detect_chat_family({}, "{{ '[INST] ' + content }}"), ChatFamily::Mistral);
  // Vocabulary wins over the text.
  EXPECT_EQ(lantern::detect_chat_family({"<|start_header_id|>"}, "<|im_start|>"), ChatFamily::Llama3);
}

TEST(ChatBuiltins, EachFamilyRendersItsFormat) {
  struct Case {
    ChatFamily family;
    const char* bos;
    const char* eos;
    const char* expected;
  } cases[] = {
      {ChatFamily::ChatML, "", "<|im_end|>",
       "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n"
       "<|im_start|>user\nU2<|im_end|>\n<|im_start|>assistant\n"},
      {ChatFamily::Llama3, "<|begin_of_text|>", "<|eot_id|>",
       "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|><|start_header_id|>user"
       "<|end_header_id|>\n\nU1<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nA1<|eot_id|>"
       "<|start_header_id|>user<|end_header_id|>\n\nU2<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"},
      {ChatFamily::Mistral, "<s>", "</s>", "<s>[INST] S\n\nU1 [/INST] A1</s>[INST] U2 [/INST]"},
      {ChatFamily::Gemma, "<bos>", "<eos>",
       "<bos><start_of_turn>user\nS\n\nU1<end_of_turn>\n<start_of_turn>model\nA1<end_of_turn>\n"
       "<start_of_turn>user\nU2<end_of_turn>\n<start_of_turn>model\n"},
      {ChatFamily::Phi3, "<s>", "<|endoftext|>",
       "<|system|>\nS<|end|>\n<|user|>\nU1<|end|>\n<|assistant|>\nA1<|end|>\n<|user|>\nU2<|end|>\n<|assistant|>\n"},
      {ChatFamily::Zephyr, "<s>", "</s>",
       "<|system|>\nS</s>\n<|user|>\nU1</s>\n<|assistant|>\nA1</s>\n<|user|>\nU2</s>\n<|assistant|>\n"},
      {ChatFamily::Plain, "<s>", "</s>", "system: S\nuser: U1\nassistant: A1\nuser: U2\nassistant:"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(lantern::chat_family_name(c.family));
    ChatTemplate t = ChatTemplate::builtin(c.family, c.bos, c.eos);
    EXPECT_FALSE(t.has_model_template());
    lantern::ChatRenderResult r = t.render_detailed(kConv, true);
    EXPECT_EQ(r.text, c.expected);
    EXPECT_EQ(r.source, c.family == ChatFamily::Plain ? ChatTemplateSource::Plain : ChatTemplateSource::Builtin);
    EXPECT_NE(r.warning.find("no chat template"), std::string::npos) << r.warning;
  }
}

TEST(ChatBuiltins, NeverRaiseOnUnusualConversations) {
  const std::vector<std::vector<ChatMessage>> convs = {
      {},
      {{"system", "only system", nullptr}},
      {{"assistant", "first", nullptr}, {"assistant", "second", nullptr}},
      {{"user", "a", nullptr}, {"user", "b", nullptr}, {"tool", "{}", nullptr}},
  };
  for (ChatFamily f : {ChatFamily::ChatML, ChatFamily::Llama3, ChatFamily::Mistral, ChatFamily::Gemma,
                       ChatFamily::Phi3, ChatFamily::Zephyr}) {
    ChatTemplate t = ChatTemplate::builtin(f, "<s>", "</s>");
    for (const auto& conv : convs) {
      EXPECT_EQ(t.render_detailed(conv, true).source, ChatTemplateSource::Builtin) << lantern::chat_family_name(f);
    }
  }
}

TEST(ChatTemplateFallback, BrokenTemplateUsesBuiltinAndReportsWhere) {
  ChatTemplate t("{% for m in messages %}\n{{ m.content }\n{% endfor %}", "", "<|im_end|>", ChatFamily::ChatML);
  EXPECT_FALSE(t.has_model_template());
  EXPECT_NE(t.model_template_error().find("line 2"), std::string::npos) << t.model_template_error();
  lantern::ChatRenderResult r = t.render_detailed({{"user", "hi", nullptr}}, true);
  EXPECT_EQ(r.source, ChatTemplateSource::Builtin);
  EXPECT_EQ(r.text, "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_NE(r.warning.find("does not parse"), std::string::npos);
  EXPECT_NE(r.warning.find("built-in chatml"), std::string::npos);
  try {
    t.render_strict({{"user", "hi", nullptr}}, true);
    ADD_FAILURE() << "render_strict accepted a broken template";
  } catch (const lantern::jinja::JinjaError& e) {
    EXPECT_EQ(e.kind(), lantern::jinja::ErrorKind::Syntax);
    EXPECT_EQ(e.line(), 2);
  }
}

TEST(ChatTemplateFallback, RuntimeFailureWithoutSystemGoesToBuiltinThenPlain) {
  const std::string bad = "{{ messages[0].content + 1 }}";
  ChatTemplate with_family(bad, "", "", ChatFamily::Zephyr);
  lantern::ChatRenderResult r = with_family.render_detailed({{"user", "x", nullptr}}, false);
  EXPECT_EQ(r.source, ChatTemplateSource::Builtin);
  EXPECT_EQ(r.text, "<|user|>\nx\n");
  EXPECT_NE(r.warning.find("unsupported operand"), std::string::npos) << r.warning;

  ChatTemplate no_family(bad, "", "");
  r = no_family.render_detailed({{"user", "x", nullptr}}, true);
  EXPECT_EQ(r.source, ChatTemplateSource::Plain);
  EXPECT_EQ(r.text, "user: x\nassistant:");
}

TEST(ChatTemplateFallback, RaiseOnOtherGroundsIsNotRetriedWithMergedSystem) {
  // Raises whenever there are two user turns in a row; merging the system does not help.
  const std::string tmpl =
      "{% for m in messages %}{% if loop.index0 > 0 and m.role == messages[loop.index0 - 1].role %}"
      "{{ raise_exception('roles must alternate') }}{% endif %}{{ m.role }}:{{ m.content }};{% endfor %}";
  ChatTemplate t(tmpl, "", "", ChatFamily::ChatML);
  lantern::ChatRenderResult r =
      t.render_detailed({{"system", "S", nullptr}, {"user", "a", nullptr}, {"user", "b", nullptr}}, false);
  EXPECT_EQ(r.source, ChatTemplateSource::Builtin);
  EXPECT_NE(r.warning.find("roles must alternate"), std::string::npos);
  EXPECT_NE(r.warning.find("merged it failed too"), std::string::npos) << r.warning;
}

TEST(ChatTemplateFallback, RunawayTemplateHitsLimitAndFallsBack) {
  ChatTemplate t("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", "", "",
                 ChatFamily::Phi3);
  ChatRenderOptions opts;
  opts.limits.max_steps = 100000;
  lantern::ChatRenderResult r = t.render_detailed({{"user", "q", nullptr}}, true, opts);
  EXPECT_EQ(r.source, ChatTemplateSource::Builtin);
  EXPECT_EQ(r.text, "<|user|>\nq<|end|>\n<|assistant|>\n");
  EXPECT_NE(r.warning.find("limit"), std::string::npos) << r.warning;
}

TEST(ChatTemplate, MergeSystemIntoFirstUser) {
  auto merged = lantern::merge_system_into_first_user(
      {{"system", "S1", nullptr}, {"assistant", "A", nullptr}, {"system", "S2", nullptr}, {"user", "U", nullptr}});
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].role, "assistant");
  EXPECT_EQ(merged[1].content, "S1\n\nS2\n\nU");
  auto only = lantern::merge_system_into_first_user({{"system", "S", nullptr}});
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0].role, "user");
  EXPECT_EQ(only[0].content, "S");
  EXPECT_EQ(lantern::merge_system_into_first_user({{"user", "U", nullptr}})[0].content, "U");
}

TEST(ChatTemplate, WhatTheTemplateSees) {
  const std::string tmpl =
      "{{ bos_token }}|{{ eos_token }}|{{ add_generation_prompt }}|{{ tools is none }}|{{ documents is none }}|"
      "{{ messages[1].tool_calls[0].function.name }}|{{ messages[2].tool_call_id }}|{{ date_string }}|"
      "{{ strftime_now('%Y-%m-%d') }}|{{ messages[0].role }}";
  ChatTemplate t(tmpl, "<s>", "</s>");
  nlohmann::ordered_json call = {{"tool_calls", {{{"id", "c1"}, {"function", {{"name", "f"}, {"arguments", "{}"}}}}}}};
  std::vector<ChatMessage> conv = {{"user", "q", nullptr},
                                   {"assistant", "", call},
                                   {"tool", "42", {{"tool_call_id", "c1"}, {"role", "ignored: role comes from the field"}}}};
  ChatRenderOptions opts;
  opts.now_unix = 0;
  opts.extra_context = {{"date_string", "1 Jan 1970"}};
  lantern::ChatRenderResult r = t.render_detailed(conv, false, opts);
  EXPECT_EQ(r.source, ChatTemplateSource::Model) << r.warning;
  EXPECT_EQ(r.text, "<s>|</s>|False|True|True|f|c1|1 Jan 1970|1970-01-01|user");
  EXPECT_TRUE(r.begins_with_bos);

  opts.tools = nlohmann::ordered_json::array({{{"type", "function"}, {"function", {{"name", "g"}, {"z", 1}, {"a", 2}}}}});
  EXPECT_EQ(ChatTemplate("{{ tools | tojson }}", "", "").render({}, true, opts),
            R"([{"type": "function", "function": {"name": "g", "z": 1, "a": 2}}])");
}

TEST(ChatTemplate, BadOptionsAreInvalidArgument) {
  ChatTemplate t("{{ messages | length }}", "", "");
  ChatRenderOptions opts;
  opts.tools = "not a list";
  EXPECT_THROW(t.render({}, true, opts), std::invalid_argument);
  opts = {};
  opts.extra_context = nlohmann::ordered_json::array();
  EXPECT_THROW(t.render({}, true, opts), std::invalid_argument);
  nlohmann::ordered_json deep = 1;
  for (int i = 0; i < 500; ++i) deep = nlohmann::ordered_json::array({deep});
  EXPECT_THROW(t.render({{"user", "x", {{"deep", deep}}}}, true), std::invalid_argument);
}

}  // namespace
