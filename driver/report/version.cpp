// The rig's version string, printed by --version and written into reports.
#include "report/version.h"

namespace lantern::rig {
const char* version() { return "0.1.0"; }
}  // namespace lantern::rig
