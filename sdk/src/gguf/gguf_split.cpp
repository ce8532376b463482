// See gguf_split.h.
#include "gguf/gguf_split.h"

#include <cstdio>
#include <cstring>
#include <set>

#include "gguf/gguf_error.h"

namespace lantern {

namespace {

bool five_digits(std::string_view s) {
  if (s.size() != 5) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// A shard's split.* key as an integer; -1 when absent.
int64_t split_key(const GgufFile& f, const char* key, size_t shard) {
  const GgufValue* v = f.find(key);
  if (!v) return -1;
  if (!v->is_integer())
    throw GgufError(GgufErrorCode::WrongType, std::string("split shard ") + std::to_string(shard + 1) + ": " + key +
                                                  " is not an integer");
  return v->as_int(key);
}

}  // namespace

std::optional<SplitName> parse_split_name(std::string_view path) {
  const size_t cut = path.find_first_of("?#");
  if (cut != std::string_view::npos) path = path.substr(0, cut);
  // PREFIX-NNNNN-of-MMMMM.gguf
  constexpr std::string_view kExt = ".gguf";
  constexpr size_t kTail = 1 + 5 + 4 + 5 + 5;  // "-NNNNN-of-MMMMM.gguf"
  if (path.size() <= kTail || path.substr(path.size() - kExt.size()) != kExt) return std::nullopt;
  const std::string_view tail = path.substr(path.size() - kTail);
  if (tail[0] != '-' || tail.substr(6, 4) != "-of-" || !five_digits(tail.substr(1, 5)) || !five_digits(tail.substr(10, 5)))
    return std::nullopt;
  SplitName n{std::string(path.substr(0, path.size() - kTail)), std::stoi(std::string(tail.substr(1, 5))),
              std::stoi(std::string(tail.substr(10, 5)))};
  if (n.count < 1 || n.index < 1 || n.index > n.count) return std::nullopt;
  return n;
}

std::string split_name(const std::string& prefix, int index, int count) {
  char tail[32];
  std::snprintf(tail, sizeof tail, "-%05d-of-%05d.gguf", index, count);
  return prefix + tail;
}

GgufFile merge_split(const std::vector<GgufFile>& shards, const GgufLimits& limits) {
  if (shards.empty()) throw GgufError(GgufErrorCode::BadTensor, "split model: no shards");
  const int64_t count = static_cast<int64_t>(shards.size());
  int64_t n_tensors = -1;
  GgufFile out;
  const GgufFile& first = shards[0];
  out.version_ = first.version_;
  out.alignment_ = first.alignment_;
  out.data_offset_ = first.data_offset_;
  for (const auto& kv : first.kv_)
    if (kv.first.rfind("split.", 0) != 0) out.kv_.push_back(kv);
  for (size_t i = 0; i < out.kv_.size(); ++i) out.kv_index_[out.kv_[i].first] = i;
  uint64_t base = 0;
  for (size_t s = 0; s < shards.size(); ++s) {
    const GgufFile& f = shards[s];
    const std::string where = "split shard " + std::to_string(s + 1) + " of " + std::to_string(count);
    const int64_t no = split_key(f, "split.no", s), n = split_key(f, "split.count", s),
                  total = split_key(f, "split.tensors.count", s);
    if (no != static_cast<int64_t>(s) || n != count)
      throw GgufError(GgufErrorCode::BadTensor, where + ": split.no " + std::to_string(no) + " and split.count " +
                                                    std::to_string(n) + " say it is another shard (want " +
                                                    std::to_string(s) + " of " + std::to_string(count) + ")");
    if (n_tensors < 0) n_tensors = total;
    if (total != n_tensors)
      throw GgufError(GgufErrorCode::BadTensor, where + ": split.tensors.count " + std::to_string(total) +
                                                    " differs from the first shard's " + std::to_string(n_tensors));
    if (f.tensors_.size() > limits.max_tensor_count - out.tensors_.size())
      throw GgufError(GgufErrorCode::TooLarge, where + ": the shards hold more than " +
                                                   std::to_string(limits.max_tensor_count) + " tensors");
    for (const GgufTensorInfo& t : f.tensors_) {
      if (out.tensor_index_.count(t.name))
        throw GgufError(GgufErrorCode::DuplicateKey, where + ": tensor " + t.name + " is in an earlier shard too");
      GgufTensorInfo m = t;
      m.offset = base + t.offset;
      out.tensor_index_[m.name] = out.tensors_.size();
      out.tensors_.push_back(std::move(m));
    }
    base += f.file_size_;
  }
  if (static_cast<int64_t>(out.tensors_.size()) != n_tensors)
    throw GgufError(GgufErrorCode::BadTensor, "split model: the shards hold " + std::to_string(out.tensors_.size()) +
                                                  " tensors, split.tensors.count says " + std::to_string(n_tensors));
  out.file_size_ = base;
  return out;
}

ConcatSource::ConcatSource(std::vector<std::unique_ptr<ByteSource>> parts) : parts_(std::move(parts)) {
  for (const auto& p : parts_) {
    starts_.push_back(size_);
    size_ += p->size();
  }
}

void ConcatSource::read(uint64_t offset, void* dst, size_t n) const {
  if (offset > size_ || n > size_ - offset) throw GgufError(GgufErrorCode::Truncated, "read past the end of the split model");
  auto* out = static_cast<uint8_t*>(dst);
  for (size_t i = 0; i < parts_.size() && n > 0; ++i) {
    const uint64_t start = starts_[i], end = start + parts_[i]->size();
    if (offset >= end) continue;
    const size_t take = static_cast<size_t>(std::min<uint64_t>(n, end - offset));
    parts_[i]->read(offset - start, out, take);
    out += take;
    offset += take;
    n -= take;
  }
}

const uint8_t* ConcatSource::data_at(uint64_t offset, uint64_t n) const {
  for (size_t i = 0; i < parts_.size(); ++i) {
    const uint64_t start = starts_[i], part = parts_[i]->size();
    if (offset >= start && offset - start <= part && n <= part - (offset - start))
      return parts_[i]->data_at(offset - start, n);
  }
  return nullptr;
}

void ConcatSource::check_intact() const {
  for (const auto& p : parts_) p->check_intact();
}

const ByteSource& ConcatSource::part(size_t i) const { return *parts_.at(i); }

std::unique_ptr<ByteSource> open_model_source(const std::string& path) {
  const auto name = parse_split_name(path);
  if (!name) return open_file_source(path);
  if (name->index != 1)
    throw GgufError(GgufErrorCode::Io, path + " is shard " + std::to_string(name->index) + " of a split model: open " +
                                           split_name(name->prefix, 1, name->count) + ", its first shard");
  std::vector<std::unique_ptr<ByteSource>> parts;
  for (int i = 1; i <= name->count; ++i) parts.push_back(open_file_source(split_name(name->prefix, i, name->count)));
  return std::make_unique<ConcatSource>(std::move(parts));
}

GgufFile parse_shards(const std::vector<const ByteSource*>& shards, const GgufLimits& limits, size_t* parsing) {
  GgufLimits left = limits;
  std::vector<GgufFile> files;
  for (size_t i = 0; i < shards.size(); ++i) {
    if (parsing) *parsing = i;
    files.push_back(GgufFile::parse(*shards[i], left));
    left.max_header_memory -= files.back().header_memory();
  }
  return merge_split(files, limits);
}

GgufFile parse_model(const ByteSource& src, const GgufLimits& limits) {
  const auto* concat = dynamic_cast<const ConcatSource*>(&src);
  if (!concat) return GgufFile::parse(src, limits);
  std::vector<const ByteSource*> parts;
  for (size_t i = 0; i < concat->parts(); ++i) parts.push_back(&concat->part(i));
  return parse_shards(parts, limits);
}

}  // namespace lantern
