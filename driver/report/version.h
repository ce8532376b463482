// The rig's version string, printed by --version and written into reports.
#pragma once

namespace lantern::rig {
const char* version();
}  // namespace lantern::rig
