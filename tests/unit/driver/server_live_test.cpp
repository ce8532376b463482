// The running server over real loopback sockets: status codes, headers,
// byte-exact ranges, conditional requests, HEAD, options, the byte log,
// traversal on the wire, and where it listens.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "scenarios/command_setup.h"
#include "scenarios/listening_sockets.h"
#include "server/http_server.h"
#include "unit/driver/server_test_util.h"

namespace lantern::rig {
namespace {

using test::http_get;
using test::http_request;
using test::HttpResponse;
using test::TempDir;
using test::TestHttpConnection;

constexpr uint64_t kDataSize = 100000;

class ServerLive : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.write("site/index.html", "<!doctype html><p>index</p>");
    tmp_.write("site/app.js", "export const x = 1;\n");
    tmp_.write("site/lantern.wasm", std::string("\0asm\1\0\0\0", 8));
    tmp_.write("site/noindex/a.txt", "a");
    tmp_.write("site/empty.bin", "");
    tmp_.write("models/data.bin", test::pattern_bytes(0, kDataSize));
    tmp_.write("secret.txt", "top secret");
  }

  HttpServer& start(HttpServerOptions options = {}) {
    options.mounts = {{"/", tmp_.path() / "site"}, {"/models/", tmp_.path() / "models"}};
    server_ = std::make_unique<HttpServer>(options);
    server_->start();
    return *server_;
  }
  uint16_t port() const { return server_->port(); }

  TempDir tmp_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ServerLive, ServesFilesWithTheRightHeaders) {
  start();
  EXPECT_TRUE(server_->running());
  EXPECT_GT(port(), 0);
  EXPECT_EQ(server_->base_url(), "http://127.0.0.1:" + std::to_string(port()));
  EXPECT_EQ(server_->url("/x.html"), server_->base_url() + "/x.html");

  HttpResponse r = http_get(port(), "/models/data.bin");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body_complete);
  EXPECT_EQ(r.body, test::pattern_bytes(0, kDataSize));
  EXPECT_EQ(r.header("content-length"), std::to_string(kDataSize));
  EXPECT_EQ(r.header("content-type"), "application/octet-stream");
  EXPECT_EQ(r.header("accept-ranges"), "bytes");
  EXPECT_EQ(r.header("cache-control"), "no-cache");
  EXPECT_FALSE(r.header("etag").empty());
  EXPECT_FALSE(r.header("last-modified").empty());
  EXPECT_FALSE(r.has("cross-origin-opener-policy"));
  EXPECT_FALSE(r.has("access-control-allow-origin"));

  EXPECT_EQ(http_get(port(), "/lantern.wasm").header("content-type"), "application/wasm");
  EXPECT_EQ(http_get(port(), "/app.js").header("content-type"), "text/javascript; charset=utf-8");
  HttpResponse index = http_get(port(), "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<!doctype html><p>index</p>");
  EXPECT_EQ(index.header("content-type"), "text/html; charset=utf-8");
  // The query string is not part of the file name.
  EXPECT_EQ(http_get(port(), "/app.js?v=123").status, 200);
}

TEST_F(ServerLive, RangesAreByteExact) {
  start();
  struct Case {
    std::string range;
    uint64_t first, last;
  } cases[] = {
      {"bytes=0-0", 0, 0},
      {"bytes=99999-99999", 99999, 99999},
      {"bytes=-1", 99999, 99999},
      {"bytes=1000-2999", 1000, 2999},
      {"bytes=50000-", 50000, 99999},
      {"bytes=-4096", 95904, 99999},
      {"bytes=99000-200000", 99000, 99999},  // clamped
  };
  for (const Case& c : cases) {
    HttpResponse r = http_get(port(), "/models/data.bin", {"Range: " + c.range});
    ASSERT_TRUE(r.ok) << c.range << ": " << r.error;
    EXPECT_EQ(r.status, 206) << c.range;
    uint64_t n = c.last - c.first + 1;
    EXPECT_EQ(r.header("content-length"), std::to_string(n)) << c.range;
    EXPECT_EQ(r.header("content-range"), "bytes " + std::to_string(c.first) + "-" +
                                             std::to_string(c.last) + "/" + std::to_string(kDataSize))
        << c.range;
    EXPECT_EQ(r.body, test::pattern_bytes(c.first, n)) << c.range;
  }
}

TEST_F(ServerLive, IgnoredRangesServeTheWholeFile) {
  start();
  for (std::string range : {"bytes=0-1,5-9", "bytes=9-1", "pages=0-1", "garbage"}) {
    HttpResponse r = http_get(port(), "/models/data.bin", {"Range: " + range});
    EXPECT_EQ(r.status, 200) << range;
    EXPECT_EQ(r.body.size(), kDataSize) << range;
    EXPECT_FALSE(r.has("content-range")) << range;
  }
}

TEST_F(ServerLive, UnsatisfiableRangeIs416) {
  start();
  for (std::string range : {"bytes=100000-", "bytes=200000-300000", "bytes=-0"}) {
    HttpResponse r = http_get(port(), "/models/data.bin", {"Range: " + range});
    EXPECT_EQ(r.status, 416) << range;
    EXPECT_EQ(r.header("content-range"), "bytes */100000") << range;
  }
  EXPECT_EQ(http_get(port(), "/empty.bin", {"Range: bytes=0-"}).status, 416);
  HttpResponse empty = http_get(port(), "/empty.bin");
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.header("content-length"), "0");
  EXPECT_TRUE(empty.body_complete);
}

TEST_F(ServerLive, IfRangeWithAStaleValidatorServesTheWholeFile) {
  start();
  std::string etag = http_get(port(), "/models/data.bin").header("etag");
  HttpResponse same = http_get(port(), "/models/data.bin", {"Range: bytes=0-9", "If-Range: " + etag});
  EXPECT_EQ(same.status, 206);
  HttpResponse stale =
      http_get(port(), "/models/data.bin", {"Range: bytes=0-9", "If-Range: \"stale\""});
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(stale.body.size(), kDataSize);
}

TEST_F(ServerLive, NotFoundAndNoListings) {
  start();
  EXPECT_EQ(http_get(port(), "/missing.html").status, 404);
  EXPECT_EQ(http_get(port(), "/noindex/").status, 404);
  EXPECT_EQ(http_get(port(), "/models/").status, 404);
  HttpResponse r = http_get(port(), "/missing.html");
  EXPECT_NE(r.body.find("404"), std::string::npos);
  EXPECT_EQ(r.header("content-length"), std::to_string(r.body.size()));
}

TEST_F(ServerLive, ConditionalRequestsGet304) {
  start();
  HttpResponse first = http_get(port(), "/models/data.bin");
  std::string etag = first.header("etag");
  ASSERT_FALSE(etag.empty());
  HttpResponse again = http_get(port(), "/models/data.bin", {"If-None-Match: " + etag});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.header("etag"), etag);
  EXPECT_EQ(http_get(port(), "/models/data.bin", {"If-None-Match: \"other\""}).status, 200);
  EXPECT_EQ(http_get(port(), "/models/data.bin",
                     {"If-Modified-Since: " + first.header("last-modified")})
                .status,
            304);
  // If-None-Match wins over If-Modified-Since.
  EXPECT_EQ(http_get(port(), "/models/data.bin",
                     {"If-None-Match: \"other\"", "If-Modified-Since: " + first.header("last-modified")})
                .status,
            200);

  // Changing the file changes the ETag.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  tmp_.write("models/data.bin", test::pattern_bytes(1, kDataSize));
  HttpResponse changed = http_get(port(), "/models/data.bin", {"If-None-Match: " + etag});
  EXPECT_EQ(changed.status, 200);
  EXPECT_NE(changed.header("etag"), etag);
  EXPECT_EQ(changed.body, test::pattern_bytes(1, kDataSize));
}

TEST_F(ServerLive, HeadSendsHeadersOnly) {
  start();
  TestHttpConnection c(port());
  HttpResponse head = c.request("HEAD", "/models/data.bin");
  ASSERT_TRUE(head.ok) << head.error;
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), std::to_string(kDataSize));
  EXPECT_EQ(head.header("content-type"), "application/octet-stream");
  EXPECT_EQ(head.body_bytes, 0u);
  // The connection is still usable: had a body been sent, it would be read
  // here as a bad status line.
  HttpResponse next = c.request("GET", "/app.js");
  ASSERT_TRUE(next.ok) << next.error;
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(next.body, "export const x = 1;\n");
  EXPECT_EQ(server_->bytes_served("/models/data.bin"), 0u);
}

TEST_F(ServerLive, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  TestHttpConnection c(port());
  for (int i = 0; i < 5; ++i) {
    HttpResponse r = c.request("GET", "/models/data.bin", {"Range: bytes=" + std::to_string(i * 10) + "-" +
                                                           std::to_string(i * 10 + 9)});
    ASSERT_TRUE(r.ok) << i << ": " << r.error;
    EXPECT_EQ(r.status, 206);
    EXPECT_EQ(r.body, test::pattern_bytes(i * 10, 10));
  }
  EXPECT_EQ(server_->bytes_served("/models/data.bin"), 50u);
}

TEST_F(ServerLive, OtherMethodsGet405AndTheConnectionCloses) {
  start();
  TestHttpConnection c(port());
  HttpResponse r = c.request("POST", "/app.js", {"Content-Length: 0"});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET, HEAD");
  EXPECT_TRUE(c.closed_by_peer(std::chrono::seconds(2)));
}

TEST_F(ServerLive, OptionalHeaders) {
  HttpServerOptions options;
  options.coop_coep = true;
  options.cors = true;
  options.cache_control = "max-age=60";
  start(options);
  for (std::string path : {"/", "/models/data.bin", "/missing"}) {
    HttpResponse r = http_get(port(), path);
    EXPECT_EQ(r.header("cross-origin-opener-policy"), "same-origin") << path;
    EXPECT_EQ(r.header("cross-origin-embedder-policy"), "require-corp") << path;
    EXPECT_EQ(r.header("access-control-allow-origin"), "*") << path;
    EXPECT_EQ(r.header("cache-control"), "max-age=60") << path;
  }
}

TEST_F(ServerLive, CacheControlCanBeOff) {
  HttpServerOptions options;
  options.cache_control = "";
  start(options);
  EXPECT_FALSE(http_get(port(), "/app.js").has("cache-control"));
}

TEST_F(ServerLive, TraversalOnTheWireNeverLeaksAFileOutsideTheMounts) {
  start();
  for (std::string target : {"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2e/secret.txt",
                             "/..%2fsecret.txt", "/%252e%252e/secret.txt", "/models/../../secret.txt",
                             "/models/%2e%2e/%2e%2e/secret.txt", "/..\\secret.txt", "/%5c..%5csecret.txt",
                             "/secret.txt%00.html", "//secret.txt", "/models/..%2f..%2fsecret.txt"}) {
    HttpResponse r;
    try {
      r = http_get(port(), target);
    } catch (const std::exception& e) {
      ADD_FAILURE() << target << ": " << e.what();
      continue;
    }
    // Refused, not found, or (if lws collapsed the dots itself) a file
    // that is really inside a mount; never the secret.
    EXPECT_EQ(r.body.find("top secret"), std::string::npos) << target;
    if (r.ok) {
      EXPECT_TRUE(r.status == 400 || r.status == 403 || r.status == 404) << target << " → " << r.status;
    }
  }
  std::filesystem::create_symlink(tmp_.path() / "secret.txt", tmp_.path() / "site/link.txt");
  HttpResponse link = http_get(port(), "/link.txt");
  EXPECT_EQ(link.status, 403);
  EXPECT_EQ(link.body.find("top secret"), std::string::npos);
}

TEST_F(ServerLive, ByteLogCountsBodyBytesPerPathAndPerRequest) {
  start();
  http_get(port(), "/models/data.bin");
  http_get(port(), "/models/data.bin", {"Range: bytes=0-99"});
  http_request(port(), "HEAD", "/models/data.bin");
  // A non-matching validator: the full body again (app.js's ETag, fetched first).
  http_get(port(), "/models/data.bin", {"If-None-Match: " + http_get(port(), "/app.js").header("etag")});

  EXPECT_EQ(server_->bytes_served("/models/data.bin"), kDataSize + 100 + kDataSize);
  EXPECT_EQ(server_->bytes_served("/app.js"), 20u);
  EXPECT_EQ(server_->bytes_served("/never"), 0u);
  ASSERT_TRUE(server_->wait_idle());
  ByteLogSnapshot s = server_->byte_log();
  EXPECT_EQ(s.total_bytes, 2 * kDataSize + 100 + 20);
  EXPECT_EQ(s.bytes_by_path.at("/models/data.bin"), 2 * kDataSize + 100);
  ASSERT_EQ(s.requests.size(), 5u);
  EXPECT_EQ(s.requests[0].method, "GET");
  EXPECT_EQ(s.requests[0].status, 200);
  EXPECT_EQ(s.requests[0].body_bytes, kDataSize);
  EXPECT_TRUE(s.requests[0].completed);
  EXPECT_LE(s.requests[0].start, s.requests[0].end);
  EXPECT_EQ(s.requests[1].range, "bytes=0-99");
  EXPECT_EQ(s.requests[1].status, 206);
  EXPECT_EQ(s.requests[1].body_bytes, 100u);
  EXPECT_EQ(s.requests[2].method, "HEAD");
  EXPECT_EQ(s.requests[2].body_bytes, 0u);

  server_->reset_byte_log();
  EXPECT_EQ(server_->total_bytes_served(), 0u);
  EXPECT_EQ(server_->bytes_served("/models/data.bin"), 0u);
  EXPECT_TRUE(server_->byte_log().requests.empty());
  http_get(port(), "/models/data.bin", {"Range: bytes=-10"});
  EXPECT_EQ(server_->total_bytes_served(), 10u);
}

TEST_F(ServerLive, MountsCanBeAddedWhileRunning) {
  start();
  TempDir extra;
  extra.write("late.txt", "late");
  EXPECT_EQ(http_get(port(), "/late/late.txt").status, 404);
  server_->add_mount({"/late/", extra.path()});
  HttpResponse r = http_get(port(), "/late/late.txt");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "late");
}

TEST_F(ServerLive, ListensOnLoopbackOnly) {
  start();
  // From /proc/net/tcp and tcp6: exactly one listening socket, on 127.0.0.1.
  EXPECT_EQ(lantern::rig::listening_addresses(port()), std::vector<std::string>{"127.0.0.1"});
}

TEST_F(ServerLive, StartFailsClearlyWhenThePortIsTaken) {
  start();
  HttpServerOptions options;
  options.port = port();
  options.mounts = {{"/", tmp_.path() / "site"}};
  HttpServer second(options);
  try {
    second.start();
    FAIL() << "a second server bound the same port";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(port())), std::string::npos) << e.what();
  }
  EXPECT_FALSE(second.running());
}

TEST_F(ServerLive, BadConfigurationThrows) {
  HttpServerOptions options;
  EXPECT_THROW(HttpServer(options).start(), std::runtime_error);  // no mounts
  options.mounts = {{"/", tmp_.path() / "nope"}};
  EXPECT_THROW(HttpServer{options}, std::invalid_argument);
}

TEST_F(ServerLive, StopIsPromptAndIdempotentEvenWithAnIdleConnectionOpen) {
  start();
  TestHttpConnection idle(port());
  ASSERT_EQ(idle.request("GET", "/app.js").status, 200);
  auto t0 = std::chrono::steady_clock::now();
  server_->stop();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(secs, 1.0);
  EXPECT_FALSE(server_->running());
  EXPECT_EQ(server_->port(), 0);
  server_->stop();
  EXPECT_TRUE(idle.closed_by_peer(std::chrono::seconds(2)));
  // And it can be started again.
  server_->start();
  EXPECT_EQ(http_get(server_->port(), "/app.js").status, 200);
}

// `lantern-rig chat/demo/bench --model ~/x.gguf` serves the model from the
// rig's server: the file alone, never the folder it sits in (a home
// directory, say), in any spelling of another path.
TEST(ServedModel, OnlyTheNamedFileIsServedNotItsFolder) {
  TempDir home;
  const auto model = home.write("model.gguf", test::pattern_bytes(0, 5000));
  home.write(".ssh/id_rsa", "PRIVATE KEY");
  home.write("notes.txt", "private notes");
  home.write("sub/index.html", "<p>index</p>");
  home.write("elsewhere/real.gguf", "real model bytes");
  home.write("elsewhere/neighbour.txt", "neighbour");
  std::filesystem::create_symlink(home.path() / "elsewhere/real.gguf", home.path() / "link.gguf");

  const ServedModel served = serve_model(model.string());
  EXPECT_EQ("/models/model.gguf", served.url);
  HttpServerOptions options;
  options.mounts = served.mounts;
  HttpServer server(options);
  server.start();
  const HttpResponse ok = http_get(server.port(), served.url);
  EXPECT_EQ(200, ok.status);
  EXPECT_EQ(test::pattern_bytes(0, 5000), ok.body);
  for (const char* path : {"/models/.ssh/id_rsa", "/models/notes.txt", "/models/", "/models", "/models/sub/",
                           "/models/sub/index.html", "/models/model.gguf/", "/models/link.gguf",
                           "/models/elsewhere/real.gguf", "/models/%2essh/id_rsa", "/models/model.gguf/../notes.txt"}) {
    const HttpResponse r = http_get(server.port(), path);
    EXPECT_TRUE(r.status == 404 || r.status == 403) << path << " answered " << r.status;
    EXPECT_EQ(std::string::npos, r.body.find("PRIVATE")) << path;
    EXPECT_EQ(std::string::npos, r.body.find("private notes")) << path;
  }
  EXPECT_EQ(404, http_get(server.port(), "/models/.ssh/id_rsa").status);

  // A symlinked model is served under its target's name, and the target's
  // folder stays closed too.
  const ServedModel linked = serve_model((home.path() / "link.gguf").string());
  EXPECT_EQ("/models/real.gguf", linked.url);
  for (const Mount& m : linked.mounts) server.add_mount(m);
  EXPECT_EQ("real model bytes", http_get(server.port(), linked.url).body);
  EXPECT_EQ(404, http_get(server.port(), "/models/neighbour.txt").status);
  EXPECT_EQ(404, http_get(server.port(), "/models/model.gguf").status);  // the mount was replaced
}

}  // namespace
}  // namespace lantern::rig
