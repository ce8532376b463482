#include "backend/backend.h"

#include <stdexcept>

namespace lantern {

namespace {
[[noreturn]] void unsupported(const Backend& b, const char* op) {
  throw std::logic_error(b.name() + " backend: " + op + " is not supported (check supports_device_argmax())");
}
}  // namespace

void Backend::argmax(Act, int32_t, int32_t) { unsupported(*this, "argmax"); }
void Backend::get_rows_slot(Weight, int32_t, Act) { unsupported(*this, "get_rows_slot"); }
void Backend::token_read_begin(int32_t) { unsupported(*this, "token_read_begin"); }
int32_t Backend::token_read_poll(int32_t) { unsupported(*this, "token_read_poll"); }
void Backend::token_read_cancel(int32_t) { unsupported(*this, "token_read_cancel"); }

}  // namespace lantern
