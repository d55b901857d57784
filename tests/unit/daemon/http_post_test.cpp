// One notification POST (daemon/http_post.h) against small servers on free loopback ports:
// the request as sent, which answers count as delivered or worth retrying, and failures that
// are reported (never thrown) within the timeout — a refused connection, a server that never
// answers, and https to a server that does not speak TLS.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <string>
#include <thread>

#include "daemon/http_post.h"

using misync::daemon::NotifyConfig;
using misync::daemon::postJson;
using namespace std::chrono_literals;
using testing::HasSubstr;

namespace {

// Accepts one connection, reads the request, answers `reply` (or nothing when it is empty,
// holding the connection open until the test ends).
class OneShotServer {
  public:
    explicit OneShotServer(std::string reply) : reply_(std::move(reply)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        EXPECT_EQ(::listen(fd_, 4), 0);
        socklen_t len = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~OneShotServer() {
        done_ = true;
        thread_.join();
        ::close(fd_);
    }
    OneShotServer(const OneShotServer&) = delete;
    OneShotServer& operator=(const OneShotServer&) = delete;
    int port() const { return port_; }
    const std::string& request() const { return request_; }

  private:
    void serve() {
        pollfd p{fd_, POLLIN, 0};
        while (!done_ && ::poll(&p, 1, 50) <= 0) {
        }
        if (done_) {
            return;
        }
        const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        std::array<char, 4096> buf{};
        while (request_.find("\r\n\r\n") == std::string::npos ||
               request_.size() < request_.find("\r\n\r\n") + 4 + 11) {
            pollfd q{c, POLLIN, 0};
            if (::poll(&q, 1, 50) <= 0) {
                if (done_) {
                    break;
                }
                continue;
            }
            const ssize_t n = ::recv(c, buf.data(), buf.size(), 0);
            if (n <= 0) {
                break;
            }
            request_.append(buf.data(), static_cast<std::size_t>(n));
            if (request_.front() != 'P') {
                break;  // not HTTP (a TLS hello): answer at once
            }
        }
        if (!reply_.empty()) {
            ::send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL);
        } else {
            while (!done_) {
                std::this_thread::sleep_for(10ms);
            }
        }
        ::close(c);
    }
    std::string reply_;
    int fd_ = -1;
    int port_ = 0;
    std::string request_;
    std::atomic<bool> done_{false};
    std::thread thread_;
};

NotifyConfig to(int port, const std::string& scheme = "http") {
    NotifyConfig n;
    n.scheme = scheme;
    n.host = "127.0.0.1";
    n.port = std::to_string(port);
    n.target = "/hooks/x?y=1";
    n.token = "tok-123";
    return n;
}

const std::string kBody = R"({"run_id":1})";  // 12 bytes; the server reads headers + 11 more

TEST(HttpPost, SendsThePostAndADeliveredAnswer) {
    OneShotServer server("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
    auto r = postJson(to(server.port()), kBody, 5000ms);
    EXPECT_TRUE(r.delivered) << r.problem;
    EXPECT_FALSE(r.retry);
    const std::string& req = server.request();
    EXPECT_THAT(req, HasSubstr("POST /hooks/x?y=1 HTTP/1.1\r\n"));
    EXPECT_THAT(req, HasSubstr("Host: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"));
    EXPECT_THAT(req, HasSubstr("Authorization: Bearer tok-123\r\n"));
    EXPECT_THAT(req, HasSubstr("Content-Type: application/json\r\n"));
    EXPECT_THAT(req, HasSubstr("Content-Length: 12\r\n"));
}

TEST(HttpPost, ServerErrorsAreRetriedOtherAnswersAreNot) {
    {
        OneShotServer server("HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n");
        auto r = postJson(to(server.port()), kBody, 5000ms);
        EXPECT_FALSE(r.delivered);
        EXPECT_TRUE(r.retry);
        EXPECT_EQ(r.problem, "HTTP 503");
    }
    {
        OneShotServer server("HTTP/1.1 401 No\r\nContent-Length: 0\r\n\r\n");
        auto r = postJson(to(server.port()), kBody, 5000ms);
        EXPECT_FALSE(r.delivered);
        EXPECT_FALSE(r.retry);
        EXPECT_EQ(r.problem, "HTTP 401");
    }
}

TEST(HttpPost, FailuresAreReportedWithinTheTimeout) {
    int freePort = 0;
    {
        OneShotServer closed("x");  // its port is free again once it is gone
        freePort = closed.port();
    }
    auto refused = postJson(to(freePort), kBody, 2000ms);
    EXPECT_FALSE(refused.delivered);
    EXPECT_TRUE(refused.retry);
    EXPECT_FALSE(refused.problem.empty());

    OneShotServer silent("");  // reads the request, never answers
    const auto started = std::chrono::steady_clock::now();
    auto late = postJson(to(silent.port()), kBody, 500ms);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    EXPECT_FALSE(late.delivered);
    EXPECT_TRUE(late.retry);
    EXPECT_EQ(late.problem, "timed out");

    // https to a server that answers plain HTTP: the TLS handshake fails, nothing is thrown.
    OneShotServer plain("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    auto tls = postJson(to(plain.port(), "https"), kBody, 2000ms);
    EXPECT_FALSE(tls.delivered);
    EXPECT_TRUE(tls.retry);
    EXPECT_FALSE(tls.problem.empty());
}

}  // namespace
