#include "chat/chat_family.h"

#include <unordered_set>

namespace lantern {

const char* chat_family_name(ChatFamily f) {
  switch (f) {
    case ChatFamily::ChatML: return "chatml";
    case ChatFamily::Llama3: return "llama3";
    case ChatFamily::Mistral: return "mistral";
    case ChatFamily::Gemma: return "gemma";
    case ChatFamily::Phi3: return "phi3";
    case ChatFamily::Zephyr: return "zephyr";
    case ChatFamily::Plain: return "plain";
  }
  return "plain";
}

ChatFamily detect_chat_family(const std::vector<std::string>& token_texts, std::string_view template_text) {
  static const std::unordered_set<std::string> kMarkers = {
      "<|im_start|>", "<|start_header_id|>", "<start_of_turn>", "[INST]", "<|user|>", "<|end|>"};
  std::unordered_set<std::string> seen;
  for (const std::string& t : token_texts) {
    if (kMarkers.count(t)) seen.insert(t);
  }
  auto has = [&](const char* m) {
    return seen.count(m) > 0 || template_text.find(m) != std::string_view::npos;
  };
  // Vocabulary tokens are checked before template text within each test, and
  // the most specific markers come first.
  if (has("<|start_header_id|>")) return ChatFamily::Llama3;
  if (has("<|im_start|>")) return ChatFamily::ChatML;
  if (has("<start_of_turn>")) return ChatFamily::Gemma;
  if (has("<|user|>")) return has("<|end|>") ? ChatFamily::Phi3 : ChatFamily::Zephyr;
  if (has("[INST]")) return ChatFamily::Mistral;
  return ChatFamily::Plain;
}

namespace {

// The built-ins are Jinja rendered by the same interpreter as model templates,
// written for trim_blocks/lstrip_blocks with explicit "-" so whitespace is obvious.
const std::string kChatML = R"({%- for message in messages -%}
{{- '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\n' -}}{%- endif -%})";

const std::string kLlama3 = R"({{- bos_token -}}
{%- for message in messages -%}
{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}{%- endif -%})";

const std::string kMistral = R"({{- bos_token -}}
{%- set ns = namespace(system='') -%}
{%- for message in messages -%}
{%- if message['role'] == 'system' -%}
{%- set ns.system = ns.system + message['content'] + '\n\n' -%}
{%- elif message['role'] == 'assistant' -%}
{{- ' ' + message['content'] + eos_token -}}
{%- else -%}
{{- '[INST] ' + ns.system + message['content'] + ' [/INST]' -}}
{%- set ns.system = '' -%}
{%- endif -%}
{%- endfor -%})";

const std::string kGemma = R"({{- bos_token -}}
{%- set ns = namespace(system='') -%}
{%- for message in messages -%}
{%- if message['role'] == 'system' -%}
{%- set ns.system = ns.system + message['content'] | trim + '\n\n' -%}
{%- else -%}
{%- set role = 'model' if message['role'] == 'assistant' else 'user' -%}
{{- '<start_of_turn>' + role + '\n' + (ns.system if role == 'user' else '') + message['content'] | trim + '<end_of_turn>\n' -}}
{%- if role == 'user' -%}{%- set ns.system = '' -%}{%- endif -%}
{%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<start_of_turn>model\n' -}}{%- endif -%})";

const std::string kPhi3 = R"({%- for message in messages -%}
{{- '<|' + message['role'] + '|>\n' + message['content'] + '<|end|>\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|assistant|>\n' -}}{%- endif -%})";

const std::string kZephyr = R"({%- for message in messages -%}
{{- '<|' + message['role'] + '|>\n' + message['content'] + eos_token + '\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|assistant|>\n' -}}{%- endif -%})";

}  // namespace

const std::string& builtin_chat_template(ChatFamily f) {
  static const std::string kNone;
  switch (f) {
    case ChatFamily::ChatML: return kChatML;
    case ChatFamily::Llama3: return kLlama3;
    case ChatFamily::Mistral: return kMistral;
    case ChatFamily::Gemma: return kGemma;
    case ChatFamily::Phi3: return kPhi3;
    case ChatFamily::Zephyr: return kZephyr;
    case ChatFamily::Plain: return kNone;
  }
  return kNone;
}

}  // namespace lantern
