// Split GGUF models (gguf_split.h) against llama.cpp's own gguf-split: the
// three shards in fixtures/golden/split (make_gguf's tiny-qwen3 in Q4_0, 10
// tensors a shard) load as the whole model does, tensor for tensor and byte
// for byte, and give llama.cpp's greedy tokens on them; shards out of
// order, missing or opened from the middle fail naming the shard.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "gguf/gguf_error.h"
#include "gguf/gguf_split.h"
#include "model_test_util.h"

using namespace lantern;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kSplitGoldenDir = "fixtures/golden/split/";

TEST(SplitName, ParsesLlamaCppsShardNames) {
  const auto n = parse_split_name("/m/qwen-q4_k_m-00002-of-00005.gguf");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->prefix, "/m/qwen-q4_k_m");
  EXPECT_EQ(n->index, 2);
  EXPECT_EQ(n->count, 5);
  EXPECT_EQ(split_name(n->prefix, 1, 5), "/m/qwen-q4_k_m-00001-of-00005.gguf");
  const auto url = parse_split_name("https://h/x/m-00001-of-00002.gguf?download=true#a");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->prefix, "https://h/x/m");
  for (const char* no : {"m.gguf", "m-00001-of-00002.bin", "m-0001-of-00002.gguf", "m-00003-of-00002.gguf",
                         "m-00000-of-00002.gguf", "-00001-of-00002.gguf", "m-00001_of-00002.gguf", "m-0000a-of-00002.gguf"})
    EXPECT_FALSE(parse_split_name(no)) << no;
}

TEST(SplitModel, GgufSplitShardsLoadAsTheWholeModelAndGiveLlamaCppsTokens) {
  const json g = test::load_json(kSplitGoldenDir + "split.json");
  const std::string whole_path = test::build_generated_model(g["whole"], "split_whole");
  ASSERT_FALSE(whole_path.empty());
  const std::string first = test::source(kSplitGoldenDir + g["shards"][0].get<std::string>());

  auto split_src = open_model_source(first);
  auto whole_src = open_model_source(whole_path);
  ASSERT_NE(dynamic_cast<const ConcatSource*>(split_src.get()), nullptr);
  const GgufFile split = parse_model(*split_src), whole = parse_model(*whole_src);
  EXPECT_FALSE(split.has("split.count")) << "the split.* keys are the shards', not the model's";
  EXPECT_EQ(split.metadata().size(), whole.metadata().size());
  ASSERT_EQ(split.tensors().size(), whole.tensors().size());
  for (const GgufTensorInfo& t : whole.tensors()) {
    const GgufTensorInfo* s = split.find_tensor(t.name);
    ASSERT_NE(s, nullptr) << t.name;
    EXPECT_EQ(s->type, t.type) << t.name;
    EXPECT_EQ(s->dims, t.dims) << t.name;
    std::vector<uint8_t> a(t.n_bytes), b(t.n_bytes);
    whole_src->read(t.offset, a.data(), a.size());
    split_src->read(s->offset, b.data(), b.size());
    EXPECT_EQ(a, b) << t.name;
    EXPECT_NE(split_src->data_at(s->offset, s->n_bytes), nullptr) << t.name << ": used in place from its shard";
  }

  CpuBackendOptions o;
  o.kv = KvPrecision::F32;
  test::CpuModel ms(first, o, 1024, 64), mw(whole_path, o, 1024, 64);
  int decisive = 0;
  for (const auto& c : g["cases"]) {
    const auto prompt = c["prompt_tokens"].get<std::vector<int32_t>>();
    decisive += test::expect_greedy_case(ms.model, prompt, c, "", 0.0, "split tiny-qwen3");
    std::vector<std::vector<float>> ls, lw;
    test::greedy(ms.model, prompt, 4, &ls);
    test::greedy(mw.model, prompt, 4, &lw);
    EXPECT_EQ(ls, lw) << "split and whole must compute the same";
  }
  EXPECT_GE(decisive, 20);
}

class SplitErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/split_errors_" + std::to_string(::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string shard(int i) const { return test::source(kSplitGoldenDir + "tiny-qwen3-q4_0-0000" + std::to_string(i) + "-of-00003.gguf"); }
  std::string at(int i) const { return dir_ + "/m-0000" + std::to_string(i) + "-of-00003.gguf"; }
  static std::string error_of(const std::string& path) {
    try {
      auto src = open_model_source(path);
      parse_model(*src);
    } catch (const GgufError& e) {
      return e.what();
    }
    return "";
  }
  std::string dir_;
};

TEST_F(SplitErrors, AMissingShardIsNamed) {
  fs::copy_file(shard(1), at(1));
  fs::copy_file(shard(2), at(2));
  EXPECT_NE(error_of(at(1)).find(at(3)), std::string::npos) << error_of(at(1));
}

TEST_F(SplitErrors, ShardsOutOfOrderAreRefused) {
  fs::copy_file(shard(1), at(1));
  fs::copy_file(shard(3), at(2));
  fs::copy_file(shard(2), at(3));
  const std::string e = error_of(at(1));
  EXPECT_NE(e.find("split shard 2 of 3: split.no 2"), std::string::npos) << e;
}

TEST_F(SplitErrors, OpeningAShardOtherThanTheFirstSaysWhichToOpen) {
  for (int i = 1; i <= 3; ++i) fs::copy_file(shard(i), at(i));
  const std::string e = error_of(at(2));
  EXPECT_NE(e.find("is shard 2 of a split model: open " + at(1)), std::string::npos) << e;
}

TEST_F(SplitErrors, AShardRepeatedIsRefused) {
  fs::copy_file(shard(1), at(1));
  fs::copy_file(shard(2), at(2));
  fs::copy_file(shard(2), at(3));
  EXPECT_NE(error_of(at(1)).find("split shard 3 of 3"), std::string::npos) << error_of(at(1));
}

// The shards of one model share one header budget and one tensor limit: a
// model split in three cannot take three times what one file may.
TEST(SplitModel, ShardsShareOneHeaderBudgetAndTensorLimit) {
  std::vector<std::unique_ptr<ByteSource>> owned;
  std::vector<const ByteSource*> parts;
  uint64_t largest = 0, sum = 0;
  size_t most_tensors = 0, all_tensors = 0;
  for (int i = 1; i <= 3; ++i) {
    owned.push_back(open_file_source(test::source(kSplitGoldenDir + "tiny-qwen3-q4_0-0000" + std::to_string(i) + "-of-00003.gguf")));
    parts.push_back(owned.back().get());
    const GgufFile f = GgufFile::parse(*owned.back());
    largest = std::max(largest, f.header_memory());
    sum += f.header_memory();
    most_tensors = std::max(most_tensors, f.tensors().size());
    all_tensors += f.tensors().size();
  }
  ASSERT_LT(largest + 1, sum);
  GgufLimits limits;
  limits.max_header_memory = largest + 1;  // each shard alone fits
  size_t parsing = 99;
  try {
    parse_shards(parts, limits, &parsing);
    ADD_FAILURE() << "three headers under one shard's budget";
  } catch (const GgufError& e) {
    EXPECT_EQ(e.code(), GgufErrorCode::TooLarge) << e.what();
    EXPECT_GE(parsing, 1u) << "the first shard fits alone";
  }
  EXPECT_EQ(parse_shards(parts).tensors().size(), all_tensors);

  limits = {};
  limits.max_tensor_count = all_tensors - 1;
  ASSERT_LE(most_tensors, limits.max_tensor_count);
  try {
    parse_shards(parts, limits);
    ADD_FAILURE() << "more tensors in all than the limit";
  } catch (const GgufError& e) {
    EXPECT_EQ(e.code(), GgufErrorCode::TooLarge) << e.what();
    EXPECT_NE(std::string(e.what()).find("more than " + std::to_string(all_tensors - 1) + " tensors"), std::string::npos) << e.what();
  }
}

}  // namespace
