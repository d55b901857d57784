#include "daemon_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>

#include "status/tokens.h"

namespace misync::e2e {

namespace {

std::string hex(const status::Digest& d) {
    std::string out;
    char byte[3];
    for (unsigned char c : d) {
        std::snprintf(byte, sizeof byte, "%02x", c);
        out += byte;
    }
    return out;
}

}  // namespace

std::string tokensToml(const std::vector<std::tuple<std::string, std::string, std::string>>& t) {
    std::string out;
    for (const auto& [name, scope, bearer] : t) {
        out += "[[token]]\nname = \"" + name + "\"\nscope = \"" + scope + "\"\nsha256 = \"" +
               hex(status::sha256(bearer)) + "\"\n\n";
    }
    return out;
}

std::vector<Student> someLearners(const std::string& dfes, int count, int from) {
    static const std::vector<std::string> surnames{"Jones",  "Davies",  "Williams", "Evans",
                                                   "Thomas", "Roberts", "Hughes",   "Lewis"};
    static const std::vector<std::string> forenames{"Aled", "Anwen",  "Bethan", "Bryn",
                                                    "Ceri", "Dafydd", "Eleri",  "Gethin"};
    std::vector<Student> out;
    for (int i = from; i < from + count; ++i) {
        const auto k = static_cast<std::size_t>(i);
        out.push_back({.id = std::to_string(1000 + i),
                       .upn = makeUpn(dfes, i % 1000, 10 + i / 1000),
                       .forename = forenames[k % forenames.size()],
                       .surname = surnames[(k / forenames.size()) % surnames.size()],
                       .year = std::to_string(7 + i % 5),
                       .reg = std::to_string(7 + i % 5) + "A",
                       .admissionDate = "2024-09-01"});
    }
    return out;
}

// ---- the daemon -----------------------------------------------------------------------------

void DaemonTest::TearDown() {
    if (started_ && !hasEnded(daemon_)) {
        ::kill(daemon_.pid, SIGKILL);
        finish(daemon_, 30s);
    }
    if (HasFailure() && started_) {
        std::cerr << "---- daemon log ----\n" << daemonLog() << "--------------------\n";
    }
    E2eTest::TearDown();
}

void DaemonTest::writeConfig(const std::vector<SchoolConfig>& schools,
                             std::string_view policyToml) {
    writeConfigWith(schools, "", policyToml);
}

void DaemonTest::writeConfigWith(const std::vector<SchoolConfig>& schools, const std::string& top,
                                 std::string_view policyToml) {
    E2eTest::writeConfig(schools, policyToml);
    std::ifstream in(config(), std::ios::binary);
    const std::string rest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Tests run side by side: the status endpoint takes any free loopback port (statusPort()).
    const std::string status = top.find("[status]") == std::string::npos
                                   ? "[status]\nlisten = \"127.0.0.1:0\"\n"
                                   : std::string();
    writeFile(config(), status + top + "\n" + rest);
}

unsigned short DaemonTest::statusPort(int nth) {
    const std::string mark = "status: listening on ";
    if (!awaitLog(mark, nth)) {
        return 0;
    }
    std::istringstream in(daemonLog());
    int seen = 0;
    for (std::string line; std::getline(in, line);) {
        const auto at = line.find(mark);
        if (at == std::string::npos || ++seen < nth) {
            continue;
        }
        const auto port = line.find(" port ", at);
        EXPECT_NE(port, std::string::npos) << line;
        return port == std::string::npos
                   ? 0
                   : static_cast<unsigned short>(std::stoul(line.substr(port + 6)));
    }
    return 0;
}

void DaemonTest::startDaemon(std::map<std::string, std::string> env) {
    env.emplace("SPDLOG_LEVEL", "info");
    env.emplace("INVOCATION_ID", "");
    env.emplace("JOURNAL_STREAM", "");
    env.emplace("NOTIFY_SOCKET", "");
    daemon_ = startInBackground(MISYNC_BINARY, {"--config", config().string(), "daemon"},
                                dir() / ("daemon-" + std::to_string(++daemons_)), env);
    started_ = true;
}

std::string DaemonTest::daemonLog() const {
    std::ifstream in(daemon_.err, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int DaemonTest::logCount(const std::string& text) const {
    std::istringstream in(daemonLog());
    int n = 0;
    for (std::string line; std::getline(in, line);) {
        n += line.find(text) != std::string::npos ? 1 : 0;
    }
    return n;
}

bool DaemonTest::awaitLog(const std::string& text, int count, std::chrono::seconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (logCount(text) < count) {
        if (std::chrono::steady_clock::now() > until || hasEnded(daemon_)) {
            ADD_FAILURE() << "the daemon's log has " << logCount(text) << " of " << count
                          << " lines with '" << text << "'"
                          << (hasEnded(daemon_) ? " (it has ended)" : "");
            return false;
        }
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

void DaemonTest::signalDaemon(int signal) {
    ASSERT_TRUE(started_);
    ASSERT_EQ(::kill(daemon_.pid, signal), 0);
}

Result DaemonTest::finishDaemon(std::chrono::seconds timeout) {
    return finish(daemon_, timeout);
}

bool DaemonTest::daemonRunning() {
    return started_ && !hasEnded(daemon_);
}

json::array DaemonTest::runsOf(const std::string& school) {
    Result r = misync({"history", "--school", school, "--json"}, commandEnv);
    EXPECT_EQ(r.status, 0) << r.err;
    json::value v = parseJson(r.out);
    const json::value* runs = v.is_object() ? v.as_object().if_contains("runs") : nullptr;
    return runs != nullptr && runs->is_array() ? runs->as_array() : json::array{};
}

json::array DaemonTest::awaitRuns(const std::string& school,
                                  const std::function<bool(const json::array&)>& done,
                                  std::chrono::seconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        json::array runs = runsOf(school);
        if (done(runs)) {
            return runs;
        }
        if (std::chrono::steady_clock::now() > until) {
            ADD_FAILURE() << "school " << school
                          << ": the runs never got there: " << json::serialize(runs);
            return runs;
        }
        std::this_thread::sleep_for(100ms);
    }
}

json::array DaemonTest::awaitRunCount(const std::string& school, std::size_t n,
                                      std::chrono::seconds timeout) {
    return awaitRuns(
        school,
        [n](const json::array& runs) {
            // Runs that ended: a run in flight shows as `running` until then (docs/reliability.md).
            std::size_t ended = 0;
            for (const auto& r : runs) {
                ended += str(r, "outcome") != "running" ? 1 : 0;
            }
            return ended >= n && (runs.empty() || str(runs[0], "outcome") != "running");
        },
        timeout);
}

bool DaemonTest::awaitWaiters(const std::string& dfes, int count, std::chrono::seconds timeout) {
    const bool ok = awaitLeaseWaiters(dfes, count, timeout);
    EXPECT_TRUE(ok) << count << " run(s) of " << dfes << " never waited for its lease";
    return ok;
}

// ---- NOTIFY_SOCKET --------------------------------------------------------------------------

NotifySocket::NotifySocket(const fs::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0)
        << path << ": " << std::strerror(errno);
}

NotifySocket::~NotifySocket() {
    ::close(fd_);
    std::error_code ec;
    fs::remove(path_, ec);
}

std::string NotifySocket::await(const std::string& text, std::chrono::seconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    std::array<char, 4096> buffer{};
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            ADD_FAILURE() << "no sd_notify message with '" << text << "'";
            return {};
        }
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
            continue;
        }
        const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
        if (n > 0) {
            std::string message(buffer.data(), static_cast<std::size_t>(n));
            if (message.find(text) != std::string::npos) {
                return message;
            }
        }
    }
}

// ---- HTTP receiver ----------------------------------------------------------------------------

HttpReceiver::HttpReceiver(std::vector<int> script) : script_(std::move(script)) {
    listen_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;  // a free port
    EXPECT_EQ(::bind(listen_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listen_, 8), 0);
    socklen_t len = sizeof addr;
    ::getsockname(listen_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
}

HttpReceiver::~HttpReceiver() {
    stop_ = true;
    thread_.join();
    ::close(listen_);
}

void HttpReceiver::serve() {
    std::size_t answered = 0;
    while (!stop_) {
        pollfd p{listen_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) {
            continue;
        }
        const int c = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) {
            continue;
        }
        std::string data;
        std::array<char, 8192> buffer{};
        Request req;
        std::size_t headerEnd = std::string::npos;
        std::size_t length = 0;
        const auto until = std::chrono::steady_clock::now() + 10s;
        while (std::chrono::steady_clock::now() < until) {
            pollfd q{c, POLLIN, 0};
            if (::poll(&q, 1, 100) <= 0) {
                continue;
            }
            const ssize_t n = ::recv(c, buffer.data(), buffer.size(), 0);
            if (n <= 0) {
                break;
            }
            data.append(buffer.data(), static_cast<std::size_t>(n));
            if (headerEnd == std::string::npos &&
                (headerEnd = data.find("\r\n\r\n")) != std::string::npos) {
                std::istringstream head(data.substr(0, headerEnd));
                std::getline(head, req.requestLine);
                req.requestLine.erase(req.requestLine.find_last_not_of('\r') + 1);
                for (std::string line; std::getline(head, line);) {
                    line.erase(line.find_last_not_of('\r') + 1);
                    const auto colon = line.find(':');
                    std::string name = line.substr(0, colon);
                    std::transform(name.begin(), name.end(), name.begin(),
                                   [](unsigned char ch) { return std::tolower(ch); });
                    std::string value = line.substr(colon + 1);
                    value.erase(0, value.find_first_not_of(' '));
                    req.headers[name] = value;
                }
                length = std::stoul(req.headers.count("content-length") != 0
                                        ? req.headers["content-length"]
                                        : std::string("0"));
            }
            if (headerEnd != std::string::npos && data.size() >= headerEnd + 4 + length) {
                req.body = data.substr(headerEnd + 4, length);
                break;
            }
        }
        const int status = answered < script_.size() ? script_[answered] : 200;
        ++answered;
        const std::string reply = "HTTP/1.1 " + std::to_string(status) +
                                  (status == 200 ? " OK" : " Error") +
                                  "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        {
            std::lock_guard<std::mutex> lock(mutex_);
            requests_.push_back(std::move(req));
        }
        ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
        ::close(c);
    }
}

std::vector<HttpReceiver::Request> HttpReceiver::requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
}

std::vector<HttpReceiver::Request> HttpReceiver::await(std::size_t n,
                                                       std::chrono::seconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (requests().size() < n) {
        if (std::chrono::steady_clock::now() > until) {
            ADD_FAILURE() << "the receiver got " << requests().size() << " of " << n << " requests";
            break;
        }
        std::this_thread::sleep_for(20ms);
    }
    return requests();
}

}  // namespace misync::e2e
