// llama.cpp's own tokenizer test vectors (ggml-vocab-*.gguf.inp / .out), run
// as its test-tokenizer-0 runs them: add_special = false, parse_special =
// false, inputs separated by "\n__ggml_vocab_test__\n", one line of ids each.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"
#include "support/test_files.h"

namespace fs = std::filesystem;
using lantern::Tokenizer;

namespace {


struct Vector {
  std::string text;
  std::vector<int32_t> ids;
};

std::vector<Vector> read_vectors(const std::string& vocab_path) {
  const std::string inp = lantern::test::read_file(vocab_path + ".inp");
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> texts;
  for (size_t pos = 0; pos < inp.size();) {
    const size_t next = inp.find(sep, pos);
    if (next == std::string::npos) {
      texts.push_back(inp.substr(pos));
      break;
    }
    texts.push_back(inp.substr(pos, next - pos));
    pos = next + sep.size();
  }
  std::ifstream out(vocab_path + ".out");
  std::vector<Vector> vectors;
  std::string line;
  for (size_t i = 0; std::getline(out, line); ++i) {
    Vector v;
    v.text = i < texts.size() ? texts[i] : std::string();
    std::istringstream ids(line);
    for (int32_t id; ids >> id;) v.ids.push_back(id);
    vectors.push_back(std::move(v));
  }
  EXPECT_EQ(vectors.size(), texts.size()) << vocab_path << ": .inp and .out disagree in count";
  return vectors;
}

std::unique_ptr<Tokenizer> load(const std::string& path) {
  auto src = lantern::open_file_source(path);
  return Tokenizer::from_gguf(lantern::GgufFile::parse(*src));
}

// Runs every vector; returns how many failed (reporting the first few).
size_t run_vectors(const std::string& vocab_path, const Tokenizer& tok) {
  const std::vector<Vector> vectors = read_vectors(vocab_path);
  EXPECT_GT(vectors.size(), 20u) << vocab_path;
  size_t failures = 0;
  for (const Vector& v : vectors) {
    const std::vector<int32_t> got = tok.encode(v.text, /*add_special=*/false, /*parse_special=*/false);
    if (got != v.ids && ++failures <= 3) {
      std::ostringstream want, have;
      for (int32_t id : v.ids) want << id << ' ';
      for (int32_t id : got) have << id << ' ';
      ADD_FAILURE() << vocab_path << ": \"" << v.text << "\"\n want " << want.str() << "\n  got "
                    << have.str();
    }
  }
  return failures;
}

class SharedVocabVectors : public ::testing::TestWithParam<const char*> {};

TEST_P(SharedVocabVectors, AllPass) {
  const std::string path = std::string(LANTERN_SHARED_DIR) + "/models/vocab/" + GetParam();
  ASSERT_TRUE(fs::exists(path)) << path;
  const auto tok = load(path);
  EXPECT_TRUE(tok->warnings().empty()) << tok->warnings().front();
  EXPECT_EQ(run_vectors(path, *tok), 0u);
}

INSTANTIATE_TEST_SUITE_P(Vocabs, SharedVocabVectors,
                         ::testing::Values("ggml-vocab-gpt-2.gguf", "ggml-vocab-llama-spm.gguf",
                                           "ggml-vocab-phi-3.gguf"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string n = info.param;
                           n = n.substr(11, n.size() - 11 - 5);  // "ggml-vocab-" ... ".gguf"
                           for (char& c : n) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

// Every vocabulary with vectors in LANTERN_EXTRA_VOCAB_DIR (e.g. llama.cpp's
// models/ folder: llama-bpe, qwen2, starcoder, ...) whose tokenizer we claim
// to support, i.e. it loads without warnings.
TEST(ExtraVocabVectors, AllSupportedPass) {
  const char* dir = std::getenv("LANTERN_EXTRA_VOCAB_DIR");
  if (!dir || !*dir) {
    GTEST_SKIP() << "set LANTERN_EXTRA_VOCAB_DIR to a folder of ggml-vocab-*.gguf files with their "
                    ".inp/.out vectors (llama.cpp's models/ folder) to run this test";
  }
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string p = entry.path().string();
    if (entry.path().extension() == ".gguf" && fs::exists(p + ".inp") && fs::exists(p + ".out")) paths.push_back(p);
  }
  std::sort(paths.begin(), paths.end());
  ASSERT_FALSE(paths.empty()) << "no ggml-vocab-*.gguf with .inp/.out in " << dir;
  size_t ran = 0;
  for (const std::string& path : paths) {
    std::unique_ptr<Tokenizer> tok;
    try {
      tok = load(path);
    } catch (const std::exception& e) {
      std::printf("  skipped %s: %s\n", fs::path(path).filename().c_str(), e.what());
      continue;
    }
    if (!tok->warnings().empty()) {
      std::printf("  skipped %s: %s\n", fs::path(path).filename().c_str(), tok->warnings().front().c_str());
      continue;
    }
    const size_t failures = run_vectors(path, *tok);
    std::printf("  %s: %s\n", fs::path(path).filename().c_str(), failures ? "FAILED" : "all vectors pass");
    ++ran;
  }
  EXPECT_GT(ran, 0u);
}

}  // namespace
