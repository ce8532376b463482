// Request path validation (url_path.h) and mount resolution (MountTable):
// traversal in every spelling is refused, symlinks cannot leave a mount,
// directories serve index.html only.
#include <gtest/gtest.h>

#include <filesystem>

#include "server/mount_table.h"
#include "server/url_path.h"
#include "unit/driver/server_test_util.h"

namespace lantern::rig {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

TEST(ServerPath, PercentDecode) {
  EXPECT_EQ(percent_decode("/a%20b"), "/a b");
  EXPECT_EQ(percent_decode("%2e%2E"), "..");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("%41%7a"), "Az");
  EXPECT_FALSE(percent_decode("%"));
  EXPECT_FALSE(percent_decode("%4"));
  EXPECT_FALSE(percent_decode("abc%"));
  EXPECT_FALSE(percent_decode("%zz"));
  EXPECT_FALSE(percent_decode("%g0"));
}

TEST(ServerPath, PlainPathsAreAccepted) {
  PathCheck c = check_request_target("/models/tiny.gguf?x=1");
  ASSERT_TRUE(c.ok) << c.reason;
  EXPECT_EQ(c.segments, (std::vector<std::string>{"models", "tiny.gguf"}));
  EXPECT_FALSE(c.trailing_slash);
  EXPECT_EQ(c.normalized, "/models/tiny.gguf");

  c = check_request_target("/web/");
  ASSERT_TRUE(c.ok);
  EXPECT_TRUE(c.trailing_slash);
  EXPECT_EQ(c.normalized, "/web/");

  c = check_request_target("/");
  ASSERT_TRUE(c.ok);
  EXPECT_TRUE(c.segments.empty());
  EXPECT_TRUE(c.trailing_slash);

  c = check_request_target("/a%20file.txt");
  ASSERT_TRUE(c.ok);
  EXPECT_EQ(c.segments.back(), "a file.txt");
  // Dots inside names are fine; only whole "." / ".." segments are not.
  EXPECT_TRUE(check_request_target("/a..b/...").ok);
  EXPECT_TRUE(check_request_target("/.hidden").ok);
}

TEST(ServerPath, TraversalInEverySpellingIsRefused) {
  for (std::string_view t : {
           "/..", "/../etc/passwd", "/a/../../etc/passwd", "/a/..", "/a/./b", "/.",
           "/%2e%2e/etc/passwd",        // encoded dots
           "/%2E%2e/",                   // mixed case
           "/%2e./x", "/.%2e/x",         // half encoded
           "/..%2fetc%2fpasswd",         // encoded slash
           "/a%2F..%2F..%2Fb",           // encoded slashes around ..
           "/%252e%252e/etc/passwd",     // double-encoded: '%' left after decoding
           "/%252e%252e%252f",           // double-encoded slash
           "/..\\etc\\passwd", "/a\\b",  // backslashes
           "/..%5cetc", "/%5c",          // encoded backslash
           "/a%00.html", "/%00",         // encoded NUL
           "//etc/passwd", "/a//b",      // empty segments (an absolute path inside)
           "etc/passwd", "", "http://127.0.0.1/x", "*",  // not origin-form
           "/a%0ab", "/a%7fb",           // control characters
           "/%", "/%zz", "/a%2",         // malformed escapes
       }) {
    PathCheck c = check_request_target(t);
    EXPECT_FALSE(c.ok) << "accepted: '" << t << "'";
    EXPECT_FALSE(c.reason.empty()) << t;
    EXPECT_TRUE(c.segments.empty()) << t;
  }
  // A raw NUL byte in the middle.
  EXPECT_FALSE(check_request_target(std::string_view("/a\0b", 4)).ok);
  EXPECT_FALSE(check_decoded_path(std::string_view("/a\0/../b", 8)).ok);
}

TEST(ServerPath, DecodedPathsAreNotDecodedAgain) {
  // lws hands the callback a decoded path: a '%' in it means the client
  // encoded twice, so it is refused rather than decoded a second time.
  EXPECT_FALSE(check_decoded_path("/%2e%2e/x").ok);
  EXPECT_FALSE(check_decoded_path("/../x").ok);
  EXPECT_FALSE(check_decoded_path("/a\\..\\b").ok);
  EXPECT_FALSE(check_decoded_path("relative").ok);
  EXPECT_TRUE(check_decoded_path("/a b/c").ok);
}

TEST(ServerPath, OverlongPathsAreRefused) {
  std::string p = "/" + std::string(kMaxUrlPathLength, 'a');
  EXPECT_FALSE(check_request_target(p).ok);
  EXPECT_FALSE(check_decoded_path(p).ok);
}

class ServerMounts : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.write("site/index.html", "root index");
    tmp_.write("site/page.html", "page");
    tmp_.write("site/sub/index.html", "sub index");
    tmp_.write("site/noindex/file.txt", "x");
    tmp_.write("models/m.gguf", "GGUF");
    tmp_.write("secret.txt", "secret");
    mounts_.add({"/", tmp_.path() / "site"});
    mounts_.add({"/models", tmp_.path() / "models"});  // trailing '/' added
  }
  TempDir tmp_;
  MountTable mounts_;
};

TEST_F(ServerMounts, ResolvesFilesAndIndexes) {
  ResolvedPath r = mounts_.resolve("/page.html");
  ASSERT_EQ(r.status, 200) << r.reason;
  EXPECT_EQ(r.file, fs::canonical(tmp_.path() / "site/page.html"));

  EXPECT_EQ(mounts_.resolve("/").file, fs::canonical(tmp_.path() / "site/index.html"));
  EXPECT_EQ(mounts_.resolve("/sub/").file, fs::canonical(tmp_.path() / "site/sub/index.html"));
  EXPECT_EQ(mounts_.resolve("/sub").file, fs::canonical(tmp_.path() / "site/sub/index.html"));
  // The longer prefix wins over "/".
  EXPECT_EQ(mounts_.resolve("/models/m.gguf").file, fs::canonical(tmp_.path() / "models/m.gguf"));
}

TEST_F(ServerMounts, NoDirectoryListingsAndNoMissingFiles) {
  EXPECT_EQ(mounts_.resolve("/noindex/").status, 404);
  EXPECT_EQ(mounts_.resolve("/noindex").status, 404);
  EXPECT_EQ(mounts_.resolve("/models/").status, 404);  // a mount root without index
  EXPECT_EQ(mounts_.resolve("/missing.html").status, 404);
  EXPECT_EQ(mounts_.resolve("/page.html/").status, 404);  // a file is not a directory
  // "/modelsX" is not under "/models/": it falls to "/" and is missing there.
  EXPECT_EQ(mounts_.resolve("/modelsX/m.gguf").status, 404);
}

TEST_F(ServerMounts, TraversalIsRefused) {
  EXPECT_EQ(mounts_.resolve("/../secret.txt").status, 403);
  EXPECT_EQ(mounts_.resolve("/models/../secret.txt").status, 403);
  EXPECT_EQ(mounts_.resolve("/models/..").status, 403);
  EXPECT_EQ(mounts_.resolve("//secret.txt").status, 403);
  EXPECT_EQ(mounts_.resolve((tmp_.path() / "secret.txt").string() + "/").status, 404);
  EXPECT_EQ(mounts_.resolve("\\secret.txt").status, 403);
}

TEST_F(ServerMounts, AbsolutePathsStayInsideTheMount) {
  // "/<tmp>/secret.txt" names <site>/<tmp>/secret.txt, never the real file.
  ResolvedPath r = mounts_.resolve((tmp_.path() / "secret.txt").string());
  EXPECT_EQ(r.status, 404);
}

TEST_F(ServerMounts, SymlinksMustStayInsideTheirMount) {
  fs::create_symlink(tmp_.path() / "secret.txt", tmp_.path() / "site/escape.txt");
  fs::create_directory_symlink(tmp_.path(), tmp_.path() / "site/up");
  fs::create_symlink("page.html", tmp_.path() / "site/alias.html");
  fs::create_symlink("../models/m.gguf", tmp_.path() / "site/other-mount.gguf");

  EXPECT_EQ(mounts_.resolve("/escape.txt").status, 403);
  EXPECT_EQ(mounts_.resolve("/up/secret.txt").status, 403);
  EXPECT_EQ(mounts_.resolve("/up/").status, 403);
  // Pointing into another mount is still leaving this one.
  EXPECT_EQ(mounts_.resolve("/other-mount.gguf").status, 403);
  // A link that stays inside is served.
  ResolvedPath ok = mounts_.resolve("/alias.html");
  ASSERT_EQ(ok.status, 200) << ok.reason;
  EXPECT_EQ(ok.file, fs::canonical(tmp_.path() / "site/page.html"));
}

TEST_F(ServerMounts, IndexThatIsASymlinkOutsideIsRefused) {
  fs::create_directory(tmp_.path() / "site/trap");
  fs::create_symlink(tmp_.path() / "secret.txt", tmp_.path() / "site/trap/index.html");
  EXPECT_EQ(mounts_.resolve("/trap/").status, 403);
}

TEST_F(ServerMounts, NothingOutsideAnyMount) {
  MountTable only_models;
  only_models.add({"/models/", tmp_.path() / "models"});
  EXPECT_EQ(only_models.resolve("/page.html").status, 404);
  EXPECT_EQ(only_models.resolve("/").status, 404);
  EXPECT_EQ(only_models.resolve("/models/m.gguf").status, 200);
}

TEST_F(ServerMounts, BadMountsThrow) {
  EXPECT_THROW(mounts_.add({"models/", tmp_.path()}), std::invalid_argument);
  EXPECT_THROW(mounts_.add({"/a/../b/", tmp_.path()}), std::invalid_argument);
  EXPECT_THROW(mounts_.add({"/x/", tmp_.path() / "does-not-exist"}), std::invalid_argument);
  EXPECT_THROW(mounts_.add({"/x/", tmp_.path() / "secret.txt"}), std::invalid_argument);
}

TEST_F(ServerMounts, RemountingAPrefixReplacesIt) {
  tmp_.write("models2/m.gguf", "OTHER");
  mounts_.add({"/models/", tmp_.path() / "models2"});
  EXPECT_EQ(mounts_.size(), 2u);
  EXPECT_EQ(mounts_.resolve("/models/m.gguf").file, fs::canonical(tmp_.path() / "models2/m.gguf"));
}

}  // namespace
}  // namespace lantern::rig
