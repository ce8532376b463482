// open_file_source (the native memory map) on files that are not what they
// seem: a FIFO given as the model, and a model file truncated while an engine
// has it mapped.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <string>

#include "engine/completion_run.h"
#include "engine/engine.h"
#include "gguf/byte_source.h"
#include "gguf/gguf_error.h"
#include "support/test_paths.h"

namespace lantern {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string temp_path(const std::string& name) {
  const std::string p = ::testing::TempDir() + "/" + name + "-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove(p, ec);
  return p;
}

// Reading a FIFO's open() waits for a writer: the model open must refuse it
// at once instead, naming the path.
TEST(FileSource, FifoIsRefusedAtOnceNamingThePath) {
  const std::string path = temp_path("model-fifo.gguf");
  ASSERT_EQ(0, ::mkfifo(path.c_str(), 0600)) << std::strerror(errno);
  auto opened = std::async(std::launch::async, [&]() -> std::string {
    try {
      open_file_source(path);
      return "opened";
    } catch (const GgufError& e) {
      return e.what();
    }
  });
  if (opened.wait_for(5s) != std::future_status::ready) {
    // Unblock the stuck open() so the test can end, then fail.
    const int w = ::open(path.c_str(), O_WRONLY | O_NONBLOCK);
    if (w >= 0) ::close(w);
    opened.wait();
    ::unlink(path.c_str());
    FAIL() << "open_file_source() on a FIFO was still waiting for a writer after 5 s";
  }
  const std::string error = opened.get();
  ::unlink(path.c_str());
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find("FIFO"), std::string::npos) << error;
  EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;
}

TEST(FileSource, DirectoryIsRefusedNamingThePath) {
  const std::string dir = ::testing::TempDir();
  try {
    open_file_source(dir);
    FAIL() << "a directory was opened as a model";
  } catch (const GgufError& e) {
    EXPECT_NE(std::string(e.what()).find("directory"), std::string::npos) << e.what();
  }
}

// A model file cut short while an engine has it mapped: the next request
// fails with an error naming the file, where touching the vanished pages
// used to kill the process with SIGBUS. Run in a child process (a death
// test), so that the crash, if it comes back, fails this test alone.
TEST(FileSourceDeathTest, ModelFileTruncatedWhileMappedIsAnErrorNotSigbus) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::string path = temp_path("shrinking-stories260K.gguf");
  fs::copy_file(test::stories260k(), path, fs::copy_options::overwrite_existing);
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  const auto original_size = fs::file_size(path);
  // Runs in the child: exits 0 when the request failed with the right error.
  auto truncate_while_mapped = [&] {
    EngineOptions o;
    o.n_ctx = 64;
    o.n_threads = 2;
    auto engine = Engine::load_file(path, o);
    // Keep the header pages, drop (nearly) all tensor data.
    if (::truncate(path.c_str(), 16384) != 0) _exit(10);
    api::IdGenerator ids{1};
    const nlohmann::ordered_json body = {{"prompt", "Once upon a time"}, {"max_tokens", 8}, {"temperature", 0}};
    try {
      auto run = CompletionRun::start(*engine, CompletionRun::Kind::Completion, body, ids);
      if (!run) _exit(11);
      for (int i = 0; i < 1000 && !run.value()->done(); ++i) run.value()->step();
    } catch (const GgufError& e) {
      const std::string m = e.what();
      _exit(m.find(path) != std::string::npos && m.find("shrank") != std::string::npos ? 0 : 12);
    }
    _exit(13);  // the request answered from a file that is gone
  };
  EXPECT_EXIT(truncate_while_mapped(), ::testing::ExitedWithCode(0), "");
  EXPECT_GT(original_size, 16384u);
  fs::remove(path);
}

// The mechanism under the test above, at the source: touching a mapped page
// past the new end reads zeros instead of raising SIGBUS, and check_intact()
// then says why the bytes cannot be trusted. A file that grew is still intact.
TEST(FileSourceDeathTest, PagesPastTheNewEndReadAsZerosAndCheckIntactSaysSo) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::string path = temp_path("shrinking.bin");
  auto child = [&] {
    {
      std::string bytes(256 * 1024, '\xab');
      FILE* f = std::fopen(path.c_str(), "wb");
      if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0) _exit(10);
    }
    auto src = open_file_source(path);
    if (::truncate(path.c_str(), 300 * 1024) != 0) _exit(11);  // grown: fine
    try {
      src->check_intact();
    } catch (const GgufError&) {
      _exit(12);
    }
    if (::truncate(path.c_str(), 4096) != 0) _exit(13);
    const volatile uint8_t far = src->data()[200000];  // SIGBUS before
    uint8_t buf[16];
    src->read(100000, buf, sizeof buf);
    if (far != 0 || buf[0] != 0 || buf[15] != 0) _exit(14);
    try {
      src->check_intact();
    } catch (const GgufError& e) {
      const std::string m = e.what();
      _exit(m.find(path) != std::string::npos && m.find("shrank") != std::string::npos &&
                    m.find("4096 bytes now") != std::string::npos && m.find("read as zeros") != std::string::npos
                ? 0
                : 15);
    }
    _exit(16);
  };
  EXPECT_EXIT(child(), ::testing::ExitedWithCode(0), "");
  ::unlink(path.c_str());
}

}  // namespace
}  // namespace lantern
