#include "tokenizer/pretokenizer.h"

#include <limits>

#include "tokenizer/pretokenizer_splitters.h"
#include "tokenizer/utf8.h"

namespace lantern {

const char* pre_tokenizer_kind_name(PreTokenizerKind kind) {
  switch (kind) {
    case PreTokenizerKind::Default: return "default";
    case PreTokenizerKind::Gpt2: return "gpt2";
    case PreTokenizerKind::Llama3: return "llama3";
    case PreTokenizerKind::Qwen2: return "qwen2";
    case PreTokenizerKind::Qwen35: return "qwen35";
    case PreTokenizerKind::StarCoder: return "starcoder";
    case PreTokenizerKind::Falcon: return "falcon";
  }
  return "?";
}

namespace {

struct KnownPre {
  const char* name;
  PreTokenizerKind kind;
  bool ignore_merges;
  bool clean_spaces;
  bool add_bos;
};

// The tokenizer.ggml.pre names whose regexes we implement, with the flags
// llama.cpp's vocab loader sets for them.
constexpr KnownPre kKnownPres[] = {
    {"default", PreTokenizerKind::Default, false, true, false},
    // the GPT-2 regex
    {"gpt-2", PreTokenizerKind::Gpt2, false, true, false},
    {"gpt2", PreTokenizerKind::Gpt2, false, true, false},
    {"phi-2", PreTokenizerKind::Gpt2, false, true, false},
    {"jina-es", PreTokenizerKind::Gpt2, false, true, false},
    {"jina-de", PreTokenizerKind::Gpt2, false, true, false},
    {"gigachat", PreTokenizerKind::Gpt2, false, true, false},
    {"jina-v2-es", PreTokenizerKind::Gpt2, false, true, false},
    {"jina-v2-de", PreTokenizerKind::Gpt2, false, true, false},
    {"a.x-4.0", PreTokenizerKind::Gpt2, false, true, false},
    {"mellum", PreTokenizerKind::Gpt2, false, true, false},
    {"modern-bert", PreTokenizerKind::Gpt2, false, true, false},
    {"exaone4", PreTokenizerKind::Gpt2, false, true, false},
    {"mpt", PreTokenizerKind::Gpt2, false, true, false},
    {"olmo", PreTokenizerKind::Gpt2, false, true, false},
    {"jais", PreTokenizerKind::Gpt2, false, true, false},
    {"trillion", PreTokenizerKind::Gpt2, false, false, false},
    {"granite-docling", PreTokenizerKind::Gpt2, false, false, false},
    // the Llama-3 regex
    {"llama3", PreTokenizerKind::Llama3, true, true, true},
    {"llama-v3", PreTokenizerKind::Llama3, true, true, true},
    {"llama-bpe", PreTokenizerKind::Llama3, true, true, true},
    {"falcon3", PreTokenizerKind::Llama3, true, true, true},
    {"falcon-h1", PreTokenizerKind::Llama3, true, true, true},
    {"pixtral", PreTokenizerKind::Llama3, true, true, true},
    {"midm-2.0", PreTokenizerKind::Llama3, true, true, true},
    {"lfm2", PreTokenizerKind::Llama3, true, true, true},
    {"jina-v5-nano", PreTokenizerKind::Llama3, true, true, true},
    {"dbrx", PreTokenizerKind::Llama3, false, true, false},
    {"smaug-bpe", PreTokenizerKind::Llama3, false, true, false},
    // the Qwen2 regex
    {"qwen2", PreTokenizerKind::Qwen2, false, false, false},
    {"deepseek-r1-qwen", PreTokenizerKind::Qwen2, false, false, false},
    {"kormo", PreTokenizerKind::Qwen2, false, false, false},
    {"f2llmv2", PreTokenizerKind::Qwen2, false, false, false},
    {"hunyuan", PreTokenizerKind::Qwen2, false, false, false},
    {"solar-open", PreTokenizerKind::Qwen2, false, false, false},
    {"megrez", PreTokenizerKind::Qwen2, false, true, false},
    {"stablelm2", PreTokenizerKind::Qwen2, false, true, false},
    {"qwen35", PreTokenizerKind::Qwen35, false, false, false},
    // \p{N} alone, then the GPT-2 regex
    {"starcoder", PreTokenizerKind::StarCoder, false, true, false},
    {"refact", PreTokenizerKind::StarCoder, false, true, false},
    {"codeshell", PreTokenizerKind::StarCoder, false, true, false},
    {"exaone", PreTokenizerKind::StarCoder, false, true, false},
    {"minerva-7b", PreTokenizerKind::StarCoder, false, true, false},
    {"mellum2", PreTokenizerKind::StarCoder, false, true, false},
    {"command-r", PreTokenizerKind::StarCoder, false, false, false},
    {"smollm", PreTokenizerKind::StarCoder, false, false, false},
    {"falcon", PreTokenizerKind::Falcon, false, true, false},
};

}  // namespace

PreTokenizerConfig pre_tokenizer_config(std::string_view pre_name) {
  PreTokenizerConfig cfg;
  if (pre_name.empty()) {
    cfg.kind = PreTokenizerKind::Default;
    cfg.warning = "tokenizer.ggml.pre is missing: using llama.cpp's 'default' pre-tokenizer "
                  "(the model was probably converted by an old script; quality may suffer)";
    return cfg;
  }
  for (const KnownPre& k : kKnownPres) {
    if (pre_name == k.name) {
      cfg.kind = k.kind;
      cfg.ignore_merges = k.ignore_merges;
      cfg.clean_spaces = k.clean_spaces;
      cfg.add_bos = k.add_bos;
      return cfg;
    }
  }
  cfg.kind = PreTokenizerKind::Gpt2;
  cfg.warning = "unknown pre-tokenizer '" + std::string(pre_name) +
                "' (tokenizer.ggml.pre): falling back to the GPT-2 regex; "
                "token ids may differ from the model's own tokenizer";
  return cfg;
}

std::vector<size_t> pre_tokenize_lengths(const std::vector<uint32_t>& cpts, PreTokenizerKind kind) {
  if (cpts.empty()) return {};
  std::vector<unicode::CodepointFlags> flags(cpts.size());
  for (size_t i = 0; i < cpts.size(); ++i) flags[i] = unicode::flags_of(cpts[i]);
  const pretok::Text text{cpts, flags};
  constexpr size_t kAny = std::numeric_limits<size_t>::max();
  using pretok::CharClass;

  pretok::Lengths pieces{cpts.size()};
  switch (kind) {
    case PreTokenizerKind::Default:
      pieces = pretok::isolate(text, pieces, CharClass::Punctuation, 1, kAny);
      pieces = pretok::split_gpt2(text, pieces);
      pieces = pretok::isolate(text, pieces, CharClass::Number, 1, kAny);
      return pretok::isolate(text, pieces, CharClass::AsciiDigit, 3, 3);
    case PreTokenizerKind::Gpt2:
      return pretok::split_gpt2(text, pieces);
    case PreTokenizerKind::Llama3:
      return pretok::split_llama3(text, pieces, 3);
    case PreTokenizerKind::Qwen2:
      return pretok::split_llama3(text, pieces, 1);
    case PreTokenizerKind::Qwen35:
      return pretok::split_llama3(text, pieces, 1, /*marks_are_letters=*/true);
    case PreTokenizerKind::StarCoder:
      pieces = pretok::isolate(text, pieces, CharClass::Number, 1, 1);
      return pretok::split_gpt2(text, pieces);
    case PreTokenizerKind::Falcon:
      pieces = pretok::isolate(text, pieces, CharClass::PunctuationBacktick, 1, kAny);
      pieces = pretok::split_gpt2(text, pieces);
      return pretok::isolate(text, pieces, CharClass::AsciiDigit, 3, 3);
  }
  return pieces;
}

std::vector<std::string> pre_tokenize(std::string_view text, PreTokenizerKind kind) {
  const std::vector<uint32_t> cpts = utf8::decode_all_lenient(text);
  const std::vector<size_t> lengths = pre_tokenize_lengths(cpts, kind);
  std::vector<std::string> words;
  words.reserve(lengths.size());
  size_t pos = 0;
  for (const size_t len : lengths) {
    std::string& w = words.emplace_back();
    for (size_t i = pos; i < pos + len; ++i) utf8::append(w, cpts[i]);
    pos += len;
  }
  return words;
}

}  // namespace lantern
