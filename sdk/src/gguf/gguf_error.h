// The one exception type the GGUF reader throws: a code a caller can branch on
// (NeedMoreData means "feed more bytes and parse again") and a message that
// names the problem and where in the file it is.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace lantern {

enum class GgufErrorCode {
  Io,             // the file could not be opened or mapped
  Truncated,      // the file ends before a structure it declares
  NeedMoreData,   // a download prefix does not reach the bytes needed yet
  BadMagic,       // not a GGUF file
  BadVersion,     // a GGUF version other than 2 or 3
  BadValueType,   // a metadata value type GGUF does not define
  InvalidUtf8,    // a metadata key or string is not valid UTF-8
  TooLarge,       // a count, length or dimension beyond sane limits
  UnknownTensorType,
  BadTensor,      // bad shape, offset past the end, overlap, misalignment
  DuplicateKey,   // the same metadata key or tensor name twice
  WrongType,      // a metadata value read as a type it does not have
  MissingKey,
};

class GgufError : public std::runtime_error {
 public:
  GgufError(GgufErrorCode code, const std::string& message, uint64_t needed = 0)
      : std::runtime_error(message), code_(code), needed_(needed) {}
  GgufErrorCode code() const { return code_; }
  // For NeedMoreData: how many bytes from the start of the file are needed.
  uint64_t bytes_needed() const { return needed_; }

 private:
  GgufErrorCode code_;
  uint64_t needed_;
};

}  // namespace lantern
