// Test helpers for the rig's HTTP server tests: a tiny blocking HTTP/1.1
// client on POSIX sockets (so the tests see exactly the bytes on the wire,
// with no client library normalising them) and a temporary directory.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lantern::rig::test {

struct HttpResponse {
  bool ok = false;            // a status line and headers arrived
  std::string error;          // why not, or why the body is short
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;           // empty when a sink consumed it
  uint64_t body_bytes = 0;    // body bytes received
  bool body_complete = false; // all Content-Length bytes arrived
  bool peer_closed = false;   // the server closed the connection
  double seconds_to_headers = 0;
  double seconds_total = 0;

  bool has(const std::string& name) const { return headers.count(name) != 0; }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

using BodySink = std::function<void(const char*, size_t)>;

class TestHttpConnection {
 public:
  explicit TestHttpConnection(uint16_t port,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    timeval tv{};
    tv.tv_sec = static_cast<long>(timeout.count() / 1000);
    tv.tv_usec = static_cast<long>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      std::string msg = std::string("connect() failed: ") + std::strerror(errno);
      ::close(fd_);
      fd_ = -1;
      throw std::runtime_error(msg);
    }
  }
  ~TestHttpConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  TestHttpConnection(const TestHttpConnection&) = delete;
  TestHttpConnection& operator=(const TestHttpConnection&) = delete;

  bool send_all(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Sends one request and reads one response (the connection stays usable
  // unless the server closed it).
  HttpResponse request(const std::string& method, const std::string& target,
                       const std::vector<std::string>& extra_headers = {}, BodySink sink = {}) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const std::string& h : extra_headers) req += h + "\r\n";
    req += "\r\n";
    auto t0 = std::chrono::steady_clock::now();
    if (!send_all(req)) {
      HttpResponse r;
      r.error = "send failed";
      return r;
    }
    return read_response(method == "HEAD", t0, std::move(sink));
  }

  HttpResponse read_response(bool head_request, std::chrono::steady_clock::time_point t0,
                             BodySink sink = {}) {
    HttpResponse r;
    auto secs = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    size_t header_end;
    while ((header_end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) {
        r.error = "connection ended before the headers";
        r.peer_closed = true;
        return r;
      }
    }
    r.seconds_to_headers = secs();
    std::string head = pending_.substr(0, header_end);
    pending_.erase(0, header_end + 4);
    if (!parse_head(head, r)) return r;

    bool bodyless = head_request || r.status == 304 || r.status == 204 || r.status / 100 == 1;
    uint64_t expected = 0;
    bool has_length = r.has("content-length");
    if (has_length) expected = std::stoull(r.header("content-length"));
    if (bodyless) expected = 0;
    bool to_eof = !bodyless && !has_length;

    auto consume = [&](size_t n) {
      if (sink) {
        sink(pending_.data(), n);
      } else {
        r.body.append(pending_, 0, n);
      }
      r.body_bytes += n;
      pending_.erase(0, n);
    };
    while (to_eof || r.body_bytes < expected) {
      if (pending_.empty() && !fill()) {
        r.peer_closed = true;
        break;
      }
      size_t n = to_eof ? pending_.size()
                        : static_cast<size_t>(std::min<uint64_t>(pending_.size(), expected - r.body_bytes));
      consume(n);
    }
    r.body_complete = to_eof ? r.peer_closed : r.body_bytes == expected;
    if (!r.body_complete) r.error = "body shorter than Content-Length";
    r.seconds_total = secs();
    return r;
  }

  // True when the server has closed the connection (reads EOF), waiting up
  // to `wait`.
  bool closed_by_peer(std::chrono::milliseconds wait) {
    timeval tv{};
    tv.tv_sec = static_cast<long>(wait.count() / 1000);
    tv.tv_usec = static_cast<long>((wait.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  bool fill() {
    char buf[256 * 1024];
    while (true) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      pending_.append(buf, static_cast<size_t>(n));
      return true;
    }
  }

  static bool parse_head(const std::string& head, HttpResponse& r) {
    size_t eol = head.find("\r\n");
    std::string status_line = head.substr(0, eol);
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) {
      r.error = "bad status line: " + status_line;
      return false;
    }
    r.status = std::atoi(status_line.c_str() + 9);
    size_t pos = eol == std::string::npos ? head.size() : eol + 2;
    while (pos < head.size()) {
      size_t next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      std::string line = head.substr(pos, next - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t v = line.find_first_not_of(" \t", colon + 1);
        r.headers[name] = v == std::string::npos ? "" : line.substr(v);
      }
      pos = next + 2;
    }
    r.ok = true;
    return true;
  }

  int fd_ = -1;
  std::string pending_;
};

inline HttpResponse http_request(uint16_t port, const std::string& method, const std::string& target,
                                 const std::vector<std::string>& headers = {}, BodySink sink = {}) {
  TestHttpConnection c(port);
  return c.request(method, target, headers, std::move(sink));
}

inline HttpResponse http_get(uint16_t port, const std::string& target,
                             const std::vector<std::string>& headers = {}) {
  return http_request(port, "GET", target, headers);
}

// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    auto base = std::filesystem::temp_directory_path();
    for (int i = 0; i < 100; ++i) {
      auto p = base / ("lantern-srv-test-" + std::to_string(rd()));
      std::error_code ec;
      if (std::filesystem::create_directory(p, ec)) {
        path_ = p;
        return;
      }
    }
    throw std::runtime_error("cannot create a temp dir");
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

  std::filesystem::path write(const std::string& rel, const std::string& content) const {
    auto p = path_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

 private:
  std::filesystem::path path_;
};

// Deterministic bytes whose value depends on the offset, so any misplaced
// range shows up.
inline char pattern_byte(uint64_t offset) {
  return static_cast<char>((offset * 2654435761u) >> 13);
}

inline std::string pattern_bytes(uint64_t first, uint64_t n) {
  std::string s(n, '\0');
  for (uint64_t i = 0; i < n; ++i) s[i] = pattern_byte(first + i);
  return s;
}

}  // namespace lantern::rig::test
