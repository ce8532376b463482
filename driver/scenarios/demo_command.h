// `lantern-rig demo`: serves the demo chat page (web/demo) and a model, runs
// one scripted chat in headless Chromium, printing the answer as it streams,
// then loads again in a new browser process on the same profile and prints
// the cold and warm load times and the model bytes each load fetched.
#pragma once

namespace lantern::rig {

int demo_command(int argc, char** argv);

}  // namespace lantern::rig
