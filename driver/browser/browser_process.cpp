#include "browser/browser_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <cstring>
#include <filesystem>
#include <thread>

#include "browser/live_browsers.h"

namespace bp = boost::process;

namespace lantern::rig {
namespace {

using Clock = std::chrono::steady_clock;

std::string signal_name(int sig) {
  const char* name = ::sigabbrev_np(sig);
  return name ? std::string("SIG") + name : "signal " + std::to_string(sig);
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + signal_name(WTERMSIG(status)) + ")";
  return "ended (wait status " + std::to_string(status) + ")";
}

}  // namespace

std::unique_ptr<BrowserProcess> BrowserProcess::launch(const LaunchOptions& options) {
  if (int sig = live_browsers::interrupted())
    throw BrowserLaunchError("not launching a browser: the rig is shutting down after " + signal_name(sig), "");
  if (options.executable.empty()) throw BrowserLaunchError("no browser executable given", "");

  std::unique_ptr<BrowserProcess> proc(new BrowserProcess());
  proc->profile_.emplace(options.kept_profile_dir.empty() ? UserDataDir::fresh()
                                                          : UserDataDir::kept(options.kept_profile_dir));
  proc->user_data_dir_ = proc->profile_->path();
  // A kept profile still holds the previous run's port file: it must not be
  // mistaken for this run's endpoint.
  std::error_code ec;
  std::filesystem::remove(proc->user_data_dir_ + "/DevToolsActivePort", ec);

  std::vector<std::string> args = chromium_args({options.profile, proc->user_data_dir_, options.extra_flags});
  proc->argv_ = {options.executable};
  proc->argv_.insert(proc->argv_.end(), args.begin(), args.end());

  bp::environment env = boost::this_process::environment();
  for (const auto& [k, v] : options.extra_env) env[k] = v;

  const pid_t parent = ::getpid();
  bp::pipe err_pipe;
  bp::child child;
  try {
    child = bp::child(
        bp::exe = options.executable, bp::args = args, bp::std_in < bp::null, bp::std_out > bp::null,
        bp::std_err > err_pipe, bp::env = env,
        bp::extend::on_exec_setup = [parent](auto&) {
          // In the child, between fork and exec: own process group, die with
          // the rig, and start with no signals blocked or ignored.
          ::setpgid(0, 0);
          ::prctl(PR_SET_PDEATHSIG, SIGKILL);
          if (::getppid() != parent) ::_exit(127);  // the rig died before prctl
          sigset_t none;
          sigemptyset(&none);
          ::sigprocmask(SIG_SETMASK, &none, nullptr);
          for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) ::signal(sig, SIG_DFL);
        });
  } catch (const std::exception& e) {
    throw BrowserLaunchError("cannot start browser '" + options.executable + "': " + e.what(), "");
  }
  proc->pid_ = child.id();
  child.detach();  // we reap it ourselves with waitpid
  ::setpgid(proc->pid_, proc->pid_);  // also from the parent: no race with the child
  if (!live_browsers::add(proc->pid_)) {
    ::kill(-proc->pid_, SIGKILL);
    proc->terminate(std::chrono::milliseconds(0));
    throw BrowserLaunchError("too many live browsers (registry full)", "");
  }

  int fd = ::fcntl(err_pipe.native_source(), F_DUPFD_CLOEXEC, 0);
  err_pipe.close();
  proc->stderr_ = std::make_unique<StderrCollector>(fd, options.stderr_tail_bytes);

  // Wait for the endpoint from either the port file or the stderr line.
  const auto deadline = Clock::now() + options.startup_timeout;
  for (;;) {
    if (auto ep = read_devtools_active_port(proc->user_data_dir_)) {
      proc->endpoint_ = *ep;
      break;
    }
    if (auto ep = proc->stderr_->devtools_endpoint()) {
      proc->endpoint_ = *ep;
      break;
    }
    if (!proc->running()) {
      proc->stderr_->stop();
      std::string why = "browser " + proc->exit_description() + " before its DevTools endpoint appeared";
      std::string tail = proc->stderr_tail();
      proc->terminate(std::chrono::milliseconds(0));
      throw BrowserLaunchError(why, tail);
    }
    if (Clock::now() >= deadline) {
      std::string why = "browser did not report a DevTools endpoint within " +
                        std::to_string(options.startup_timeout.count()) + " ms";
      std::string tail = proc->stderr_tail();
      proc->terminate(std::chrono::milliseconds(500));
      throw BrowserLaunchError(why, tail);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return proc;
}

BrowserProcess::~BrowserProcess() {
  terminate(std::chrono::milliseconds(2000));
  if (stderr_) stderr_->stop();
  if (profile_) profile_->remove();
}

void BrowserProcess::reap_nonblocking() {
  if (reaped_ || pid_ <= 0) return;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    reaped_ = true;
    wait_status_ = status;
  } else if (r < 0 && errno == ECHILD) {
    reaped_ = true;  // someone else reaped it; nothing left to wait for
    wait_status_ = 0;
  }
}

bool BrowserProcess::running() {
  reap_nonblocking();
  return pid_ > 0 && !reaped_;
}

bool BrowserProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (running()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::string BrowserProcess::exit_description() {
  if (running()) return "running";
  return describe_status(wait_status_);
}

void BrowserProcess::kill_now() {
  if (pid_ > 0 && !finished_) ::kill(-pid_, SIGKILL);
}

void BrowserProcess::terminate(std::chrono::milliseconds grace) {
  if (pid_ <= 0 || finished_) return;
  if (running()) {
    ::kill(-pid_, SIGTERM);
    if (!wait_for_exit(grace)) {
      ::kill(-pid_, SIGKILL);
      // SIGKILL cannot be ignored; a bounded wait guards against a hung kernel.
      wait_for_exit(std::chrono::milliseconds(5000));
    }
  }
  finish();
}

void BrowserProcess::finish() {
  if (finished_) return;
  // Children (zygote, GPU, renderers) normally exit with the browser; give
  // them a moment, then kill what is left of the group.
  auto wait_group_empty = [this](std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (!live_browsers::processes_in_group(pid_).empty()) {
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  };
  if (!wait_group_empty(std::chrono::milliseconds(1000))) {
    ::kill(-pid_, SIGKILL);
    wait_group_empty(std::chrono::milliseconds(2000));
  }
  // Bounded: SIGKILL cannot be ignored, so this returns quickly in practice.
  if (!reaped_) wait_for_exit(std::chrono::milliseconds(2000));
  if (reaped_) {
    live_browsers::remove(pid_);
    finished_ = true;
  }
}

std::string BrowserProcess::stderr_tail() const { return stderr_ ? stderr_->tail() : std::string(); }

}  // namespace lantern::rig
