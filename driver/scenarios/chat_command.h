// `lantern-rig chat`: one completion streamed through the web SDK in headless
// Chromium (DESIGN.md's contract), printed as it arrives; with --json, one
// object in lantern-cli's shape plus backend, adapter and chunk count, so a
// browser run can be compared token by token with the native CLI.
#pragma once

namespace lantern::rig {

int chat_command(int argc, char** argv);

}  // namespace lantern::rig
