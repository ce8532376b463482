// GGUF v3 serialisation: header, metadata, tensor table, then each tensor's
// data padded to the alignment, laid out as GGML writes it (packed in order).
#include "gguf/gguf_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "gguf/gguf_error.h"

namespace lantern {
namespace {

constexpr size_t kMaxNameBytes = 63;           // GGML_MAX_NAME - 1: llama.cpp refuses longer names
constexpr uint64_t kFillChunkBytes = 4u << 20;  // one generated piece

bool is_pow2(uint64_t a) { return a != 0 && (a & (a - 1)) == 0; }
uint64_t pad_to(uint64_t n, uint64_t a) { return (a - n % a) % a; }

class Out {
 public:
  explicit Out(std::vector<uint8_t>& buf) : buf_(buf) {}
  template <class T>
  void put(T v) {
    bytes(&v, sizeof v);
  }
  void str(const std::string& s) {
    put<uint64_t>(s.size());
    bytes(s.data(), s.size());
  }

 private:
  void bytes(const void* p, size_t n) {  // resize+memcpy: GCC 12 misreports vector::insert here
    const size_t at = buf_.size();
    buf_.resize(at + n);
    if (n) std::memcpy(buf_.data() + at, p, n);
  }

  std::vector<uint8_t>& buf_;
};

[[noreturn]] void bad_value(const std::string& key, const std::string& why) {
  throw std::invalid_argument("GgufWriter: metadata '" + key + "': " + why);
}

// Writes an integer of GGUF type t after checking that it fits.
void put_int(Out& o, GgufValueType t, int64_t sv, uint64_t uv, bool is_signed, const std::string& key) {
  auto fits = [&](int64_t lo, uint64_t hi) {
    return is_signed ? (sv >= lo && (sv < 0 || static_cast<uint64_t>(sv) <= hi)) : uv <= hi;
  };
  const int64_t v = is_signed ? sv : static_cast<int64_t>(uv);
  switch (t) {
    case GgufValueType::UINT8: if (!fits(0, UINT8_MAX)) break; o.put<uint8_t>(static_cast<uint8_t>(v)); return;
    case GgufValueType::INT8: if (!fits(INT8_MIN, INT8_MAX)) break; o.put<int8_t>(static_cast<int8_t>(v)); return;
    case GgufValueType::UINT16: if (!fits(0, UINT16_MAX)) break; o.put<uint16_t>(static_cast<uint16_t>(v)); return;
    case GgufValueType::INT16: if (!fits(INT16_MIN, INT16_MAX)) break; o.put<int16_t>(static_cast<int16_t>(v)); return;
    case GgufValueType::UINT32: if (!fits(0, UINT32_MAX)) break; o.put<uint32_t>(static_cast<uint32_t>(v)); return;
    case GgufValueType::INT32: if (!fits(INT32_MIN, INT32_MAX)) break; o.put<int32_t>(static_cast<int32_t>(v)); return;
    case GgufValueType::UINT64: if (!fits(0, UINT64_MAX)) break; o.put<uint64_t>(is_signed ? static_cast<uint64_t>(sv) : uv); return;
    case GgufValueType::INT64: if (!fits(INT64_MIN, INT64_MAX)) break; o.put<int64_t>(v); return;
    case GgufValueType::BOOL: if (!fits(0, 1)) break; o.put<uint8_t>(static_cast<uint8_t>(v)); return;
    default: break;
  }
  bad_value(key, std::string("value ") + (is_signed ? std::to_string(sv) : std::to_string(uv)) + " does not fit " +
                     gguf_value_type_name(t));
}

void put_scalar(Out& o, const GgufValue& v, const std::string& key) {
  const GgufValueType t = v.type();
  switch (t) {
    case GgufValueType::FLOAT32: o.put<float>(static_cast<float>(v.as_float(key))); return;
    case GgufValueType::FLOAT64: o.put<double>(v.as_float(key)); return;
    case GgufValueType::BOOL: o.put<uint8_t>(v.as_bool(key) ? 1 : 0); return;
    case GgufValueType::STRING: o.str(v.as_string(key)); return;
    default: break;
  }
  if (!v.is_integer()) bad_value(key, "unsupported value type");
  // Signed storage for signed types, unsigned storage for unsigned ones.
  const bool is_signed = t == GgufValueType::INT8 || t == GgufValueType::INT16 || t == GgufValueType::INT32 ||
                         t == GgufValueType::INT64;
  try {
    if (is_signed) put_int(o, t, v.as_int(key), 0, true, key);
    else put_int(o, t, 0, v.as_uint(key), false, key);
  } catch (const GgufError& e) {
    bad_value(key, e.what());
  }
}

void put_array(Out& o, const GgufValue::Array& a, const std::string& key) {
  o.put<uint32_t>(static_cast<uint32_t>(a.elem_type));
  switch (a.elem_type) {
    case GgufValueType::STRING:
      o.put<uint64_t>(a.strings.size());
      for (const std::string& s : a.strings) o.str(s);
      return;
    case GgufValueType::FLOAT32:
      o.put<uint64_t>(a.floats.size());
      for (double f : a.floats) o.put<float>(static_cast<float>(f));
      return;
    case GgufValueType::FLOAT64:
      o.put<uint64_t>(a.floats.size());
      for (double f : a.floats) o.put<double>(f);
      return;
    case GgufValueType::ARRAY:
      bad_value(key, "nested arrays are not supported");
    default:
      o.put<uint64_t>(a.ints.size());
      for (int64_t i : a.ints) put_int(o, a.elem_type, i, 0, true, key);
      return;
  }
}

void check_value(const std::string& key, const GgufValue& v) {
  if (static_cast<uint32_t>(v.type()) > static_cast<uint32_t>(GgufValueType::FLOAT64)) {
    bad_value(key, "unknown value type " + std::to_string(static_cast<uint32_t>(v.type())));
  }
  std::vector<uint8_t> scratch;  // serialising once checks every range
  Out o(scratch);
  if (v.is_array()) put_array(o, v.as_array(key), key);
  else put_scalar(o, v, key);
}

}  // namespace

void GgufWriter::set(const std::string& key, GgufValue value) {
  check_value(key, value);
  for (auto& kv : kv_) {
    if (kv.first == key) {
      kv.second = std::move(value);
      return;
    }
  }
  kv_.emplace_back(key, std::move(value));
}

void GgufWriter::set_string(const std::string& key, std::string v) { set(key, {GgufValueType::STRING, std::move(v)}); }
void GgufWriter::set_u32(const std::string& key, uint32_t v) { set(key, {GgufValueType::UINT32, uint64_t{v}}); }
void GgufWriter::set_i32(const std::string& key, int32_t v) { set(key, {GgufValueType::INT32, int64_t{v}}); }
void GgufWriter::set_u64(const std::string& key, uint64_t v) { set(key, {GgufValueType::UINT64, v}); }
void GgufWriter::set_i64(const std::string& key, int64_t v) { set(key, {GgufValueType::INT64, v}); }
void GgufWriter::set_f32(const std::string& key, float v) { set(key, {GgufValueType::FLOAT32, double{v}}); }
void GgufWriter::set_bool(const std::string& key, bool v) { set(key, {GgufValueType::BOOL, v}); }

void GgufWriter::set_strings(const std::string& key, std::vector<std::string> v) {
  GgufValue::Array a{GgufValueType::STRING, std::move(v), {}, {}};
  set(key, {GgufValueType::ARRAY, std::move(a)});
}

void GgufWriter::set_f32s(const std::string& key, const std::vector<float>& v) {
  GgufValue::Array a{GgufValueType::FLOAT32, {}, {}, std::vector<double>(v.begin(), v.end())};
  set(key, {GgufValueType::ARRAY, std::move(a)});
}

void GgufWriter::set_i32s(const std::string& key, const std::vector<int32_t>& v) {
  GgufValue::Array a{GgufValueType::INT32, {}, std::vector<int64_t>(v.begin(), v.end()), {}};
  set(key, {GgufValueType::ARRAY, std::move(a)});
}

GgufWriter::Tensor& GgufWriter::check_new_tensor(const std::string& name, GgmlType type, std::vector<uint64_t> dims) {
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument("GgufWriter: tensor '" + name + "': " + why);
  };
  if (name.empty() || name.size() > kMaxNameBytes) fail("name must be 1 to 63 bytes");
  for (const Tensor& t : tensors_) {
    if (t.name == name) fail("added twice");
  }
  const GgmlTypeTraits* traits = ggml_type_traits(type);
  if (!traits) fail("unknown type " + ggml_type_name(type));
  if (dims.empty() || dims.size() > 4) fail("needs 1 to 4 dimensions");
  uint64_t n = 1;
  for (uint64_t d : dims) {
    if (d == 0) fail("has a zero dimension");
    if (n > std::numeric_limits<uint64_t>::max() / 64 / d) fail("is too large");
    n *= d;
  }
  if (dims[0] % traits->block_size != 0) {
    fail("row length " + std::to_string(dims[0]) + " is not a multiple of the " + traits->name + " block size");
  }
  Tensor t{name, type, std::move(dims), {}, {}, 0, 0};
  t.n_bytes = n / traits->block_size * traits->type_size;
  t.row_bytes = t.dims[0] / traits->block_size * traits->type_size;
  tensors_.push_back(std::move(t));
  return tensors_.back();
}

void GgufWriter::add_tensor(const std::string& name, GgmlType type, std::vector<uint64_t> dims,
                            std::vector<uint8_t> data) {
  Tensor& t = check_new_tensor(name, type, std::move(dims));
  if (data.size() != t.n_bytes) {
    const std::string msg = "GgufWriter: tensor '" + name + "': data is " + std::to_string(data.size()) +
                            " bytes, its shape and type need " + std::to_string(t.n_bytes);
    tensors_.pop_back();
    throw std::invalid_argument(msg);
  }
  t.data = std::move(data);
}

void GgufWriter::add_tensor_generated(const std::string& name, GgmlType type, std::vector<uint64_t> dims,
                                      TensorFill fill) {
  if (!fill) throw std::invalid_argument("GgufWriter: tensor '" + name + "': no fill function");
  check_new_tensor(name, type, std::move(dims)).fill = std::move(fill);
}

uint32_t GgufWriter::layout_alignment() const {
  for (const auto& kv : kv_) {
    if (kv.first == "general.alignment" && kv.second.is_integer()) {
      const uint64_t a = kv.second.as_uint(kv.first);
      if (is_pow2(a) && a <= (1u << 30)) return static_cast<uint32_t>(a);
    }
  }
  if (!is_pow2(alignment_)) {
    throw std::invalid_argument("GgufWriter: alignment " + std::to_string(alignment_) + " is not a power of two");
  }
  return alignment_;
}

std::vector<uint8_t> GgufWriter::header_bytes() const {
  const uint32_t align = layout_alignment();
  bool has_alignment_key = false;
  for (const auto& kv : kv_) has_alignment_key = has_alignment_key || kv.first == "general.alignment";
  const bool add_alignment_key = !has_alignment_key && align != 32;

  std::vector<uint8_t> buf;
  Out o(buf);
  o.put<uint32_t>(0x46554747);  // "GGUF"
  o.put<uint32_t>(3);
  o.put<uint64_t>(tensors_.size());
  o.put<uint64_t>(kv_.size() + (add_alignment_key ? 1 : 0));
  for (const auto& [key, v] : kv_) {
    o.str(key);
    o.put<uint32_t>(static_cast<uint32_t>(v.type()));
    if (v.is_array()) put_array(o, v.as_array(key), key);
    else put_scalar(o, v, key);
  }
  if (add_alignment_key) {
    o.str("general.alignment");
    o.put<uint32_t>(static_cast<uint32_t>(GgufValueType::UINT32));
    o.put<uint32_t>(align);
  }
  uint64_t offset = 0;
  for (const Tensor& t : tensors_) {
    o.str(t.name);
    o.put<uint32_t>(static_cast<uint32_t>(t.dims.size()));
    for (uint64_t d : t.dims) o.put<uint64_t>(d);
    o.put<uint32_t>(static_cast<uint32_t>(t.type));
    o.put<uint64_t>(offset);
    offset += t.n_bytes + pad_to(t.n_bytes, align);
  }
  buf.resize(buf.size() + pad_to(buf.size(), align), 0);
  return buf;
}

uint64_t GgufWriter::file_size() const {
  const uint32_t align = layout_alignment();
  uint64_t size = header_bytes().size();
  for (const Tensor& t : tensors_) size += t.n_bytes + pad_to(t.n_bytes, align);
  return size;
}

void GgufWriter::write(const ByteSink& sink) const {
  const uint32_t align = layout_alignment();
  const std::vector<uint8_t> header = header_bytes();
  sink(header.data(), header.size());
  const std::vector<uint8_t> zeros(align, 0);
  std::vector<uint8_t> chunk;
  for (const Tensor& t : tensors_) {
    if (!t.fill) {
      sink(t.data.data(), t.data.size());
    } else {
      const uint64_t rows_per_chunk = std::max<uint64_t>(1, kFillChunkBytes / t.row_bytes);
      const uint64_t chunk_bytes = std::min(rows_per_chunk * t.row_bytes, t.n_bytes);
      chunk.resize(static_cast<size_t>(chunk_bytes));
      for (uint64_t done = 0; done < t.n_bytes; done += chunk_bytes) {
        const uint64_t n = std::min(chunk_bytes, t.n_bytes - done);
        std::memset(chunk.data(), 0, static_cast<size_t>(n));  // a lazy filler leaves zeros, not stale bytes
        t.fill(chunk.data(), n);
        sink(chunk.data(), static_cast<size_t>(n));
      }
    }
    sink(zeros.data(), static_cast<size_t>(pad_to(t.n_bytes, align)));
  }
}

std::vector<uint8_t> GgufWriter::to_bytes() const {
  std::vector<uint8_t> out;
  out.reserve(static_cast<size_t>(file_size()));
  write([&](const uint8_t* p, size_t n) { out.insert(out.end(), p, p + n); });
  return out;
}

void GgufWriter::write_file(const std::string& path) const {
  const std::string tmp = path + ".partial";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw std::runtime_error("GgufWriter: cannot create '" + tmp + "': " + std::strerror(errno));
  try {
    write([&](const uint8_t* p, size_t n) {
      if (n && std::fwrite(p, 1, n, f) != n) {
        throw std::runtime_error("GgufWriter: writing '" + tmp + "' failed: " + std::strerror(errno));
      }
    });
    if (std::fclose(f) != 0) {
      f = nullptr;
      throw std::runtime_error("GgufWriter: closing '" + tmp + "' failed: " + std::strerror(errno));
    }
    f = nullptr;
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
      throw std::runtime_error("GgufWriter: cannot rename '" + tmp + "' to '" + path + "': " + std::strerror(errno));
    }
  } catch (...) {
    if (f) std::fclose(f);
    std::remove(tmp.c_str());
    throw;
  }
}

}  // namespace lantern
