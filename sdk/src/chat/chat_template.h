// Turns a conversation into the prompt text a model was trained on.
//
// The model's own template (GGUF tokenizer.chat_template, Jinja) is used when
// it parses and renders. Otherwise, in order:
//   1. if it raised on a system message (Gemma, Mistral v0.1 refuse the role),
//      it is rendered again with the system text folded into the first user
//      message, as those models' own documentation suggests;
//   2. the built-in template of the family detected from the vocabulary;
//   3. plain "role: content" lines.
// render_detailed() says which path produced the text and why.
// The template sees what Hugging Face transformers passes: messages, tools
// (none when absent), documents (none), add_generation_prompt, bos_token,
// eos_token, strftime_now() and raise_exception().
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/chat_family.h"
#include "chat/chat_message.h"
#include "chat/jinja_evaluator.h"

namespace lantern {

namespace jinja {
class Template;
}

struct ChatRenderOptions {
  nlohmann::ordered_json tools;          // a list of OpenAI tool objects, or null
  nlohmann::ordered_json extra_context;  // an object of more template variables, or null
  std::optional<int64_t> now_unix;       // what strftime_now() formats; default: the clock
  jinja::RenderLimits limits;
};

enum class ChatTemplateSource {
  Model,              // the model's template as it is
  ModelSystemMerged,  // the model's template, system message folded into the first user turn
  Builtin,            // the built-in template of the detected family
  Plain,              // "role: content" lines
};
const char* chat_template_source_name(ChatTemplateSource s);

struct ChatRenderResult {
  std::string text;
  ChatTemplateSource source = ChatTemplateSource::Model;
  std::string warning;        // why a fallback was taken; empty on the normal path
  bool begins_with_bos = false;  // text starts with bos_token: do not add another BOS
};

class ChatTemplate {
 public:
  // source: the model's template (may be empty or broken: it is parsed here
  // and a parse error only selects the fallback). bos/eos: the token texts.
  ChatTemplate(std::string source, std::string bos_token, std::string eos_token,
               ChatFamily fallback = ChatFamily::Plain);
  ~ChatTemplate();
  ChatTemplate(ChatTemplate&&) noexcept;
  ChatTemplate& operator=(ChatTemplate&&) noexcept;

  // A template that is the built-in of `family` (no model template).
  static ChatTemplate builtin(ChatFamily family, std::string bos_token, std::string eos_token);

  bool has_model_template() const { return model_ != nullptr; }
  const std::string& model_template_source() const { return source_; }
  const std::string& model_template_error() const { return model_error_; }  // why it was refused
  ChatFamily fallback_family() const { return fallback_; }
  const std::string& bos_token() const { return bos_; }
  const std::string& eos_token() const { return eos_; }

  // Never throws for template problems (it falls back); the text of the
  // chosen path. Throws std::invalid_argument only for bad options (tools or
  // extra_context of the wrong JSON type, nesting deeper than jinja::kMaxNesting).
  std::string render(const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                     const ChatRenderOptions& opts = {}) const;
  ChatRenderResult render_detailed(const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                                   const ChatRenderOptions& opts = {}) const;
  // Only the model's template, no fallback: throws jinja::JinjaError
  // (Syntax if it did not parse) so callers can report the exact problem.
  std::string render_strict(const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                            const ChatRenderOptions& opts = {}) const;

 private:
  std::string render_with(const jinja::Template& t, const std::vector<ChatMessage>& messages,
                          bool add_generation_prompt, const ChatRenderOptions& opts) const;
  std::string render_plain(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const;

  std::string source_;
  std::string bos_;
  std::string eos_;
  ChatFamily fallback_;
  std::unique_ptr<jinja::Template> model_;
  std::string model_error_;
  std::unique_ptr<jinja::Template> builtin_;
};

// The system message(s) folded into the first user message ("system\n\nuser"),
// or turned into a user message when there is none. Other messages unchanged.
std::vector<ChatMessage> merge_system_into_first_user(const std::vector<ChatMessage>& messages);

}  // namespace lantern
