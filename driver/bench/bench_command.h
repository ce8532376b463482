// `lantern-rig bench`: cold and warm loads, TTFT, prefill and decode speed,
// bytes served and peak memory of Lantern in headless Chromium, per model and
// throttle profile, with optional peers (wllama, native llama.cpp) on the
// same file. Options: bench_options.h; one load: load_runs.h; numbers:
// bench_summary.h; output: bench_report.h, bench_plots.h.
#pragma once

namespace lantern::rig {

int bench_command(int argc, char** argv);

}  // namespace lantern::rig
