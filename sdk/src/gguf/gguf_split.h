// Split GGUF models as llama.cpp's gguf-split writes them: shards named
// PREFIX-00001-of-0000N.gguf, each a complete GGUF file. The first holds the
// model's metadata; every shard holds split.no (u16, from 0), split.count
// (u16) and split.tensors.count (i32, all shards' tensors), and its own
// tensors with offsets into its own data section. Lantern reads the shards
// as one file: their concatenation (ConcatSource), whose tensor table
// merge_split builds.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/byte_source.h"
#include "gguf/gguf_file.h"

namespace lantern {

struct SplitName {
  std::string prefix;  // everything before "-00001-of-0000N.gguf"
  int index = 0;       // 1-based, as in the name
  int count = 0;
};

// The shard a path or URL names ("...-00002-of-00005.gguf", a query or
// fragment after it ignored), or nothing for an ordinary file name.
std::optional<SplitName> parse_split_name(std::string_view path);
// llama.cpp's llama_split_path: PREFIX-%05d-of-%05d.gguf, index 1-based.
std::string split_name(const std::string& prefix, int index, int count);

// One model from its shards' headers, in shard order: the first shard's
// metadata (the split.* keys dropped), every shard's tensors, each offset
// made absolute in the concatenation of the shards (shard i starts at the
// sum of the sizes before it). Throws GgufError(BadTensor) naming the shard
// where split.no, split.count or split.tensors.count disagree with the
// shards given, DuplicateKey for a tensor name in two shards, TooLarge for
// more tensors in all than limits.max_tensor_count.
GgufFile merge_split(const std::vector<GgufFile>& shards, const GgufLimits& limits = {});

// Each shard's header parsed, in order, under one GgufLimits for them all
// (a shard may use what the shards before it left of max_header_memory),
// and merged. `parsing`, when given, holds the index of the shard being
// parsed when this throws: a prefix source's NeedMoreData is that shard's.
GgufFile parse_shards(const std::vector<const ByteSource*>& shards, const GgufLimits& limits = {},
                      size_t* parsing = nullptr);

// Shards read as one file, in order. data() is null (the shards are not one
// block); data_at() gives a shard's own bytes for a range inside one shard.
class ConcatSource : public ByteSource {
 public:
  explicit ConcatSource(std::vector<std::unique_ptr<ByteSource>> parts);
  uint64_t size() const override { return size_; }
  void read(uint64_t offset, void* dst, size_t n) const override;
  const uint8_t* data_at(uint64_t offset, uint64_t n) const override;
  void check_intact() const override;
  size_t parts() const { return parts_.size(); }
  const ByteSource& part(size_t i) const;

 private:
  std::vector<std::unique_ptr<ByteSource>> parts_;
  std::vector<uint64_t> starts_;  // parts_[i] begins at starts_[i]
  uint64_t size_ = 0;
};

// A model file, or every shard of a split model from its first shard's
// path (the others beside it) as one ConcatSource. Throws GgufError(Io)
// naming a missing shard, or a shard other than the first.
std::unique_ptr<ByteSource> open_model_source(const std::string& path);
// The header of what open_model_source opened: GgufFile::parse, or each
// shard's parsed and merged (merge_split).
GgufFile parse_model(const ByteSource& src, const GgufLimits& limits = {});

}  // namespace lantern
