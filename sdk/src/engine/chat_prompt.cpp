#include "engine/chat_prompt.h"

#include "chat/chat_content_guard.h"
#include "tokenizer/tokenizer.h"

namespace lantern {

ChatPrompt build_chat_prompt(const ChatTemplate& tmpl, const Tokenizer& tokenizer,
                             const std::vector<ChatMessage>& messages, const ChatRenderOptions& opts,
                             bool parse_special_in_content, const ChatAdapter& adapt) {
  ChatPrompt p;
  if (parse_special_in_content) {
    std::vector<ChatMessage> msgs = messages;
    ChatRenderOptions o = opts;
    if (adapt) adapt(msgs, o.tools);
    p.rendered = tmpl.render_detailed(msgs, true, o);
    p.tokens = tokenizer.encode(p.rendered.text, !p.rendered.begins_with_bos, /*parse_special=*/true);
    return p;
  }
  ContentGuard guard(tokenizer.guarded_special_texts(),
                     tmpl.model_template_source() + tmpl.bos_token() + tmpl.eos_token());
  ChatRenderOptions guarded_opts = opts;
  if (!opts.tools.is_null()) guarded_opts.tools = guard.protect_json(opts.tools);
  if (!opts.extra_context.is_null()) guarded_opts.extra_context = guard.protect_json(opts.extra_context);
  std::vector<ChatMessage> protected_messages = guard.protect_messages(messages);
  if (adapt) adapt(protected_messages, guarded_opts.tools);
  p.rendered = tmpl.render_detailed(protected_messages, true, guarded_opts);
  ContentGuard::Restored restored = guard.restore(p.rendered.text);
  p.rendered.text = std::move(restored.text);
  p.guarded_texts = guard.replaced();
  std::vector<TextRange> literal;
  literal.reserve(restored.literal.size());
  for (const auto& [offset, length] : restored.literal) literal.push_back({offset, length});
  p.tokens = tokenizer.encode_chat(p.rendered.text, !p.rendered.begins_with_bos, literal);
  return p;
}

}  // namespace lantern
