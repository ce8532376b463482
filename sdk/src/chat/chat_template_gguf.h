// The thin bridge from a GGUF file to a ChatTemplate: the template string
// (tokenizer.chat_template), the BOS/EOS token texts and the fallback family
// guessed from the vocabulary. Everything else in chat/ takes plain strings.
#pragma once
#include <string>

#include "chat/chat_family.h"
#include "chat/chat_template.h"

namespace lantern {

class GgufFile;

struct ChatTemplateSpec {
  std::string source;     // empty when the file has none
  std::string bos_token;  // empty when the file names no BOS token
  std::string eos_token;
  ChatFamily family = ChatFamily::Plain;
};

// Never throws for missing or mistyped keys: a wrong type or an out-of-range
// token id reads as absent.
ChatTemplateSpec chat_template_spec_from_gguf(const GgufFile& file);
ChatTemplate chat_template_from_gguf(const GgufFile& file);

}  // namespace lantern
