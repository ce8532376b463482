// The browser has no file system to map: models arrive over the network as
// bytes (MemorySource, PrefixSource).
#include "gguf/byte_source.h"
#include "gguf/gguf_error.h"

namespace lantern {

std::unique_ptr<ByteSource> open_file_source(const std::string& path) {
  throw GgufError(GgufErrorCode::Io, "cannot open " + path + ": files are not available in the browser build");
}

}  // namespace lantern
