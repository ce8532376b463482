// GgufFile::parse: reads header, metadata and tensor table, validating every
// count, length, shape and offset against the file size and GgufLimits before
// anything is allocated or trusted. Tensor data is never read here.
#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "gguf/byte_size.h"
#include "gguf/gguf_error.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_utf8.h"

namespace lantern {
namespace {

static_assert(std::endian::native == std::endian::little,
              "GGUF is read with host-order loads; only little-endian hosts are supported");

using gguf_detail::escape_for_message;
using gguf_detail::find_invalid_utf8;

constexpr char kMagic[4] = {'G', 'G', 'U', 'F'};
constexpr uint32_t kMaxValueType = static_cast<uint32_t>(GgufValueType::FLOAT64);
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;              // key length, type, smallest value
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;  // name length, n_dims, one dim, type, offset
constexpr uint64_t kIndexEntryMemory = 128;  // a name's map node and the vector slot beside it, roughly

std::string num(uint64_t v) { return std::to_string(v); }

// Reads forward through a ByteSource. `where` names the structure being read
// so that every error says what and where, e.g. "metadata key 'general.name'".
class Cursor {
 public:
  Cursor(const ByteSource& src, uint64_t memory_limit) : src_(src), size_(src.size()), memory_limit_(memory_limit) {}

  uint64_t pos() const { return pos_; }
  uint64_t size() const { return size_; }
  uint64_t remaining() const { return size_ - pos_; }

  void read(void* dst, uint64_t n, const char* what) {
    if (n > remaining()) truncated(n, what);
    try {
      src_.read(pos_, dst, static_cast<size_t>(n));
    } catch (const GgufError& e) {
      // A download prefix ran out: ask for everything the parse surely needs.
      if (e.code() != GgufErrorCode::NeedMoreData || e.bytes_needed() >= min_end_) throw;
      throw GgufError(GgufErrorCode::NeedMoreData,
                      "need at least the first " + num(min_end_) + " bytes of the file to read " + where, min_end_);
    }
    pos_ += n;
  }
  template <class T>
  T get(const char* what) {
    T v;
    read(&v, sizeof v, what);
    return v;
  }

  [[noreturn]] void truncated(uint64_t n, const std::string& what) const {
    throw GgufError(GgufErrorCode::Truncated,
                    "file ends inside " + where + ": " + what + " needs " + num(n) +
                        " bytes at offset " + num(pos_) + ", but the file is " + num(size_) + " bytes");
  }
  [[noreturn]] void fail(GgufErrorCode code, const std::string& msg, uint64_t at) const {
    throw GgufError(code, where + ": " + msg + " (at byte offset " + num(at) + ")");
  }

  // What the parse certainly still needs: raised as counts become known so
  // that NeedMoreData asks for whole structures, not one string at a time.
  // `tail` is the least size of everything after the current metadata value.
  void need_at_least(uint64_t bytes_from_here) {
    const uint64_t end = bytes_from_here > remaining() ? size_ : pos_ + bytes_from_here;
    min_end_ = std::max(min_end_, end);
  }
  uint64_t tail = 0;

  // Charges what the parsed header will take in memory, before it is
  // allocated; `what` says what (at byte offset `at`) for the message.
  void charge_memory(uint64_t bytes, const std::string& what, uint64_t at) {
    if (bytes > memory_limit_ - memory_used_) {
      fail(GgufErrorCode::TooLarge, what + " takes " + byte_size(bytes) + " in memory, which with the " + byte_size(memory_used_) +
                                        " the header took before it is over the limit of " + byte_size(memory_limit_) +
                                        " for a parsed header",
           at);
    }
    memory_used_ += bytes;
  }

  std::string where = "the header";
  uint64_t memory_used() const { return memory_used_; }

 private:
  const ByteSource& src_;
  uint64_t size_;
  uint64_t pos_ = 0;
  uint64_t min_end_ = 0;
  uint64_t memory_limit_;
  uint64_t memory_used_ = 0;
};

uint64_t fixed_size(GgufValueType t) {
  switch (t) {
    case GgufValueType::UINT8: case GgufValueType::INT8: case GgufValueType::BOOL: return 1;
    case GgufValueType::UINT16: case GgufValueType::INT16: return 2;
    case GgufValueType::UINT32: case GgufValueType::INT32: case GgufValueType::FLOAT32: return 4;
    case GgufValueType::UINT64: case GgufValueType::INT64: case GgufValueType::FLOAT64: return 8;
    default: return 0;  // string, array
  }
}

// A length-prefixed string; `what` says which (key, value, name) for messages.
std::string read_string(Cursor& c, const GgufLimits& lim, const std::string& what) {
  const uint64_t at = c.pos();
  const uint64_t len = c.get<uint64_t>("a string length");
  if (len > lim.max_string_bytes) {
    c.fail(GgufErrorCode::TooLarge,
           what + " declares a length of " + num(len) + " bytes, over the limit of " + num(lim.max_string_bytes), at);
  }
  if (len > c.remaining()) c.truncated(len, what);
  c.charge_memory(len, what, at);
  std::string s(static_cast<size_t>(len), '\0');
  c.read(s.data(), len, what.c_str());
  return s;
}

void check_utf8(Cursor& c, const std::string& s, uint64_t string_start, const std::string& what) {
  const size_t bad = find_invalid_utf8(s);
  if (bad != std::string_view::npos) {
    c.fail(GgufErrorCode::InvalidUtf8,
           what + " is not valid UTF-8 (bad byte " + num(bad) + " of \"" + escape_for_message(s) + "\")",
           string_start + 8 + bad);
  }
}

GgufValueType read_type(Cursor& c, const char* what) {
  const uint64_t at = c.pos();
  const uint32_t raw = c.get<uint32_t>(what);
  if (raw > kMaxValueType) {
    c.fail(GgufErrorCode::BadValueType, std::string(what) + " " + num(raw) + " is not a GGUF value type", at);
  }
  return static_cast<GgufValueType>(raw);
}

template <class T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Elements of a fixed-size array, read in one block (one NeedMoreData for the
// whole array when downloading) and widened to the Array's storage.
void read_fixed_elements(Cursor& c, GgufValue::Array& a, uint64_t count) {
  const uint64_t esize = fixed_size(a.elem_type);
  std::vector<uint8_t> raw(static_cast<size_t>(count * esize));
  const uint64_t at = c.pos();
  c.read(raw.data(), raw.size(), "array elements");
  const uint8_t* p = raw.data();
  const bool is_float = a.elem_type == GgufValueType::FLOAT32 || a.elem_type == GgufValueType::FLOAT64;
  (is_float ? a.floats.reserve(count) : a.ints.reserve(count));
  for (uint64_t i = 0; i < count; ++i, p += esize) {
    switch (a.elem_type) {
      case GgufValueType::UINT8: a.ints.push_back(*p); break;
      case GgufValueType::INT8: a.ints.push_back(static_cast<int8_t>(*p)); break;
      case GgufValueType::BOOL: a.ints.push_back(*p != 0); break;
      case GgufValueType::UINT16: a.ints.push_back(load<uint16_t>(p)); break;
      case GgufValueType::INT16: a.ints.push_back(load<int16_t>(p)); break;
      case GgufValueType::UINT32: a.ints.push_back(load<uint32_t>(p)); break;
      case GgufValueType::INT32: a.ints.push_back(load<int32_t>(p)); break;
      case GgufValueType::INT64: a.ints.push_back(load<int64_t>(p)); break;
      case GgufValueType::UINT64: {
        const uint64_t v = load<uint64_t>(p);
        if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          c.fail(GgufErrorCode::TooLarge, "uint64 array element " + num(i) + " = " + num(v) + " exceeds INT64_MAX",
                 at + i * esize);
        }
        a.ints.push_back(static_cast<int64_t>(v));
        break;
      }
      case GgufValueType::FLOAT32: a.floats.push_back(load<float>(p)); break;
      case GgufValueType::FLOAT64: a.floats.push_back(load<double>(p)); break;
      default: break;  // string/array never reach here
    }
  }
}

GgufValue read_array(Cursor& c, const GgufLimits& lim) {
  const uint64_t at = c.pos();
  const GgufValueType et = read_type(c, "array element type");
  if (et == GgufValueType::ARRAY) c.fail(GgufErrorCode::BadValueType, "nested arrays are not supported", at);
  const uint64_t count_at = c.pos();
  const uint64_t count = c.get<uint64_t>("array length");
  if (count > lim.max_array_elements) {
    c.fail(GgufErrorCode::TooLarge,
           "array of " + num(count) + " elements is over the limit of " + num(lim.max_array_elements), count_at);
  }
  // Every element takes at least this many bytes: refuse before allocating.
  const uint64_t min_elem = et == GgufValueType::STRING ? 8 : fixed_size(et);
  if (count > c.remaining() / min_elem) {
    c.truncated(count * min_elem, "an array of " + num(count) + " " + gguf_value_type_name(et) + " elements");
  }
  c.need_at_least(count * min_elem + c.tail);
  // Each element is a std::string, an int64_t or a double once parsed.
  const uint64_t elem_memory = et == GgufValueType::STRING ? sizeof(std::string) : 8;
  c.charge_memory(count * elem_memory, "an array of " + num(count) + " " + gguf_value_type_name(et) + " elements (" +
                                           num(elem_memory) + " bytes each in memory)", count_at);
  GgufValue::Array a{et, {}, {}, {}};
  if (et == GgufValueType::STRING) {
    a.strings.reserve(static_cast<size_t>(count));
    for (uint64_t i = 0; i < count; ++i) {
      c.need_at_least((count - i) * 8 + c.tail);  // keeps a retried download from crawling string by string
      const uint64_t s_at = c.pos();
      const std::string what = "string element " + num(i);
      a.strings.push_back(read_string(c, lim, what));
      check_utf8(c, a.strings.back(), s_at, what);
    }
  } else {
    read_fixed_elements(c, a, count);
  }
  return GgufValue(GgufValueType::ARRAY, std::move(a));
}

GgufValue read_value(Cursor& c, GgufValueType t, const GgufLimits& lim) {
  switch (t) {
    case GgufValueType::UINT8: return {t, uint64_t{c.get<uint8_t>("a uint8 value")}};
    case GgufValueType::INT8: return {t, int64_t{c.get<int8_t>("an int8 value")}};
    case GgufValueType::UINT16: return {t, uint64_t{c.get<uint16_t>("a uint16 value")}};
    case GgufValueType::INT16: return {t, int64_t{c.get<int16_t>("an int16 value")}};
    case GgufValueType::UINT32: return {t, uint64_t{c.get<uint32_t>("a uint32 value")}};
    case GgufValueType::INT32: return {t, int64_t{c.get<int32_t>("an int32 value")}};
    case GgufValueType::UINT64: return {t, c.get<uint64_t>("a uint64 value")};
    case GgufValueType::INT64: return {t, c.get<int64_t>("an int64 value")};
    case GgufValueType::FLOAT32: return {t, double{c.get<float>("a float32 value")}};
    case GgufValueType::FLOAT64: return {t, c.get<double>("a float64 value")};
    case GgufValueType::BOOL: return {t, c.get<uint8_t>("a bool value") != 0};
    case GgufValueType::STRING: {
      const uint64_t at = c.pos();
      std::string s = read_string(c, lim, "the string value");
      check_utf8(c, s, at, "the string value");
      return {t, std::move(s)};
    }
    case GgufValueType::ARRAY: return read_array(c, lim);
  }
  c.fail(GgufErrorCode::BadValueType, "unknown value type", c.pos());
}

void read_header(Cursor& c, uint32_t& version, uint64_t& n_tensors, uint64_t& n_kv, const GgufLimits& lim) {
  c.need_at_least(4 + 4 + 8 + 8);  // magic, version, counts
  char magic[4] = {};
  const uint64_t have = std::min<uint64_t>(4, c.size());
  if (have < 4) {  // too short to be anything: say BadMagic if even the prefix is wrong
    Cursor probe = c;
    probe.read(magic, have, "the magic");
    if (std::memcmp(magic, kMagic, have) != 0) {
      throw GgufError(GgufErrorCode::BadMagic, "not a GGUF file: it is " + num(c.size()) + " bytes and does not start with 'GGUF'");
    }
  }
  c.read(magic, 4, "the magic");
  if (std::memcmp(magic, kMagic, 4) != 0) {
    throw GgufError(GgufErrorCode::BadMagic, "not a GGUF file: starts with \"" +
                                                 escape_for_message(std::string_view(magic, 4)) + "\", not \"GGUF\"");
  }
  version = c.get<uint32_t>("the version");
  if (version != 2 && version != 3) {
    const uint32_t swapped = __builtin_bswap32(version);
    std::string msg = "GGUF version " + num(version) + " is not supported (only versions 2 and 3 are)";
    if (version == 1) msg = "GGUF version 1 is not supported (only versions 2 and 3 are); re-convert the model with a current llama.cpp";
    if (swapped >= 1 && swapped <= 3) msg = "big-endian GGUF files are not supported (version field reads " + num(swapped) + " byte-swapped)";
    throw GgufError(GgufErrorCode::BadVersion, msg);
  }
  const uint64_t counts_at = c.pos();
  n_tensors = c.get<uint64_t>("the tensor count");
  n_kv = c.get<uint64_t>("the metadata count");
  if (n_tensors > lim.max_tensor_count) {
    c.fail(GgufErrorCode::TooLarge, "tensor count " + num(n_tensors) + " is over the limit of " + num(lim.max_tensor_count), counts_at);
  }
  if (n_kv > lim.max_kv_count) {
    c.fail(GgufErrorCode::TooLarge, "metadata count " + num(n_kv) + " is over the limit of " + num(lim.max_kv_count), counts_at + 8);
  }
  const uint64_t min_bytes = n_tensors * kMinTensorInfoBytes + n_kv * kMinKvBytes;  // no overflow under the limits
  if (min_bytes > c.remaining()) {
    c.truncated(min_bytes, num(n_kv) + " metadata entries and " + num(n_tensors) + " tensor infos");
  }
  c.need_at_least(min_bytes);
}

uint32_t read_alignment(const GgufFile& f, Cursor& c) {
  const GgufValue* v = f.find("general.alignment");
  if (!v) return 32;
  c.where = "metadata key 'general.alignment'";
  if (!v->is_integer()) {
    throw GgufError(GgufErrorCode::WrongType, std::string("metadata 'general.alignment' is ") +
                                                  gguf_value_type_name(v->type()) + ", not an integer");
  }
  const uint64_t a = v->as_uint("general.alignment");
  if (a == 0 || (a & (a - 1)) != 0 || a > (1u << 30)) {
    throw GgufError(GgufErrorCode::BadTensor,
                    "general.alignment = " + num(a) + " is not a power of two between 1 and 2^30");
  }
  return static_cast<uint32_t>(a);
}

GgufTensorInfo read_tensor_info(Cursor& c, uint64_t index, const GgufLimits& lim) {
  GgufTensorInfo t;
  c.where = "tensor info #" + num(index);
  const uint64_t name_at = c.pos();
  t.name = read_string(c, lim, "the tensor name");
  check_utf8(c, t.name, name_at, "the tensor name");
  c.where = "tensor '" + escape_for_message(t.name) + "'";

  const uint64_t dims_at = c.pos();
  const uint32_t n_dims = c.get<uint32_t>("the dimension count");
  if (n_dims == 0) c.fail(GgufErrorCode::BadTensor, "has 0 dimensions", dims_at);
  if (n_dims > lim.max_dims) {
    c.fail(GgufErrorCode::TooLarge, "has " + num(n_dims) + " dimensions, more than " + num(lim.max_dims), dims_at);
  }
  t.n_elements = 1;
  for (uint32_t d = 0; d < n_dims; ++d) {
    const uint64_t at = c.pos();
    const uint64_t dim = c.get<uint64_t>("a dimension");
    if (dim == 0) c.fail(GgufErrorCode::BadTensor, "dimension " + num(d) + " is 0", at);
    if (dim > lim.max_tensor_elements || t.n_elements > lim.max_tensor_elements / dim) {
      c.fail(GgufErrorCode::TooLarge, "dimension " + num(d) + " = " + num(dim) + " makes more than " +
                                          num(lim.max_tensor_elements) + " elements", at);
    }
    t.n_elements *= dim;
    t.dims.push_back(dim);
  }
  const uint64_t type_at = c.pos();
  const uint32_t type = c.get<uint32_t>("the tensor type");
  const GgmlTypeTraits* traits = ggml_type_traits(type);
  if (!traits) {
    c.fail(GgufErrorCode::UnknownTensorType, "has type number " + num(type) + ", which GGML does not define", type_at);
  }
  t.type = static_cast<GgmlType>(type);
  if (t.dims[0] % traits->block_size != 0) {
    c.fail(GgufErrorCode::BadTensor, "row length " + num(t.dims[0]) + " is not a multiple of the " + traits->name +
                                         " block size " + num(traits->block_size), dims_at);
  }
  t.n_bytes = t.n_elements / traits->block_size * traits->type_size;
  t.offset = c.get<uint64_t>("the tensor offset");  // relative to the data section until placed
  return t;
}

// Offsets are relative on entry; absolute on return. Checks alignment, overlap
// and that all data lies inside the file (by size: it is never read here).
void place_tensors(std::vector<GgufTensorInfo>& tensors, uint64_t data_offset, uint32_t alignment,
                   uint64_t file_size, uint64_t table_end) {
  auto where = [](const GgufTensorInfo& t) { return "tensor '" + escape_for_message(t.name) + "'"; };
  // GGML writes tensors packed in table order, each padded to the alignment: a
  // file laid out like that but too short is a truncated download, anything
  // else that points past the end is a corrupt table.
  bool packed = true;
  uint64_t expect = 0;
  for (GgufTensorInfo& t : tensors) {
    if (t.offset % alignment != 0) {
      throw GgufError(GgufErrorCode::BadTensor, where(t) + ": data offset " + num(t.offset) +
                                                    " is not a multiple of the alignment " + num(alignment));
    }
    if (t.offset > std::numeric_limits<uint64_t>::max() - data_offset - t.n_bytes) {
      throw GgufError(GgufErrorCode::BadTensor, where(t) + ": data offset " + num(t.offset) + " overflows");
    }
    packed = packed && t.offset == expect;
    expect = t.offset + t.n_bytes;
    expect += (alignment - expect % alignment) % alignment;
    t.offset += data_offset;
  }
  std::vector<const GgufTensorInfo*> by_offset;
  for (const GgufTensorInfo& t : tensors) by_offset.push_back(&t);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const GgufTensorInfo* a, const GgufTensorInfo* b) { return a->offset < b->offset; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    const GgufTensorInfo& a = *by_offset[i - 1];
    const GgufTensorInfo& b = *by_offset[i];
    if (a.offset + a.n_bytes > b.offset) {
      throw GgufError(GgufErrorCode::BadTensor, where(b) + ": data at offset " + num(b.offset) + " overlaps " +
                                                    where(a) + " [" + num(a.offset) + ", " + num(a.offset + a.n_bytes) + ")");
    }
  }
  for (const GgufTensorInfo* t : by_offset) {
    const uint64_t end = t->offset + t->n_bytes;
    if (end <= file_size) continue;
    if (packed) {
      throw GgufError(GgufErrorCode::Truncated, "file ends inside the tensor data: " + where(*t) + " needs bytes [" +
                                                    num(t->offset) + ", " + num(end) + "), but the file is " +
                                                    num(file_size) + " bytes (header ends at " + num(table_end) + ")");
    }
    throw GgufError(GgufErrorCode::BadTensor, where(*t) + ": data [" + num(t->offset) + ", " + num(end) +
                                                  ") lies past the end of the file (" + num(file_size) + " bytes)");
  }
}

}  // namespace

GgufFile GgufFile::parse(const ByteSource& src, const GgufLimits& limits) {
  GgufFile f;
  f.file_size_ = src.size();
  Cursor c(src, limits.max_header_memory);
  uint64_t n_tensors = 0, n_kv = 0;
  read_header(c, f.version_, n_tensors, n_kv, limits);

  f.kv_.reserve(static_cast<size_t>(n_kv));
  for (uint64_t i = 0; i < n_kv; ++i) {
    c.where = "metadata entry #" + num(i);
    c.tail = (n_kv - i - 1) * kMinKvBytes + n_tensors * kMinTensorInfoBytes;
    const uint64_t key_at = c.pos();
    std::string key = read_string(c, limits, "the key");
    check_utf8(c, key, key_at, "the key");
    c.where = "metadata key '" + escape_for_message(key) + "'";
    if (f.kv_index_.count(key)) c.fail(GgufErrorCode::DuplicateKey, "the key appears twice", key_at);
    c.charge_memory(key.size() + kIndexEntryMemory + sizeof(GgufValue), "the entry and its index", key_at);
    const GgufValueType t = read_type(c, "value type");
    GgufValue v = read_value(c, t, limits);
    f.kv_index_.emplace(key, f.kv_.size());
    f.kv_.emplace_back(std::move(key), std::move(v));
  }
  f.alignment_ = read_alignment(f, c);

  f.tensors_.reserve(static_cast<size_t>(n_tensors));
  for (uint64_t i = 0; i < n_tensors; ++i) {
    const uint64_t at = c.pos();
    GgufTensorInfo t = read_tensor_info(c, i, limits);
    if (f.tensor_index_.count(t.name)) c.fail(GgufErrorCode::DuplicateKey, "the tensor name appears twice", at);
    c.charge_memory(t.name.size() + kIndexEntryMemory + sizeof(GgufTensorInfo) + t.dims.size() * 8,
                    "the tensor info and its index", at);
    f.tensor_index_.emplace(t.name, f.tensors_.size());
    f.tensors_.push_back(std::move(t));
  }
  const uint64_t table_end = c.pos();
  f.data_offset_ = table_end + (f.alignment_ - table_end % f.alignment_) % f.alignment_;
  place_tensors(f.tensors_, f.data_offset_, f.alignment_, f.file_size_, table_end);
  f.header_memory_ = c.memory_used();
  return f;
}

}  // namespace lantern
