// GGUF reader: writer->reader round trips of every value type, v2/v3, the
// shared real files (stories260K and three vocab-only files), typed getters,
// and the memory-mapped file source.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "gguf/dequant.h"
#include "gguf_test_util.h"

namespace lantern {
namespace {

using test::Bytes;
using test::parse_bytes;

GgufValue::Array ints_array(GgufValueType t, std::vector<int64_t> v) { return {t, {}, std::move(v), {}}; }

GgufWriter all_types_writer() {
  GgufWriter w;
  w.set("v.u8", {GgufValueType::UINT8, uint64_t{255}});
  w.set("v.i8", {GgufValueType::INT8, int64_t{-128}});
  w.set("v.u16", {GgufValueType::UINT16, uint64_t{65535}});
  w.set("v.i16", {GgufValueType::INT16, int64_t{-32768}});
  w.set_u32("v.u32", 4000000000u);
  w.set_i32("v.i32", -2000000000);
  w.set_f32("v.f32", 0.1f);
  w.set_bool("v.bool", true);
  w.set_string("v.str", "h\xC3\xA9llo \xF0\x9F\x98\x80");  // 2- and 4-byte UTF-8
  w.set_u64("v.u64", std::numeric_limits<uint64_t>::max());
  w.set_i64("v.i64", std::numeric_limits<int64_t>::min());
  w.set("v.f64", {GgufValueType::FLOAT64, 1e300});
  w.set("a.u8", {GgufValueType::ARRAY, ints_array(GgufValueType::UINT8, {0, 1, 255})});
  w.set("a.i8", {GgufValueType::ARRAY, ints_array(GgufValueType::INT8, {-128, 127})});
  w.set("a.u16", {GgufValueType::ARRAY, ints_array(GgufValueType::UINT16, {65535})});
  w.set("a.i16", {GgufValueType::ARRAY, ints_array(GgufValueType::INT16, {-32768, 5})});
  w.set("a.u32", {GgufValueType::ARRAY, ints_array(GgufValueType::UINT32, {4294967295})});
  w.set_i32s("a.i32", {-1, 0, 2147483647});
  w.set("a.u64", {GgufValueType::ARRAY, ints_array(GgufValueType::UINT64, {std::numeric_limits<int64_t>::max()})});
  w.set("a.i64", {GgufValueType::ARRAY, ints_array(GgufValueType::INT64, {std::numeric_limits<int64_t>::min()})});
  w.set("a.bool", {GgufValueType::ARRAY, ints_array(GgufValueType::BOOL, {1, 0, 1})});
  w.set_f32s("a.f32", {1.25f, -0.0f, std::numeric_limits<float>::infinity()});
  w.set("a.f64", {GgufValueType::ARRAY, GgufValue::Array{GgufValueType::FLOAT64, {}, {}, {1e-300, -2.5}}});
  w.set_strings("a.str", {"x", "", "\xE4\xB8\xAD"});
  w.set_strings("a.empty", {});
  return w;
}

TEST(GgufReader, RoundTripsEveryValueType) {
  const GgufFile f = parse_bytes(all_types_writer().to_bytes());
  EXPECT_EQ(f.version(), 3u);
  ASSERT_EQ(f.metadata().size(), 25u);
  EXPECT_EQ(f.metadata()[0].first, "v.u8");  // file order kept
  EXPECT_EQ(f.metadata()[24].first, "a.empty");

  EXPECT_EQ(f.find("v.u8")->type(), GgufValueType::UINT8);
  EXPECT_EQ(f.get_uint("v.u8", 0), 255u);
  EXPECT_EQ(f.get_int("v.i8", 0), -128);
  EXPECT_EQ(f.get_uint("v.u16", 0), 65535u);
  EXPECT_EQ(f.get_int("v.i16", 0), -32768);
  EXPECT_EQ(f.get_uint("v.u32", 0), 4000000000u);
  EXPECT_EQ(f.get_int("v.i32", 0), -2000000000);
  EXPECT_EQ(f.find("v.f32")->type(), GgufValueType::FLOAT32);
  EXPECT_EQ(static_cast<float>(f.get_float("v.f32", 0)), 0.1f);
  EXPECT_TRUE(f.get_bool("v.bool", false));
  EXPECT_EQ(f.get_string("v.str"), "h\xC3\xA9llo \xF0\x9F\x98\x80");
  EXPECT_EQ(f.get_uint("v.u64", 0), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(f.get_int("v.i64", 0), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(f.get_float("v.f64", 0), 1e300);

  auto ints = [&](const char* k) { return f.find(k)->as_array(k).ints; };
  EXPECT_EQ(ints("a.u8"), (std::vector<int64_t>{0, 1, 255}));
  EXPECT_EQ(ints("a.i8"), (std::vector<int64_t>{-128, 127}));
  EXPECT_EQ(ints("a.u16"), (std::vector<int64_t>{65535}));
  EXPECT_EQ(ints("a.i16"), (std::vector<int64_t>{-32768, 5}));
  EXPECT_EQ(ints("a.u32"), (std::vector<int64_t>{4294967295}));
  EXPECT_EQ(ints("a.i32"), (std::vector<int64_t>{-1, 0, 2147483647}));
  EXPECT_EQ(ints("a.u64"), (std::vector<int64_t>{std::numeric_limits<int64_t>::max()}));
  EXPECT_EQ(ints("a.i64"), (std::vector<int64_t>{std::numeric_limits<int64_t>::min()}));
  EXPECT_EQ(ints("a.bool"), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(f.find("a.bool")->as_array().elem_type, GgufValueType::BOOL);
  const auto& f32s = f.find("a.f32")->as_array().floats;
  ASSERT_EQ(f32s.size(), 3u);
  EXPECT_EQ(f32s[0], 1.25);
  EXPECT_TRUE(std::signbit(f32s[1]));
  EXPECT_TRUE(std::isinf(f32s[2]));
  EXPECT_EQ(f.find("a.f64")->as_array().floats, (std::vector<double>{1e-300, -2.5}));
  EXPECT_EQ(f.find("a.str")->as_array().strings, (std::vector<std::string>{"x", "", "\xE4\xB8\xAD"}));
  EXPECT_EQ(f.find("a.str")->array_size(), 3u);
  EXPECT_EQ(f.find("a.empty")->array_size(), 0u);
  EXPECT_EQ(f.find("v.u8")->array_size(), 0u);
  EXPECT_TRUE(f.tensors().empty());
}

TEST(GgufReader, ReadsVersion2AndVersion3) {
  Bytes b = test::small_file();
  EXPECT_EQ(parse_bytes(b).version(), 3u);
  test::patch<uint32_t>(b, 4, 2);  // v2 and v3 share the little-endian layout
  const GgufFile f = parse_bytes(b);
  EXPECT_EQ(f.version(), 2u);
  EXPECT_EQ(f.tensors().size(), 3u);
  EXPECT_EQ(f.get_string("general.architecture"), "llama");
}

TEST(GgufReader, TensorTableOfTheSmallFile) {
  const Bytes b = test::small_file();
  const GgufFile f = parse_bytes(b);
  ASSERT_EQ(f.tensors().size(), 3u);
  EXPECT_EQ(f.alignment(), 32u);
  EXPECT_EQ(f.data_offset() % 32, 0u);
  const GgufTensorInfo* q = f.find_tensor("t.q8_0");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->type, GgmlType::Q8_0);
  EXPECT_EQ(q->dims, (std::vector<uint64_t>{64, 2}));
  EXPECT_EQ(q->n_elements, 128u);
  EXPECT_EQ(q->n_bytes, 136u);
  EXPECT_EQ(q->n_rows(), 2u);
  EXPECT_EQ(q->row_bytes(), 68u);
  EXPECT_EQ(q->offset, f.data_offset() + 128);
  const GgufTensorInfo& last = f.tensors().back();
  EXPECT_EQ(last.offset + last.n_bytes, b.size());
  // The data at each offset is exactly what was written.
  EXPECT_EQ(Bytes(b.begin() + q->offset, b.begin() + q->offset + q->n_bytes), test::pattern_bytes(136, 2));
  EXPECT_EQ(f.find_tensor("missing"), nullptr);
}

TEST(GgufReader, ReadsTensorsOfKnownButUnsupportedTypes) {
  GgufWriter w;
  w.add_tensor("iq", GgmlType::IQ2_XXS, {256}, Bytes(66, 0));
  const GgufFile f = parse_bytes(w.to_bytes());
  ASSERT_EQ(f.tensors().size(), 1u);
  EXPECT_EQ(f.tensors()[0].type, GgmlType::IQ2_XXS);
  EXPECT_FALSE(ggml_type_traits(f.tensors()[0].type)->supported);
}

TEST(GgufReader, AlignmentFromMetadata) {
  GgufWriter w(64);
  w.add_tensor("a", GgmlType::F32, {3}, Bytes(12, 1));
  w.add_tensor("b", GgmlType::F32, {5}, Bytes(20, 2));
  const GgufFile f = parse_bytes(w.to_bytes());
  EXPECT_EQ(f.alignment(), 64u);
  EXPECT_EQ(f.get_uint("general.alignment", 0), 64u);
  EXPECT_EQ(f.data_offset() % 64, 0u);
  EXPECT_EQ(f.tensors()[1].offset, f.data_offset() + 64);
}

TEST(GgufReader, TypedGettersCheckTypes) {
  const GgufFile f = parse_bytes(all_types_writer().to_bytes());
  EXPECT_EQ(f.get_uint("absent", 42), 42u);
  EXPECT_EQ(f.get_string("absent", "dflt"), "dflt");
  EXPECT_FALSE(f.has("absent"));
  EXPECT_TRUE(f.has("v.u8"));
  EXPECT_EQ(f.get_float("v.u32", 0), 4000000000.0);  // any number reads as float
  try {
    f.get_string("v.u32");
    FAIL() << "expected WrongType";
  } catch (const GgufError& e) {
    EXPECT_EQ(e.code(), GgufErrorCode::WrongType);
    EXPECT_NE(std::string(e.what()).find("v.u32"), std::string::npos) << e.what();
  }
  EXPECT_THROW(f.get_uint("v.i8", 0), GgufError);       // negative into unsigned
  EXPECT_THROW(f.get_int("v.u64", 0), GgufError);       // above INT64_MAX
  EXPECT_THROW(f.get_bool("v.u8", false), GgufError);   // no int->bool
  EXPECT_THROW(f.find("v.str")->as_array(), GgufError);
  EXPECT_FALSE(f.find("v.bool")->is_integer());
  EXPECT_TRUE(f.find("v.i64")->is_integer());
  try {
    f.get_uint_required("llama.block_count");
    FAIL() << "expected MissingKey";
  } catch (const GgufError& e) {
    EXPECT_EQ(e.code(), GgufErrorCode::MissingKey);
    EXPECT_NE(std::string(e.what()).find("llama.block_count"), std::string::npos);
  }
  EXPECT_EQ(f.get_uint_required("v.u16"), 65535u);
}

std::string shared(const char* rel) { return std::string(LANTERN_SHARED_DIR) + "/" + rel; }

TEST(GgufRealFiles, Stories260K) {
  auto src = open_file_source(shared("models/stories260K/stories260K.gguf"));
  ASSERT_NE(src->data(), nullptr);
  const GgufFile f = GgufFile::parse(*src);
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.metadata().size(), 19u);
  EXPECT_EQ(f.get_string("general.architecture"), "llama");
  EXPECT_EQ(f.get_uint("llama.embedding_length", 0), 64u);
  EXPECT_EQ(f.get_uint("llama.block_count", 0), 5u);
  EXPECT_EQ(f.get_uint("llama.attention.head_count", 0), 8u);
  EXPECT_EQ(f.get_uint("llama.attention.head_count_kv", 0), 4u);
  EXPECT_EQ(f.get_uint("llama.feed_forward_length", 0), 172u);
  EXPECT_NEAR(f.get_float("llama.attention.layer_norm_rms_epsilon", 0), 1e-5, 1e-10);
  EXPECT_EQ(f.get_uint("tokenizer.ggml.padding_token_id", 0), 4294967295u);
  const auto& tokens = f.find("tokenizer.ggml.tokens")->as_array();
  ASSERT_EQ(tokens.strings.size(), 512u);
  EXPECT_EQ(tokens.strings[1], "<s>");
  EXPECT_EQ(tokens.strings[3], "<0x00>");
  EXPECT_EQ(f.find("tokenizer.ggml.scores")->as_array().floats.size(), 512u);
  EXPECT_EQ(f.find("tokenizer.ggml.token_type")->as_array().ints[0], 2);

  ASSERT_EQ(f.tensors().size(), 48u);
  EXPECT_EQ(f.data_offset(), 14176u);
  const GgufTensorInfo* emb = f.find_tensor("token_embd.weight");
  ASSERT_NE(emb, nullptr);
  EXPECT_EQ(emb->dims, (std::vector<uint64_t>{64, 512}));
  EXPECT_EQ(emb->type, GgmlType::F32);
  EXPECT_EQ(emb->offset, f.data_offset());
  EXPECT_EQ(f.find_tensor("output_norm.weight")->dims, (std::vector<uint64_t>{64}));
  EXPECT_EQ(f.find_tensor("blk.0.attn_k.weight")->dims, (std::vector<uint64_t>{64, 32}));
  EXPECT_EQ(f.find_tensor("blk.4.ffn_down.weight")->dims, (std::vector<uint64_t>{172, 64}));
  const GgufTensorInfo& last = f.tensors().back();
  EXPECT_EQ(last.name, "blk.4.ffn_norm.weight");
  EXPECT_EQ(last.offset + last.n_bytes, f.file_size());

  // RMS-norm weights of a trained model are finite and not all zero.
  const GgufTensorInfo* norm = f.find_tensor("output_norm.weight");
  std::vector<float> w(64);
  dequantize_row(norm->type, src->data() + norm->offset, w.data(), 64);
  double sum = 0;
  for (float v : w) {
    EXPECT_TRUE(std::isfinite(v));
    sum += std::fabs(v);
  }
  EXPECT_GT(sum, 1.0);
}

TEST(GgufRealFiles, VocabOnlyFiles) {
  struct Case { const char* file; const char* arch; size_t n_kv; size_t n_tokens; uint64_t eos; };
  const Case cases[] = {
      {"models/vocab/ggml-vocab-gpt-2.gguf", "gpt2", 16, 50257, 50256},
      {"models/vocab/ggml-vocab-llama-spm.gguf", "llama", 22, 32000, 2},
      {"models/vocab/ggml-vocab-phi-3.gguf", "phi3", 26, 32064, 32000},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    auto src = open_file_source(shared(c.file));
    const GgufFile f = GgufFile::parse(*src);
    EXPECT_EQ(f.get_string("general.architecture"), c.arch);
    EXPECT_EQ(f.metadata().size(), c.n_kv);
    EXPECT_TRUE(f.tensors().empty());
    EXPECT_EQ(f.find("tokenizer.ggml.tokens")->array_size(), c.n_tokens);
    EXPECT_EQ(f.get_uint("tokenizer.ggml.eos_token_id", 0), c.eos);
  }
  auto gpt2 = open_file_source(shared("models/vocab/ggml-vocab-gpt-2.gguf"));
  const GgufFile g = GgufFile::parse(*gpt2);
  const auto& merges = g.find("tokenizer.ggml.merges")->as_array().strings;
  ASSERT_EQ(merges.size(), 50000u);
  EXPECT_EQ(merges[2], "h e");
  auto spm = open_file_source(shared("models/vocab/ggml-vocab-llama-spm.gguf"));
  EXPECT_TRUE(GgufFile::parse(*spm).get_bool("tokenizer.ggml.add_bos_token", false));
  auto phi = open_file_source(shared("models/vocab/ggml-vocab-phi-3.gguf"));
  EXPECT_EQ(GgufFile::parse(*phi).get_string("tokenizer.chat_template").rfind("{{ bos_token }}", 0), 0u);
}

TEST(GgufFileSource, ErrorsNameThePathAndReason) {
  try {
    open_file_source("/nonexistent/dir/model.gguf");
    FAIL() << "expected Io";
  } catch (const GgufError& e) {
    EXPECT_EQ(e.code(), GgufErrorCode::Io);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/model.gguf"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
  }
  try {
    open_file_source(LANTERN_SHARED_DIR);
    FAIL() << "expected Io for a directory";
  } catch (const GgufError& e) {
    EXPECT_EQ(e.code(), GgufErrorCode::Io);
  }
}

TEST(GgufFileSource, MappedAndInMemoryParsesAgree) {
  const std::string path = shared("models/stories260K/stories260K.gguf");
  auto mapped = open_file_source(path);
  MemorySource mem(std::vector<uint8_t>(mapped->data(), mapped->data() + mapped->size()));
  const GgufFile a = GgufFile::parse(*mapped), b = GgufFile::parse(mem);
  ASSERT_EQ(a.tensors().size(), b.tensors().size());
  for (size_t i = 0; i < a.tensors().size(); ++i) {
    EXPECT_EQ(a.tensors()[i].name, b.tensors()[i].name);
    EXPECT_EQ(a.tensors()[i].offset, b.tensors()[i].offset);
  }
  uint8_t magic[4];
  mapped->read(0, magic, 4);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(magic), 4), "GGUF");
  EXPECT_THROW(mapped->read(mapped->size() - 2, magic, 4), GgufError);
}

}  // namespace
}  // namespace lantern
