// The rig's version string, printed by --version and written into reports.
namespace lantern::rig {
const char* version() { return "0.1.0"; }
}  // namespace lantern::rig
