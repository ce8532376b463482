#include "browser/browser.h"

#include "cdp/browser_domain.h"
#include "cdp/lws_transport.h"

namespace lantern::rig {

std::unique_ptr<Browser> Browser::launch(const LaunchOptions& launch, const BrowserConnectOptions& connect) {
  std::unique_ptr<Browser> b(new Browser());
  b->process_ = BrowserProcess::launch(launch);
  try {
    LwsTransportOptions t;
    t.host = b->process_->endpoint().host;
    t.port = b->process_->endpoint().port;
    t.path = b->process_->endpoint().path;
    t.connect_timeout = connect.connect_timeout;
    b->connection_ = std::make_unique<CdpConnection>(LwsTransport::connect(t), connect.cdp);
  } catch (const std::exception& e) {
    std::string tail = b->process_->stderr_tail();
    b->process_->terminate(std::chrono::milliseconds(1000));
    throw BrowserLaunchError(std::string("cannot connect to the browser's DevTools: ") + e.what(), tail);
  }
  return b;
}

Browser::~Browser() { close(std::chrono::milliseconds(2000)); }

bool Browser::close(std::chrono::milliseconds grace) {
  if (closed_) return clean_;
  closed_ = true;
  if (!process_) return false;  // launch failed before a process existed
  if (connection_ && !connection_->is_closed() && process_->running()) {
    try {
      cdp::browser::close(*connection_, grace);
      clean_ = process_->wait_for_exit(grace);
    } catch (const std::exception&) {
      clean_ = false;  // timed out or refused: fall through to signals
    }
  }
  if (connection_) connection_->close();
  process_->terminate(std::chrono::milliseconds(2000));
  return clean_;
}

void Browser::kill() {
  if (process_) process_->kill_now();
}

}  // namespace lantern::rig
