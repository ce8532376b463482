#include "chat/chat_template_gguf.h"

#include "gguf/gguf_error.h"
#include "gguf/gguf_file.h"

namespace lantern {

namespace {

const std::vector<std::string>* vocab_of(const GgufFile& f) {
  const GgufValue* v = f.find("tokenizer.ggml.tokens");
  if (!v || !v->is_array()) return nullptr;
  const GgufValue::Array& a = v->as_array();
  return a.elem_type == GgufValueType::STRING ? &a.strings : nullptr;
}

std::string token_text(const GgufFile& f, const std::vector<std::string>* vocab, const char* id_key) {
  const GgufValue* v = f.find(id_key);
  if (!vocab || !v || !v->is_integer()) return {};
  try {
    int64_t id = v->as_int(id_key);
    if (id < 0 || static_cast<uint64_t>(id) >= vocab->size()) return {};
    return (*vocab)[static_cast<size_t>(id)];
  } catch (const GgufError&) {
    return {};
  }
}

}  // namespace

ChatTemplateSpec chat_template_spec_from_gguf(const GgufFile& file) {
  ChatTemplateSpec spec;
  const GgufValue* t = file.find("tokenizer.chat_template");
  if (t && t->type() == GgufValueType::STRING) spec.source = t->as_string("tokenizer.chat_template");
  const std::vector<std::string>* vocab = vocab_of(file);
  spec.bos_token = token_text(file, vocab, "tokenizer.ggml.bos_token_id");
  spec.eos_token = token_text(file, vocab, "tokenizer.ggml.eos_token_id");
  static const std::vector<std::string> kEmpty;
  spec.family = detect_chat_family(vocab ? *vocab : kEmpty, spec.source);
  return spec;
}

ChatTemplate chat_template_from_gguf(const GgufFile& file) {
  ChatTemplateSpec s = chat_template_spec_from_gguf(file);
  return ChatTemplate(std::move(s.source), std::move(s.bos_token), std::move(s.eos_token), s.family);
}

}  // namespace lantern
