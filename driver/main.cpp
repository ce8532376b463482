// lantern-rig: drives headless Chromium over the DevTools protocol to test
// Lantern in a real browser. Subcommands are dispatched through a small
// table; each lives with its own concept (run: scenarios/run_command.h).
#include <cstring>
#include <iostream>
#include <string>

#include "bench/bench_command.h"
#include "browser/live_browsers.h"
#include "report/version.h"
#include "scenarios/chat_command.h"
#include "scenarios/demo_command.h"
#include "scenarios/run_command.h"

namespace {

struct Subcommand {
  const char* name;
  const char* summary;
  int (*main)(int argc, char** argv);  // argv[0] is the subcommand's name
};

const Subcommand kSubcommands[] = {
    {"run", "run scenarios over the browser x flag-profile x suite matrix; write reports",
     lantern::rig::run_command},
    {"chat", "stream one completion through the web SDK in headless Chromium (--json: lantern-cli's shape)",
     lantern::rig::chat_command},
    {"demo", "serve the demo chat page and a model, chat once in headless Chromium, cold and warm loads",
     lantern::rig::demo_command},
    {"bench", "cold and warm loads, TTFT, prefill and decode tok/s, bytes served, peak memory (and peers)",
     lantern::rig::bench_command},
};

void print_usage(std::ostream& out) {
  out << "usage: lantern-rig <command> [options]\n"
         "       lantern-rig --version | --help\n"
         "\n"
         "Tests Lantern in headless Chromium (launched over the DevTools protocol).\n"
         "\n"
         "commands:\n";
  for (const auto& c : kSubcommands) out << "  " << c.name << "\t" << c.summary << "\n";
  out << "\nRun 'lantern-rig <command> --help' for a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  // Ctrl-C / SIGTERM kill every browser we started before the rig goes.
  lantern::rig::live_browsers::install_signal_cleanup();
  if (argc < 2) {
    print_usage(std::cerr);
    return 2;
  }
  std::string first = argv[1];
  if (first == "--help" || first == "-h" || first == "help") {
    print_usage(std::cout);
    return 0;
  }
  if (first == "--version") {
    std::cout << "lantern-rig " << lantern::rig::version() << "\n";
    return 0;
  }
  for (const auto& c : kSubcommands)
    if (first == c.name) {
      try {
        return c.main(argc - 1, argv + 1);
      } catch (const std::exception& e) {
        std::cerr << "lantern-rig " << c.name << ": " << e.what() << "\n";
        return 2;
      }
    }
  std::cerr << "lantern-rig: unknown command '" << first << "'\n\n";
  print_usage(std::cerr);
  return 2;
}
