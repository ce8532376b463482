// Chat formats Lantern knows without a template: used when a GGUF has no
// tokenizer.chat_template or its template cannot be parsed or rendered.
// The family is guessed from the vocabulary's special tokens and, failing
// that, from marker strings in the (broken) template text.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace lantern {

enum class ChatFamily {
  ChatML,  // <|im_start|>role\n...<|im_end|>\n   (Qwen, OpenHermes, SmolLM)
  Llama3,  // <|start_header_id|>role<|end_header_id|>\n\n...<|eot_id|>
  Mistral, // [INST] ... [/INST] answer</s>    (Mistral, Llama 2)
  Gemma,   // <start_of_turn>user\n...<end_of_turn>\n
  Phi3,    // <|user|>\n...<|end|>\n<|assistant|>\n
  Zephyr,  // <|user|>\n...</s>\n<|assistant|>\n  (TinyLlama, Zephyr)
  Plain,   // "role: content" lines, the last resort
};

const char* chat_family_name(ChatFamily f);

// token_texts: the vocabulary (GGUF tokenizer.ggml.tokens); template_text: the
// model's template, possibly empty or broken. Plain if nothing matches.
ChatFamily detect_chat_family(const std::vector<std::string>& token_texts, std::string_view template_text);

// The Jinja source of the built-in template for a family (empty for Plain,
// which is rendered without Jinja). Built-ins never raise: a system message
// goes where the family puts it, or in front of the first user message.
const std::string& builtin_chat_template(ChatFamily f);

}  // namespace lantern
