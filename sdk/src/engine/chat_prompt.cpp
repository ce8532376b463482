#include "engine/chat_prompt.h"

#include "chat/chat_content_guard.h"
#include "tokenizer/tokenizer.h"

namespace lantern {

ChatPrompt build_chat_prompt(const ChatTemplate& tmpl, const Tokenizer& tokenizer,
                             const std::vector<ChatMessage>& messages, const ChatRenderOptions& opts,
                             bool parse_special_in_content) {
  ChatPrompt p;
  if (parse_special_in_content) {
    p.rendered = tmpl.render_detailed(messages, true, opts);
    p.tokens = tokenizer.encode(p.rendered.text, !p.rendered.begins_with_bos, /*parse_special=*/true);
    return p;
  }
  ContentGuard guard(tokenizer.guarded_special_texts(),
                     tmpl.model_template_source() + tmpl.bos_token() + tmpl.eos_token());
  ChatRenderOptions guarded_opts = opts;
  if (!opts.tools.is_null()) guarded_opts.tools = guard.protect_json(opts.tools);
  if (!opts.extra_context.is_null()) guarded_opts.extra_context = guard.protect_json(opts.extra_context);
  p.rendered = tmpl.render_detailed(guard.protect_messages(messages), true, guarded_opts);
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
