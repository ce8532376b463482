// Real chat templates rendered by Lantern's Jinja subset must match, byte for
// byte, what jinja2 renders with Hugging Face's settings (fixtures/golden/chat,
// cross-checked against llama.cpp's engine; see its README).
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "chat/chat_template.h"
#include "chat/chat_template_gguf.h"
#include "chat/jinja_error.h"
#include "chat/jinja_template.h"
#include "gguf/byte_source.h"
#include "gguf/gguf_file.h"
#include "support/test_files.h"

namespace {

using nlohmann::ordered_json;
const std::string kChatGoldenDir = std::string(LANTERN_SOURCE_DIR) + "/fixtures/golden/chat/";


const ordered_json& golden() {
  static const ordered_json g = ordered_json::parse(lantern::test::read_file(kChatGoldenDir + "golden.json"));
  return g;
}

const ordered_json& golden_case(const std::string& name) {
  for (const auto& c : golden()["cases"]) {
    if (c["name"] == name) return c;
  }
  throw std::runtime_error("no golden case " + name);
}

std::vector<lantern::ChatMessage> to_messages(const ordered_json& msgs) {
  std::vector<lantern::ChatMessage> out;
  for (const auto& m : msgs) {
    lantern::ChatMessage cm{m["role"].get<std::string>(), m["content"].get<std::string>(), nullptr};
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (it.key() != "role" && it.key() != "content") cm.extra[it.key()] = it.value();
    }
    out.push_back(std::move(cm));
  }
  return out;
}

TEST(ChatGolden, EveryCaseRendersLikeJinja2) {
  const auto& cases = golden()["cases"];
  ASSERT_GE(cases.size(), 80u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    lantern::jinja::Template t(lantern::test::read_file(kChatGoldenDir + c["template"].get<std::string>()));
    lantern::jinja::RenderOptions opts;
    opts.now_unix = c["now_unix"].get<int64_t>();
    if (c.contains("expected")) {
      EXPECT_EQ(t.render(c["context"], opts), c["expected"].get<std::string>());
    } else {
      try {
        t.render(c["context"], opts);
        ADD_FAILURE() << "expected the template to raise";
      } catch (const lantern::jinja::JinjaError& e) {
        EXPECT_EQ(e.kind(), lantern::jinja::ErrorKind::Raised);
        EXPECT_EQ(e.detail(), c["expected_error"].get<std::string>());
        EXPECT_GT(e.line(), 0);
      }
    }
  }
}

// The same cases through ChatTemplate (messages as ChatMessage, tools as JSON).
TEST(ChatGolden, ChatTemplateMatchesForTargetFamilies) {
  int checked = 0;
  for (const auto& c : golden()["cases"]) {
    if (!c.contains("expected") || c["name"].get<std::string>().find("-merged") != std::string::npos) continue;
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto& ctx = c["context"];
    lantern::ChatTemplate tmpl(lantern::test::read_file(kChatGoldenDir + c["template"].get<std::string>()), ctx["bos_token"], ctx["eos_token"]);
    lantern::ChatRenderOptions opts;
    opts.now_unix = c["now_unix"].get<int64_t>();
    opts.tools = ctx["tools"];
    lantern::ChatRenderResult r = tmpl.render_detailed(to_messages(ctx["messages"]), ctx["add_generation_prompt"], opts);
    EXPECT_EQ(r.source, lantern::ChatTemplateSource::Model) << r.warning;
    EXPECT_EQ(r.text, c["expected"].get<std::string>());
    EXPECT_EQ(r.begins_with_bos, !tmpl.bos_token().empty() && r.text.rfind(tmpl.bos_token(), 0) == 0);
    ++checked;
  }
  EXPECT_GE(checked, 70);
}

// Gemma 2 and Mistral v0.1 raise on a system message; ChatTemplate renders
// again with the system text folded into the first user turn.
TEST(ChatGolden, SystemRoleRefusalFallsBackToMergedSystem) {
  for (const char* stem : {"gemma-2-it", "mistral-v0.1-instruct"}) {
    SCOPED_TRACE(stem);
    const auto& sys = golden_case(std::string(stem) + "/sys");
    ASSERT_TRUE(sys.contains("expected_error"));
    const auto& merged = golden_case(std::string(stem) + "/sys-merged");
    const auto& ctx = sys["context"];
    lantern::ChatTemplate tmpl(lantern::test::read_file(kChatGoldenDir + sys["template"].get<std::string>()), ctx["bos_token"], ctx["eos_token"]);
    lantern::ChatRenderResult r = tmpl.render_detailed(to_messages(ctx["messages"]), true);
    EXPECT_EQ(r.source, lantern::ChatTemplateSource::ModelSystemMerged);
    EXPECT_EQ(r.text, merged["expected"].get<std::string>());
    EXPECT_NE(r.warning.find(sys["expected_error"].get<std::string>()), std::string::npos) << r.warning;
    EXPECT_THROW(tmpl.render_strict(to_messages(ctx["messages"]), true), lantern::jinja::JinjaError);
  }
}

// The Phi-3 vocab GGUF in ../shared carries a real chat template.
TEST(ChatGolden, TemplateFromGgufFile) {
  const std::string path = std::string(LANTERN_SHARED_DIR) + "/models/vocab/ggml-vocab-phi-3.gguf";
  auto src = lantern::open_file_source(path);
  lantern::GgufFile f = lantern::GgufFile::parse(*src);
  lantern::ChatTemplateSpec spec = lantern::chat_template_spec_from_gguf(f);
  EXPECT_EQ(spec.source, lantern::test::read_file(kChatGoldenDir + "templates/phi-3-mini-instruct.jinja"));
  EXPECT_EQ(spec.bos_token, "<s>");
  EXPECT_EQ(spec.eos_token, "<|endoftext|>");
  EXPECT_EQ(spec.family, lantern::ChatFamily::Phi3);

  const auto& c = golden_case("phi-3-mini-instruct/long6");
  lantern::ChatTemplate tmpl = lantern::chat_template_from_gguf(f);
  EXPECT_TRUE(tmpl.has_model_template());
  EXPECT_EQ(tmpl.render(to_messages(c["context"]["messages"]), true), c["expected"].get<std::string>());
}

// A vocabulary without a template: family from the vocabulary, built-in template.
TEST(ChatGolden, GgufWithoutTemplateUsesDetectedFamily) {
  const std::string path = std::string(LANTERN_SHARED_DIR) + "/models/vocab/ggml-vocab-llama-spm.gguf";
  auto src = lantern::open_file_source(path);
  lantern::GgufFile f = lantern::GgufFile::parse(*src);
  lantern::ChatTemplateSpec spec = lantern::chat_template_spec_from_gguf(f);
  EXPECT_TRUE(spec.source.empty());
  EXPECT_EQ(spec.bos_token, "<s>");
  EXPECT_EQ(spec.eos_token, "</s>");
  EXPECT_EQ(spec.family, lantern::ChatFamily::Plain);  // plain llama vocab: no chat markers
  lantern::ChatTemplate tmpl = lantern::chat_template_from_gguf(f);
  lantern::ChatRenderResult r = tmpl.render_detailed({{"user", "Hi", nullptr}}, true);
  EXPECT_EQ(r.source, lantern::ChatTemplateSource::Plain);
  EXPECT_EQ(r.text, "user: Hi\nassistant:");
}

}  // namespace
