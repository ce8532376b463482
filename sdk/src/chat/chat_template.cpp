#include "chat/chat_template.h"

#include <stdexcept>

#include "chat/jinja_error.h"
#include "chat/jinja_template.h"

namespace lantern {

const char* chat_template_source_name(ChatTemplateSource s) {
  switch (s) {
    case ChatTemplateSource::Model: return "model";
    case ChatTemplateSource::ModelSystemMerged: return "model (system merged into user)";
    case ChatTemplateSource::Builtin: return "builtin";
    case ChatTemplateSource::Plain: return "plain";
  }
  return "?";
}

ChatTemplate::ChatTemplate(std::string source, std::string bos_token, std::string eos_token, ChatFamily fallback)
    : source_(std::move(source)), bos_(std::move(bos_token)), eos_(std::move(eos_token)), fallback_(fallback) {
  if (source_.empty()) {
    model_error_ = "the model has no chat template";
  } else {
    try {
      model_ = std::make_unique<jinja::Template>(source_);
    } catch (const jinja::JinjaError& e) {
      model_error_ = std::string("the model's chat template does not parse: ") + e.what();
    }
  }
  const std::string& builtin_src = builtin_chat_template(fallback_);
  if (!builtin_src.empty()) builtin_ = std::make_unique<jinja::Template>(builtin_src);
}

ChatTemplate::~ChatTemplate() = default;
ChatTemplate::ChatTemplate(ChatTemplate&&) noexcept = default;
ChatTemplate& ChatTemplate::operator=(ChatTemplate&&) noexcept = default;

ChatTemplate ChatTemplate::builtin(ChatFamily family, std::string bos_token, std::string eos_token) {
  return ChatTemplate(std::string(), std::move(bos_token), std::move(eos_token), family);
}

std::vector<ChatMessage> merge_system_into_first_user(const std::vector<ChatMessage>& messages) {
  std::string system;
  std::vector<ChatMessage> rest;
  for (const ChatMessage& m : messages) {
    if (m.role == "system") {
      system += (system.empty() ? "" : "\n\n") + m.content;
    } else {
      rest.push_back(m);
    }
  }
  if (system.empty()) return rest;
  for (ChatMessage& m : rest) {
    if (m.role == "user") {
      m.content = system + "\n\n" + m.content;
      return rest;
    }
  }
  rest.insert(rest.begin(), ChatMessage{"user", system, nullptr});
  return rest;
}

std::string ChatTemplate::render_with(const jinja::Template& t, const std::vector<ChatMessage>& messages,
                                      bool add_generation_prompt, const ChatRenderOptions& opts) const {
  if (!opts.tools.is_null() && !opts.tools.is_array()) throw std::invalid_argument("tools must be a JSON array or null");
  if (!opts.extra_context.is_null() && !opts.extra_context.is_object()) {
    throw std::invalid_argument("extra_context must be a JSON object or null");
  }
  jinja::Dict ctx;
  jinja::List msgs;
  msgs.reserve(messages.size());
  try {
    for (const ChatMessage& m : messages) {
      jinja::Dict d;
      d.set("role", jinja::Value(m.role));
      d.set("content", jinja::Value(m.content));
      if (m.extra.is_object()) {
        for (auto it = m.extra.begin(); it != m.extra.end(); ++it) {
          if (it.key() != "role" && it.key() != "content") d.set(it.key(), jinja::from_json(it.value()));
        }
      }
      msgs.push_back(jinja::Value::dict(std::move(d)));
    }
    if (opts.extra_context.is_object()) {
      for (auto it = opts.extra_context.begin(); it != opts.extra_context.end(); ++it) {
        ctx.set(it.key(), jinja::from_json(it.value()));
      }
    }
    ctx.set("messages", jinja::Value::list(std::move(msgs)));
    ctx.set("tools", opts.tools.is_array() ? jinja::from_json(opts.tools) : jinja::Value::none());
  } catch (const jinja::JinjaError& e) {
    throw std::invalid_argument(std::string("chat input: ") + e.detail());
  }
  if (!ctx.find("documents")) ctx.set("documents", jinja::Value::none());
  ctx.set("add_generation_prompt", jinja::Value(add_generation_prompt));
  ctx.set("bos_token", jinja::Value(bos_));
  ctx.set("eos_token", jinja::Value(eos_));
  jinja::RenderOptions ro;
  ro.limits = opts.limits;
  ro.now_unix = opts.now_unix;
  return t.render(ctx, ro);
}

std::string ChatTemplate::render_plain(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const {
  std::string out;
  for (const ChatMessage& m : messages) out += m.role + ": " + m.content + "\n";
  if (add_generation_prompt) out += "assistant:";
  return out;
}

std::string ChatTemplate::render_strict(const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                                        const ChatRenderOptions& opts) const {
  if (!model_) {
    if (source_.empty()) throw jinja::JinjaError(jinja::ErrorKind::Syntax, model_error_);
    jinja::Template again(source_);  // rethrows the parse error with its location
  }
  return render_with(*model_, messages, add_generation_prompt, opts);
}

ChatRenderResult ChatTemplate::render_detailed(const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                                               const ChatRenderOptions& opts) const {
  ChatRenderResult r;
  bool done = false;
  std::string why = model_error_;
  if (model_) {
    try {
      r.text = render_with(*model_, messages, add_generation_prompt, opts);
      r.source = ChatTemplateSource::Model;
      done = true;
    } catch (const jinja::JinjaError& e) {
      why = std::string("the model's chat template failed: ") + e.what();
      bool has_system = false;
      for (const ChatMessage& m : messages) has_system = has_system || m.role == "system";
      if (has_system && e.kind() == jinja::ErrorKind::Raised) {
        try {
          r.text = render_with(*model_, merge_system_into_first_user(messages), add_generation_prompt, opts);
          r.source = ChatTemplateSource::ModelSystemMerged;
          r.warning = why + "; rendered again with the system message merged into the first user message";
          done = true;
        } catch (const jinja::JinjaError& e2) {
          why += std::string("; with the system message merged it failed too: ") + e2.what();
        }
      }
    }
  }
  if (!done && builtin_) {
    try {
      r.text = render_with(*builtin_, messages, add_generation_prompt, opts);
      r.source = ChatTemplateSource::Builtin;
      r.warning = why + "; using the built-in " + chat_family_name(fallback_) + " template";
      done = true;
    } catch (const jinja::JinjaError& e) {
      why += std::string("; the built-in template failed: ") + e.what();
    }
  }
  if (!done) {
    r.text = render_plain(messages, add_generation_prompt);
    r.source = ChatTemplateSource::Plain;
    r.warning = why + "; using plain 'role: content' lines";
  }
  r.begins_with_bos = !bos_.empty() && r.text.compare(0, bos_.size(), bos_) == 0;
  return r;
}

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                                 const ChatRenderOptions& opts) const {
  return render_detailed(messages, add_generation_prompt, opts).text;
}

}  // namespace lantern
