// VocabData from a parsed GGUF: the tokenizer.ggml.* keys, type-checked.
#include <cstdint>
#include <stdexcept>

#include "gguf/gguf_file.h"
#include "tokenizer/vocab.h"

namespace lantern {

namespace {

const GgufValue::Array& array_of(const GgufValue& v, const std::string& key) {
  if (!v.is_array()) {
    throw std::runtime_error(key + " must be an array, found " + gguf_value_type_name(v.type()));
  }
  return v.as_array(key);
}

bool is_integer_type(GgufValueType t) {
  switch (t) {
    case GgufValueType::UINT8: case GgufValueType::INT8: case GgufValueType::UINT16:
    case GgufValueType::INT16: case GgufValueType::UINT32: case GgufValueType::INT32:
    case GgufValueType::UINT64: case GgufValueType::INT64:
      return true;
    default:
      return false;
  }
}

std::vector<std::string> string_array(const GgufFile& gguf, const std::string& key) {
  const GgufValue* v = gguf.find(key);
  if (!v) return {};
  const GgufValue::Array& a = array_of(*v, key);
  if (a.elem_type != GgufValueType::STRING) {
    throw std::runtime_error(key + " must be an array of strings, found an array of " +
                             gguf_value_type_name(a.elem_type));
  }
  return a.strings;
}

std::optional<int64_t> optional_id(const GgufFile& gguf, const std::string& key) {
  const GgufValue* v = gguf.find(key);
  if (!v) return std::nullopt;
  if (!v->is_integer()) {
    throw std::runtime_error(key + " must be an integer, found " + gguf_value_type_name(v->type()));
  }
  // An unsigned value past INT64_MAX is as out of range as any other: say -1.
  if (v->type() == GgufValueType::UINT64 && v->as_uint(key) > static_cast<uint64_t>(INT64_MAX)) return -1;
  return v->as_int(key);
}

std::optional<bool> optional_bool(const GgufFile& gguf, const std::string& key) {
  const GgufValue* v = gguf.find(key);
  if (!v) return std::nullopt;
  return v->as_bool(key);
}

}  // namespace

VocabData read_vocab_data(const GgufFile& gguf) {
  VocabData d;
  const GgufValue* model = gguf.find("tokenizer.ggml.model");
  if (!model) throw std::runtime_error("tokenizer.ggml.model is missing: this GGUF has no tokenizer");
  d.model = model->as_string("tokenizer.ggml.model");
  if (d.model != "llama" && d.model != "gpt2") {
    throw std::runtime_error("unsupported tokenizer model '" + d.model +
                             "' (tokenizer.ggml.model): Lantern reads 'llama' (SentencePiece) "
                             "and 'gpt2' (byte-level BPE) vocabularies");
  }
  if (const GgufValue* pre = gguf.find("tokenizer.ggml.pre")) d.pre = pre->as_string("tokenizer.ggml.pre");
  if (const GgufValue* name = gguf.find("general.name"); name && name->type() == GgufValueType::STRING) {
    d.general_name = name->as_string("general.name");
  }

  if (!gguf.has("tokenizer.ggml.tokens")) throw std::runtime_error("tokenizer.ggml.tokens is missing");
  d.tokens = string_array(gguf, "tokenizer.ggml.tokens");

  if (const GgufValue* v = gguf.find("tokenizer.ggml.scores")) {
    const std::string key = "tokenizer.ggml.scores";
    const GgufValue::Array& a = array_of(*v, key);
    if (a.elem_type == GgufValueType::FLOAT32 || a.elem_type == GgufValueType::FLOAT64) {
      d.scores.assign(a.floats.begin(), a.floats.end());
    } else if (is_integer_type(a.elem_type)) {
      d.scores.assign(a.ints.begin(), a.ints.end());
    } else {
      throw std::runtime_error(key + " must be an array of numbers, found an array of " +
                               gguf_value_type_name(a.elem_type));
    }
  }
  if (const GgufValue* v = gguf.find("tokenizer.ggml.token_type")) {
    const std::string key = "tokenizer.ggml.token_type";
    const GgufValue::Array& a = array_of(*v, key);
    if (!is_integer_type(a.elem_type)) {
      throw std::runtime_error(key + " must be an array of integers, found an array of " +
                               gguf_value_type_name(a.elem_type));
    }
    d.token_types.reserve(a.ints.size());
    for (const int64_t t : a.ints) {
      d.token_types.push_back(t >= 0 && t <= 6 ? static_cast<int32_t>(t) : 0);  // unknown types: Undefined
    }
  }
  if (d.model == "gpt2") {
    if (!gguf.has("tokenizer.ggml.merges")) {
      throw std::runtime_error("tokenizer.ggml.merges is missing (the gpt2 tokenizer needs it)");
    }
    d.merges = string_array(gguf, "tokenizer.ggml.merges");
  }

  d.bos_id = optional_id(gguf, "tokenizer.ggml.bos_token_id");
  d.eos_id = optional_id(gguf, "tokenizer.ggml.eos_token_id");
  d.eot_id = optional_id(gguf, "tokenizer.ggml.eot_token_id");
  d.eom_id = optional_id(gguf, "tokenizer.ggml.eom_token_id");
  d.unk_id = optional_id(gguf, "tokenizer.ggml.unknown_token_id");
  d.sep_id = optional_id(gguf, "tokenizer.ggml.seperator_token_id");
  d.pad_id = optional_id(gguf, "tokenizer.ggml.padding_token_id");
  d.fim_pad_id = optional_id(gguf, "tokenizer.ggml.fim_pad_token_id");
  d.fim_rep_id = optional_id(gguf, "tokenizer.ggml.fim_rep_token_id");
  d.fim_sep_id = optional_id(gguf, "tokenizer.ggml.fim_sep_token_id");
  d.add_bos = optional_bool(gguf, "tokenizer.ggml.add_bos_token");
  d.add_eos = optional_bool(gguf, "tokenizer.ggml.add_eos_token");
  d.add_space_prefix = optional_bool(gguf, "tokenizer.ggml.add_space_prefix");
  return d;
}

}  // namespace lantern
