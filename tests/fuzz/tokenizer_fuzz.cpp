// libFuzzer target for the tokenizers: encodes arbitrary bytes (with and
// without add_special / parse_special), decodes arbitrary id lists, runs the
// pre-tokenizer splitters, and checks what must always hold: ids in range,
// streamed output valid UTF-8, splits that cover the text exactly.
//
// Input: byte 0 picks the mode, the rest is the payload.
//   bits 0-1: vocabulary (shared SPM, shared gpt2, built-in SPM, built-in BPE)
//   bit 2: add_special   bit 3: parse_special   bit 4: payload is int32 ids to decode
// The shared vocabularies are found through $LANTERN_SHARED_DIR, else
// ../shared beside the checkout this file was compiled from; without them the
// built-in ones stand in.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab.h"

using lantern::Tokenizer;

namespace {

#define FUZZ_CHECK(cond)                                                        \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::fprintf(stderr, "tokenizer_fuzz: check failed: %s (line %d)\n", #cond, __LINE__); \
      std::abort();                                                             \
    }                                                                           \
  } while (0)

std::string shared_dir() {
  if (const char* env = std::getenv("LANTERN_SHARED_DIR"); env && *env) return env;
  // __FILE__ is <checkout>/tests/fuzz/tokenizer_fuzz.cpp.
  return (std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".." / "shared").string();
}

std::unique_ptr<Tokenizer> load_shared(const std::string& rel) {
  const std::string path = shared_dir() + "/models/vocab/" + rel;
  if (!std::filesystem::exists(path)) return nullptr;
  try {
    auto src = lantern::open_file_source(path);
    return Tokenizer::from_gguf(lantern::GgufFile::parse(*src));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tokenizer_fuzz: cannot load %s: %s\n", path.c_str(), e.what());
    return nullptr;
  }
}

// A small SentencePiece vocabulary with byte fallback and special tokens.
std::unique_ptr<Tokenizer> builtin_spm() {
  lantern::VocabData d;
  d.model = "llama";
  d.tokens = {"<unk>", "<s>", "</s>", "<|user|>", "<tool>"};
  d.token_types = {2, 3, 3, 3, 4};
  for (int b = 0; b < 256; ++b) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "<0x%02X>", b);
    d.tokens.push_back(buf);
    d.token_types.push_back(6);
  }
  for (const char* t : {"\xE2\x96\x81", "a", "b", "ab", "\xE2\x96\x81" "a", "\xE2\x96\x81" "ab", "ba", "aa"}) {
    d.tokens.push_back(t);
    d.token_types.push_back(1);
  }
  d.scores.assign(d.tokens.size(), 0.0f);
  for (size_t i = 0; i < d.scores.size(); ++i) d.scores[i] = -static_cast<float>(i % 7);
  return Tokenizer::from_vocab_data(d);
}

// A byte-level vocabulary with a few merges (Llama-3 pre-tokenizer).
std::unique_ptr<Tokenizer> builtin_bpe() {
  lantern::VocabData d;
  d.model = "gpt2";
  d.pre = "llama-bpe";
  for (int b = 0; b < 256; ++b) d.tokens.push_back(lantern::byte_unicode::byte_to_utf8(static_cast<uint8_t>(b)));
  const std::string g = "\xC4\xA0";
  for (const std::string& t : {std::string("ab"), g + "a", g + "ab", std::string("<|eot_id|>"), std::string("<x>")}) {
    d.tokens.push_back(t);
  }
  d.token_types.assign(d.tokens.size(), 1);
  d.token_types[d.tokens.size() - 1] = 4;
  d.merges = {"a b", g + " a", g + "a b", "b b"};
  d.eos_id = 259;
  return Tokenizer::from_vocab_data(d);
}

struct Vocabs {
  std::unique_ptr<Tokenizer> t[4];
  Vocabs() {
    t[0] = load_shared("ggml-vocab-llama-spm.gguf");
    t[1] = load_shared("ggml-vocab-gpt-2.gguf");
    t[2] = builtin_spm();
    t[3] = builtin_bpe();
    if (!t[0]) t[0] = builtin_spm();
    if (!t[1]) t[1] = builtin_bpe();
  }
};

void check_stream(const Tokenizer& tok, const std::vector<int32_t>& ids, bool render_special) {
  lantern::Utf8Stream stream;
  std::string out;
  for (const int32_t id : ids) {
    const std::string chunk = stream.push(tok.token_to_piece(id, render_special));
    FUZZ_CHECK(lantern::utf8::sanitize(chunk) == chunk);
    out += chunk;
  }
  out += stream.flush();
  FUZZ_CHECK(lantern::utf8::sanitize(out) == out);
  FUZZ_CHECK(stream.pending() == 0);
}

void check_splits(const std::string& text) {
  std::string lenient;
  for (const uint32_t c : lantern::utf8::decode_all_lenient(text)) lantern::utf8::append(lenient, c);
  for (const auto kind : {lantern::PreTokenizerKind::Default, lantern::PreTokenizerKind::Gpt2,
                          lantern::PreTokenizerKind::Llama3, lantern::PreTokenizerKind::Qwen2,
                          lantern::PreTokenizerKind::Qwen35, lantern::PreTokenizerKind::StarCoder,
                          lantern::PreTokenizerKind::Falcon}) {
    std::string joined;
    for (const std::string& w : lantern::pre_tokenize(text, kind)) {
      FUZZ_CHECK(!w.empty());
      joined += w;
    }
    FUZZ_CHECK(joined == lenient);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Vocabs vocabs;
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const Tokenizer& tok = *vocabs.t[mode & 3];
  const bool add_special = mode & 4;
  const bool parse_special = mode & 8;
  const std::string payload(reinterpret_cast<const char*>(data + 1), size - 1);

  if (mode & 16) {
    std::vector<int32_t> ids(payload.size() / 4);
    if (!ids.empty()) std::memcpy(ids.data(), payload.data(), ids.size() * 4);
    (void)tok.decode(ids, parse_special);
    (void)tok.detokenize(ids, add_special, parse_special);
    for (const int32_t id : ids) {
      (void)tok.token_text(id);
      (void)tok.token_type(id);
      (void)tok.is_eog(id);
    }
    check_stream(tok, ids, parse_special);
    return 0;
  }

  const std::vector<int32_t> ids = tok.encode(payload, add_special, parse_special);
  for (const int32_t id : ids) FUZZ_CHECK(id >= 0 && id < tok.n_vocab());
  FUZZ_CHECK(!payload.empty() || ids.size() <= 2);
  (void)tok.decode(ids, true);
  check_stream(tok, ids, false);
  if (payload.size() < 4096) check_splits(payload);
  return 0;
}
