// End-to-end fixture for `misync daemon` (SPEC §9.1, §10): starts the real binary in the
// background on the test's configuration, and waits for what it does by watching its log, its
// run history (`misync history --json`), its sd_notify messages or the lock file — never by
// sleeping a fixed time. Also a datagram socket standing in for systemd's NOTIFY_SOCKET and a
// tiny HTTP receiver for notifications.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "e2e_fixture.h"

namespace misync::e2e {

using namespace std::chrono_literals;

// A tokens file (SPEC §7) of (name, scope, bearer token): digests only.
std::string tokensToml(const std::vector<std::tuple<std::string, std::string, std::string>>& t);

// `count` learners of `dfes` with distinct names, on roll since 2024-09-01.
std::vector<Student> someLearners(const std::string& dfes, int count, int from = 0);

class DaemonTest : public E2eTest {
  protected:
    void TearDown() override;

    // writeConfig(), with `top` (e.g. "[daemon]\nworkers = 2\n" or [[notify]] blocks) first, and
    // [status] listen = "127.0.0.1:0" unless `top` has a [status] of its own.
    void writeConfigWith(const std::vector<SchoolConfig>& schools, const std::string& top,
                         std::string_view policyToml = "");
    // E2eTest::writeConfig() with the free-port [status] above.
    void writeConfig(const std::vector<SchoolConfig>& schools, std::string_view policyToml = "");
    // misync --config <config> daemon, logging at info to <dir>/daemon-N.err (systemd's
    // variables cleared so the log goes to stderr, not the journal); `env` adds more.
    void startDaemon(std::map<std::string, std::string> env = {});
    // The port of the status endpoint from the daemon's `nth` "status: listening on" log line
    // (waiting for it); 0 and a failed test when it never comes.
    unsigned short statusPort(int nth = 1);
    // The daemon's log so far.
    std::string daemonLog() const;
    // How many lines of the log contain `text`.
    int logCount(const std::string& text) const;
    // Waits until `count` lines of the log contain `text`; fails the test after `timeout`.
    bool awaitLog(const std::string& text, int count = 1, std::chrono::seconds timeout = 60s);
    void signalDaemon(int signal);
    // Waits for the daemon to end (killing it after `timeout`, which fails the test).
    Result finishDaemon(std::chrono::seconds timeout = 60s);
    bool daemonRunning();
    // `history --json` of `school`, newest first, run with commandEnv.
    json::array runsOf(const std::string& school);
    // Polls `history --json` of `school` until `done(runs)` holds (newest first); returns the
    // runs. Fails the test after `timeout`.
    json::array awaitRuns(const std::string& school,
                          const std::function<bool(const json::array&)>& done,
                          std::chrono::seconds timeout = 60s);
    // Until at least `n` runs have ended (a run in flight, `running`, is not counted) and the
    // newest is not in flight.
    json::array awaitRunCount(const std::string& school, std::size_t n,
                              std::chrono::seconds timeout = 60s);

    // Waits until `count` runs wait for the school's lease (TestDirectory::awaitLeaseWaiters).
    bool awaitWaiters(const std::string& dfes, int count, std::chrono::seconds timeout = 60s);

    // The environment of the commands the fixture runs (e.g. CREDENTIALS_DIRECTORY, when the
    // configuration names credentials).
    std::map<std::string, std::string> commandEnv;
    Background daemon_;
    bool started_ = false;
    int daemons_ = 0;
};

// A datagram socket where sd_notify messages arrive (NOTIFY_SOCKET).
class NotifySocket {
  public:
    explicit NotifySocket(const fs::path& path);
    ~NotifySocket();
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;
    const fs::path& path() const { return path_; }
    // Waits for a message containing `text`, after those already returned; returns it, or ""
    // after `timeout` (which fails the test).
    std::string await(const std::string& text, std::chrono::seconds timeout = 60s);

  private:
    fs::path path_;
    int fd_ = -1;
};

// A one-thread HTTP/1.1 server on a free loopback port: answers each request with the next
// status of `script` (then 200) and records it.
class HttpReceiver {
  public:
    struct Request {
        std::string requestLine;
        std::map<std::string, std::string> headers;  // names in lower case
        std::string body;
    };
    explicit HttpReceiver(std::vector<int> script);
    ~HttpReceiver();
    HttpReceiver(const HttpReceiver&) = delete;
    HttpReceiver& operator=(const HttpReceiver&) = delete;
    int port() const { return port_; }
    // Waits until `n` requests have come; returns them all (fails the test after `timeout`).
    std::vector<Request> await(std::size_t n, std::chrono::seconds timeout = 60s);
    std::vector<Request> requests() const;

  private:
    void serve();
    int listen_ = -1;
    int port_ = 0;
    std::vector<int> script_;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::vector<Request> requests_;
    std::thread thread_;
};

}  // namespace misync::e2e
