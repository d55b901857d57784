// The status server over real sockets, in-process (SPEC §9, DESIGN.md pattern 7): port 0,
// keep-alive, 413 from Content-Length before the body is sent (and for chunked bodies), the read
// and idle timeouts, the connection bound, security headers, token reload, start-up errors
// naming the address, a graceful stop that lets the request under way finish, request logs
// without the Authorization header, and a write transaction held open by another connection
// not blocking /healthz, a read route, or anything but the write that waits for it.
#include <gmock/gmock.h>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <future>
#include <sstream>
#include <thread>

#include "core/errors.h"
#include "http_client.h"
#include "status/server.h"
#include "status_fixture.h"

using namespace misync;
using namespace misync::statustest;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

namespace {

class ServerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = makeTempDir("misync-status-server-");
        db_ = (dir_ / "directory.db").string();
        auto store = storage::Directory::open({"sqlite", db_, ""});
        DirectoryFiller fill(*store);
        fill.create(kA, {"jonesa"}, 1);
        held_ = fill.run(kA, "held", 2, "digest-a");
    }
    void TearDown() override {
        servers_.clear();
        fs::remove_all(dir_);
    }

    status::StatusServer& start(status::ServerOptions o = {},
                                status::DaemonControl* daemon = nullptr) {
        if (o.listen == status::ServerOptions{}.listen) {
            o.listen = "127.0.0.1:0";
        }
        const std::string db = db_;
        servers_.push_back(std::make_unique<status::StatusServer>(
            o, testTokens(), daemon != nullptr ? *daemon : daemon_, metrics_, "0.1.0-test", [db] {
                return storage::Directory::open({"sqlite", db, ""});
            }));
        servers_.back()->start();
        return *servers_.back();
    }
    std::string runsOfA() const { return std::string("/api/v1/schools/") + kA + "/runs"; }

    fs::path dir_;
    std::string db_;
    std::int64_t held_ = 0;
    FakeDaemon daemon_;
    status::Metrics metrics_;
    std::vector<std::unique_ptr<status::StatusServer>> servers_;
};

TEST_F(ServerTest, PortZeroTakesAFreePortAndServes) {
    auto& s = start();
    ASSERT_NE(s.port(), 0);
    Client c(s.port());
    ASSERT_FALSE(c.connectError) << c.connectError.message();
    auto r = c.get("/healthz");
    ASSERT_TRUE(r) << c.error.message();
    EXPECT_EQ(r->result_int(), 200u);
    EXPECT_EQ(r->body(), R"({"status":"ok"})");
    EXPECT_EQ((*r)[http::field::content_type], "application/json");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
    auto& s = start();
    Client c(s.port());
    for (int i = 0; i < 3; ++i) {
        auto health = c.get("/healthz");
        ASSERT_TRUE(health) << i << ": " << c.error.message();
        EXPECT_EQ(health->result_int(), 200u);
        EXPECT_TRUE(health->keep_alive());
        auto runs = c.get(runsOfA(), kAdminToken);
        ASSERT_TRUE(runs) << i << ": " << c.error.message();
        EXPECT_EQ(runs->result_int(), 200u);
        EXPECT_THAT(runs->body(), HasSubstr("\"run_id\":" + std::to_string(held_)));
    }
    auto last = c.request(http::verb::get, "/healthz", "", "", false);
    ASSERT_TRUE(last);
    EXPECT_FALSE(last->keep_alive());
    EXPECT_EQ(c.waitForClose(), net::error::eof) << "Connection: close is honoured";
}

TEST_F(ServerTest, ABodyOver1MiBIs413BeforeItIsSent) {
    status::ServerOptions o;
    o.readTimeout = 60s;  // were the server waiting for the body, the client would give up first
    auto& s = start(o);
    Client c(s.port());
    ASSERT_FALSE(c.writeRaw(std::string("POST /api/v1/schools/") + kA +
                            "/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kAdminToken +
                            "\r\nContent-Length: 1048577\r\n\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r) << c.error.message();
    EXPECT_EQ(r->result_int(), 413u);
    EXPECT_THAT(r->body(), HasSubstr("\"error\""));
    EXPECT_FALSE(r->keep_alive());
    EXPECT_EQ(c.waitForClose(), net::error::eof);
    EXPECT_TRUE(daemon_.syncs().empty());

    // Exactly 1 MiB is allowed.
    Client ok(s.port());
    auto fine = ok.request(http::verb::post, std::string("/api/v1/schools/") + kA + "/sync",
                           kAdminToken, std::string(1 << 20, 'x'));
    ASSERT_TRUE(fine) << ok.error.message();
    EXPECT_EQ(fine->result_int(), 202u);
}

TEST_F(ServerTest, AChunkedBodyOver1MiBIs413) {
    auto& s = start();
    Client c(s.port());
    std::string raw = std::string("POST /api/v1/schools/") + kA +
                      "/sync HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string chunk(64 * 1024, 'x');
    for (int i = 0; i < 17; ++i) {  // 1.0625 MiB
        raw += "10000\r\n" + chunk + "\r\n";
    }
    raw += "0\r\n\r\n";
    ASSERT_FALSE(c.writeRaw(raw));
    auto r = c.read();
    ASSERT_TRUE(r) << c.error.message();
    EXPECT_EQ(r->result_int(), 413u);
    EXPECT_TRUE(daemon_.syncs().empty());
}

TEST_F(ServerTest, ExpectContinueGetsAContinueBeforeTheBody) {
    auto& s = start();
    Client c(s.port());
    ASSERT_FALSE(c.writeRaw(std::string("POST /api/v1/schools/") + kA +
                            "/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kAdminToken +
                            "\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"));
    auto cont = c.read();
    ASSERT_TRUE(cont) << c.error.message();
    EXPECT_EQ(cont->result_int(), 100u);
    ASSERT_FALSE(c.writeRaw("{}"));
    auto r = c.read();
    ASSERT_TRUE(r) << c.error.message();
    EXPECT_EQ(r->result_int(), 202u);
}

TEST_F(ServerTest, TheReadTimeoutClosesAConnectionThatSendsNothing) {
    status::ServerOptions o;
    o.readTimeout = 300ms;
    auto& s = start(o);
    Client silent(s.port());
    ASSERT_FALSE(silent.connectError);
    EXPECT_EQ(silent.waitForClose(), net::error::eof);
    // Half a request is closed the same way.
    Client half(s.port());
    ASSERT_FALSE(half.writeRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
    EXPECT_EQ(half.waitForClose(), net::error::eof);
    // The server goes on serving.
    Client c(s.port());
    EXPECT_TRUE(c.get("/healthz"));
}

TEST_F(ServerTest, TheIdleTimeoutClosesAKeptAliveConnection) {
    status::ServerOptions o;
    o.idleTimeout = 300ms;
    auto& s = start(o);
    Client c(s.port());
    ASSERT_TRUE(c.get("/healthz"));
    EXPECT_EQ(c.waitForClose(), net::error::eof);
}

TEST_F(ServerTest, ConnectionsBeyondTheBoundAreClosed) {
    status::ServerOptions o;
    o.maxConnections = 2;
    auto& s = start(o);
    auto one = std::make_unique<Client>(s.port());
    Client two(s.port());
    ASSERT_TRUE(one->get("/healthz"));  // both accepted and counted
    ASSERT_TRUE(two.get("/healthz"));
    Client three(s.port());
    const auto closed = three.waitForClose();
    EXPECT_TRUE(closed == net::error::eof || closed == net::error::connection_reset)
        << closed.message();
    one->close();
    // Once the server has seen the first one go, a new connection is served again.
    bool served = false;
    for (int attempt = 0; attempt < 200 && !served; ++attempt) {
        Client next(s.port());
        served = next.get("/healthz").has_value();
        if (!served) {
            std::this_thread::sleep_for(50ms);
        }
    }
    EXPECT_TRUE(served);
}

TEST_F(ServerTest, EveryResponseHasTheSecurityHeaders) {
    auto& s = start();
    Client c(s.port());
    for (const std::string target : {"/healthz", "/api/v1/schools", "/", "/api/v1/nothing"}) {
        auto r = c.get(target, kAdminToken);
        ASSERT_TRUE(r) << target;
        EXPECT_EQ((*r)["X-Content-Type-Options"], "nosniff") << target;
        EXPECT_EQ((*r)["X-Frame-Options"], "DENY") << target;
        EXPECT_EQ((*r)["Referrer-Policy"], "no-referrer") << target;
        EXPECT_THAT(std::string((*r)["Content-Security-Policy"]), HasSubstr("default-src"));
        EXPECT_FALSE((*r)["Cache-Control"].empty()) << target;
        EXPECT_TRUE((*r)["Strict-Transport-Security"].empty()) << "plain HTTP: no HSTS";
    }
    auto api = c.get("/api/v1/schools", kAdminToken);
    EXPECT_EQ((*api)["Cache-Control"], "no-store");
    auto unauthorized = c.get("/api/v1/schools");
    EXPECT_EQ(unauthorized->result_int(), 401u);
    EXPECT_THAT(std::string((*unauthorized)[http::field::www_authenticate]),
                ::testing::StartsWith("Bearer"));
}

TEST_F(ServerTest, ReloadTokensSwapsTheSetWhole) {
    auto& s = start();
    Client c(s.port());
    EXPECT_EQ(c.get("/api/v1/schools", kAdminToken)->result_int(), 200u);
    s.reloadTokens(status::TokenSet(
        {{"new-admin", status::Scope::parse("admin"), status::sha256("brand-new")}}));
    EXPECT_EQ(c.get("/api/v1/schools", kAdminToken)->result_int(), 401u) << "same connection";
    EXPECT_EQ(c.get("/api/v1/schools", "brand-new")->result_int(), 200u);
}

TEST_F(ServerTest, StartUpFailsNamingTheAddress) {
    auto& first = start();
    const std::string taken = "127.0.0.1:" + std::to_string(first.port());
    for (const std::string& listen : {taken, std::string("localhost"), std::string("1.2.3.4:x"),
                                      std::string("127.0.0.1:70000"), std::string("[::1:8750")}) {
        status::ServerOptions o;
        o.listen = listen;
        status::StatusServer s(o, testTokens(), daemon_, metrics_, "v", [db = db_] {
            return storage::Directory::open({"sqlite", db, ""});
        });
        try {
            s.start();
            ADD_FAILURE() << listen << " started";
        } catch (const core::Error& e) {
            EXPECT_THAT(e.what(), HasSubstr(listen)) << e.what();
        }
    }
}

TEST_F(ServerTest, ListensOnIpv6Loopback) {
    {
        net::io_context io;
        tcp::acceptor probe(io);
        beast::error_code ec;
        probe.open(tcp::v6(), ec);
        if (!ec) {
            probe.bind(tcp::endpoint(net::ip::make_address("::1"), 0), ec);
        }
        if (ec) {
            GTEST_SKIP() << "no IPv6 loopback here: " << ec.message();
        }
    }
    status::ServerOptions o;
    o.listen = "[::1]:0";
    auto& s = start(o);
    net::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(tcp::endpoint(net::ip::make_address("::1"), s.port()));
    http::request<http::empty_body> req{http::verb::get, "/healthz", 11};
    req.set(http::field::host, "[::1]");
    http::write(stream, req);
    beast::flat_buffer buffer;
    HttpResponse res;
    http::read(stream, buffer, res);
    EXPECT_EQ(res.result_int(), 200u);
}

// A graceful stop: no new requests, the one under way finishes (with Connection: close).
class BlockingDaemon : public FakeDaemon {
  public:
    bool requestSync(const std::string& dfes) override {
        entered.set_value();
        release.get_future().wait();
        return FakeDaemon::requestSync(dfes);
    }
    std::promise<void> entered;
    std::promise<void> release;
};

TEST_F(ServerTest, StopLetsTheRequestUnderWayFinish) {
    BlockingDaemon daemon;
    auto& s = start({}, &daemon);
    Client c(s.port());
    ASSERT_FALSE(c.writeRaw(std::string("POST /api/v1/schools/") + kA +
                            "/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kAdminToken +
                            "\r\nContent-Length: 0\r\n\r\n"));
    ASSERT_EQ(daemon.entered.get_future().wait_for(10s), std::future_status::ready);
    auto stopped = std::async(std::launch::async, [&] { s.stop(20s); });
    // stop() has begun once nothing listens any more.
    bool refused = false;
    for (int attempt = 0; attempt < 1000 && !refused; ++attempt) {
        Client probe(s.port());
        refused = static_cast<bool>(probe.connectError);
        if (!refused) {
            std::this_thread::sleep_for(10ms);
        }
    }
    daemon.release.set_value();
    ASSERT_TRUE(refused);
    auto r = c.read();
    ASSERT_TRUE(r) << c.error.message();
    EXPECT_EQ(r->result_int(), 202u);
    EXPECT_FALSE(r->keep_alive()) << "the server is stopping";
    EXPECT_EQ(stopped.wait_for(20s), std::future_status::ready);
    EXPECT_EQ(daemon.syncs(), std::vector<std::string>{kA});
    s.stop(1s);  // twice is fine
}

// DESIGN.md: the server reads on its own threads, and SQLite WAL readers never wait for the
// writer, so a long run (here: a write transaction another connection holds open) blocks
// neither /healthz nor a read route; a write (an approval) waits for it on the writer thread.
TEST_F(ServerTest, AHeldWriteTransactionBlocksOnlyTheWriteThatNeedsIt) {
    auto& s = start();
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &other), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(other,
                           "BEGIN IMMEDIATE; INSERT INTO directory_meta (key, value) VALUES "
                           "('test', 'held');",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(other);

    Client writer(s.port());
    ASSERT_FALSE(writer.writeRaw("POST /api/v1/runs/" + std::to_string(held_) +
                                 "/approve HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                 kAdminToken + "\r\nContent-Length: 0\r\n\r\n"));
    Client reader(s.port());
    for (int i = 0; i < 3; ++i) {
        auto health = reader.get("/healthz");
        ASSERT_TRUE(health) << reader.error.message();
        EXPECT_EQ(health->result_int(), 200u);
        auto runs = reader.get(runsOfA(), kAdminToken);
        ASSERT_TRUE(runs) << reader.error.message();
        EXPECT_EQ(runs->result_int(), 200u);
        auto schools = reader.get("/api/v1/schools", kAdminToken);
        ASSERT_TRUE(schools) << reader.error.message();
        EXPECT_EQ(schools->result_int(), 200u);
    }
    // The approval cannot have been written while the other connection holds the write lock.
    EXPECT_EQ(writer.available(), 0u);
    ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(other);
    auto approved = writer.read(30s);
    ASSERT_TRUE(approved) << writer.error.message();
    EXPECT_EQ(approved->result_int(), 200u) << approved->body();
    EXPECT_THAT(approved->body(), HasSubstr("\"approved_by\":\"la-dashboard\""));
}

// Requests are logged at debug level with method, path, status and duration; never the
// Authorization header (nor the query).
TEST_F(ServerTest, RequestLogsNeverHoldTheToken) {
    std::ostringstream captured;
    auto previous = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
    {
        auto& s = start();
        Client c(s.port());
        ASSERT_TRUE(c.get(runsOfA() + "?limit=3", kAdminToken));
        ASSERT_TRUE(c.get("/api/v1/schools", "wrong-secret-token"));
        s.stop(5s);
    }
    spdlog::set_default_logger(previous);
    const std::string log = captured.str();
    EXPECT_THAT(log, HasSubstr("method=GET path=" + runsOfA() + " status=200 us="));
    EXPECT_THAT(log, HasSubstr("method=GET path=/api/v1/schools status=401"));
    EXPECT_THAT(log, ::testing::Not(HasSubstr(kAdminToken)));
    EXPECT_THAT(log, ::testing::Not(HasSubstr("wrong-secret-token")));
    EXPECT_THAT(log, ::testing::Not(HasSubstr("Bearer")));
}

}  // namespace
