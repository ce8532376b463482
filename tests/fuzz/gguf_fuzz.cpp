// libFuzzer target for the GGUF reader. Arbitrary bytes are parsed from a
// MemorySource, then again from a PrefixSource fed the way the browser feeds
// it (a first chunk, then what each NeedMoreData asks for). Both must end the
// same way, and the only exception either may throw is GgufError. Parsed
// files are exercised further: every getter, and dequantisation of every
// supported tensor. Then the input is read as a split model's shards, cut
// before each later "GGUF" magic (seed: gguf-split's three shards of one
// model, concatenated): where every shard parses, merge_split either
// refuses with a GgufError or gives a table whose every tensor lies inside
// its own shard, read through the ConcatSource as the shard's own bytes.
// A header that makes a ModelConfig goes on to the sizes the header
// multiplies (KV cache, activations) at contexts, batches and budgets taken
// from the input: check_memory_budget either refuses with a message or the
// buffers fit the budget (no wrapped product lets a huge cache through).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <vector>

#include "gguf/byte_source.h"
#include "gguf/dequant.h"
#include "gguf/gguf_error.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_split.h"
#include "model/memory_budget.h"
#include "model/model_config.h"

namespace {

using namespace lantern;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "gguf_fuzz invariant failed: %s\n", what);
    std::abort();
  }
}

struct Outcome {
  std::optional<GgufErrorCode> error;  // empty on success
  size_t n_kv = 0, n_tensors = 0;
  uint64_t data_offset = 0;
};

void exercise(const GgufFile& f, const uint8_t* data) {
  for (const auto& [key, v] : f.metadata()) {
    require(f.find(key) == &v, "find returns the entry");
    try { (void)v.as_int(key); } catch (const GgufError& e) { require(e.code() == GgufErrorCode::WrongType, "as_int"); }
    try { (void)v.as_uint(key); } catch (const GgufError& e) { require(e.code() == GgufErrorCode::WrongType, "as_uint"); }
    try { (void)v.as_float(key); } catch (const GgufError& e) { require(e.code() == GgufErrorCode::WrongType, "as_float"); }
    try { (void)f.get_string(key); } catch (const GgufError& e) { require(e.code() == GgufErrorCode::WrongType, "get_string"); }
    (void)v.array_size();
  }
  std::vector<float> out;
  for (const GgufTensorInfo& t : f.tensors()) {
    require(f.find_tensor(t.name) == &t, "find_tensor returns the entry");
    require(t.offset >= f.data_offset() && t.offset + t.n_bytes <= f.file_size(), "tensor data inside the file");
    const GgmlTypeTraits* traits = ggml_type_traits(t.type);
    require(traits != nullptr, "tensor type has traits");
    if (!traits->supported || t.n_elements > (1u << 16)) continue;
    out.resize(t.n_elements);
    dequantize_row(t.type, data + t.offset, out.data(), static_cast<int64_t>(t.n_elements));
  }
}

void model_sizes(const GgufFile& f, const uint8_t* data, size_t size) {
  ModelConfig c;
  try {
    c = ModelConfig::from_gguf(f);
  } catch (const std::runtime_error&) {
    return;  // not a model header: the config names why
  } catch (const std::invalid_argument&) {
    return;
  }
  uint64_t bits = 0;
  for (size_t i = 0; i < 8 && i < size; ++i) bits = bits << 8 | data[size - 1 - i];
  const int32_t ctxs[] = {1, 4096, c.n_ctx_train > 0 ? c.n_ctx_train : 1, static_cast<int32_t>(1 + (bits & 0xFFFFFF))};
  for (const int32_t n_ctx : ctxs) {
    MemoryBudget b;
    b.total_bytes = (bits >> 24 & 0xFF) == 0 ? (uint64_t{8} << 30) : (uint64_t{1} << (bits >> 24 & 63));
    b.max_buffer_bytes = (bits >> 32 & 1) ? (uint64_t{1} << 31) : 0;
    b.kv_bytes_per_value = (bits >> 33 & 1) ? 2 : 4;
    const int32_t max_batch = 1 + static_cast<int32_t>(bits >> 34 & 511);
    try {
      check_memory_budget(c, n_ctx, max_batch, b);
    } catch (const std::runtime_error&) {
      continue;
    }
    const uint64_t kv = kv_cache_bytes(c, n_ctx, b.kv_bytes_per_value), act = activation_bytes(c, max_batch);
    require(kv <= b.total_bytes && act <= b.total_bytes && kv + act <= b.total_bytes,
            "a model check_memory_budget let through fits its budget");
  }
}

Outcome parse_memory(const uint8_t* data, size_t size) {
  Outcome o;
  try {
    MemorySource src(data, size);
    const GgufFile f = GgufFile::parse(src);
    o.n_kv = f.metadata().size();
    o.n_tensors = f.tensors().size();
    o.data_offset = f.data_offset();
    exercise(f, data);
    model_sizes(f, data, size);
  } catch (const GgufError& e) {
    require(e.code() != GgufErrorCode::NeedMoreData, "a complete file never needs more data");
    o.error = e.code();
  }
  return o;
}

Outcome parse_prefix(const uint8_t* data, size_t size) {
  Outcome o;
  PrefixSource src(size);
  // The first chunk size comes from the input itself, so it varies.
  const size_t first = size ? (data[size - 1] * 131u) % (size + 1) : 0;
  src.append(data, first);
  for (int guard = 0; guard < 1 << 20; ++guard) {
    try {
      const GgufFile f = GgufFile::parse(src);
      o.n_kv = f.metadata().size();
      o.n_tensors = f.tensors().size();
      o.data_offset = f.data_offset();
      return o;
    } catch (const GgufError& e) {
      if (e.code() != GgufErrorCode::NeedMoreData) {
        o.error = e.code();
        return o;
      }
      require(e.bytes_needed() > src.available(), "NeedMoreData asks for more than is there");
      require(e.bytes_needed() <= size, "NeedMoreData stays inside the declared size");
      src.append(data + src.available(), e.bytes_needed() - src.available());
    }
  }
  require(false, "prefix parse did not converge");
  return o;
}

void split_model(const uint8_t* data, size_t size) {
  std::vector<size_t> starts{0};
  for (size_t i = 1; i + 4 <= size && starts.size() < 8; ++i)
    if (data[i] == 'G' && data[i + 1] == 'G' && data[i + 2] == 'U' && data[i + 3] == 'F') starts.push_back(i);
  if (starts.size() < 2) return;
  starts.push_back(size);
  std::vector<GgufFile> shards;
  std::vector<std::unique_ptr<ByteSource>> parts;
  try {
    for (size_t k = 0; k + 1 < starts.size(); ++k) {
      parts.push_back(std::make_unique<MemorySource>(data + starts[k], starts[k + 1] - starts[k]));
      shards.push_back(GgufFile::parse(*parts.back()));
    }
  } catch (const GgufError&) {
    return;  // a shard that is no GGUF: parse_memory covers that
  }
  const ConcatSource concat(std::move(parts));
  try {
    const GgufFile merged = merge_split(shards);
    require(merged.file_size() == size, "the merged model is the shards' concatenation");
    size_t n = 0;
    for (const GgufFile& f : shards) n += f.tensors().size();
    require(merged.tensors().size() == n, "every shard's tensors are in the merged table");
    std::vector<uint8_t> buf;
    for (const GgufTensorInfo& t : merged.tensors()) {
      require(merged.find_tensor(t.name) == &t, "find_tensor returns the entry");
      size_t k = 0;
      while (k + 2 < starts.size() && t.offset >= starts[k + 1]) ++k;
      require(t.offset >= starts[k] && t.n_bytes <= starts[k + 1] - t.offset, "a tensor lies inside its shard");
      const uint8_t* in_place = concat.data_at(t.offset, t.n_bytes);
      require(in_place == data + t.offset, "data_at is the shard's own bytes");
      buf.resize(std::min<uint64_t>(t.n_bytes, 1 << 16));
      concat.read(t.offset, buf.data(), buf.size());
      require(buf.empty() || std::equal(buf.begin(), buf.end(), data + t.offset), "read through the shards");
    }
  } catch (const GgufError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Outcome mem = parse_memory(data, size);
  const Outcome pre = parse_prefix(data, size);
  require(mem.error == pre.error, "memory and prefix parses end with the same error");
  require(mem.n_kv == pre.n_kv && mem.n_tensors == pre.n_tensors && mem.data_offset == pre.data_offset,
          "memory and prefix parses agree");
  split_model(data, size);
  return 0;
}
