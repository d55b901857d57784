// The status endpoint of the real daemon (SPEC §9, §9.1, §9.2, §9.3), over loopback on a free
// port: every route with an admin token, a school token, a wrong token and none; 413 from the
// headers; TLS with a certificate the test makes with openssl; POST …/sync merged into one
// queued run; approve over HTTP; the change feed read to its end while a run writes; reload of
// tokens and of the listener (and a bad reload that keeps the old); SIGTERM.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <tuple>

#include "daemon_fixture.h"
#include "status/tokens.h"
#include "tests/unit/status/http_client.h"

namespace misync::e2e {
namespace {

using statustest::Client;
using statustest::HttpResponse;
using statustest::TlsClient;
using testsupport::freePort;
namespace http = boost::beast::http;

constexpr const char* kA = "6612345";
constexpr const char* kB = "6612346";
constexpr const char* kNowhere = "6619999";
constexpr const char* kAdmin = "adm1n-Bearer-0f9e8d";
constexpr const char* kTokenA = "schoolA-Bearer-77aa";
constexpr const char* kTokenB = "schoolB-Bearer-3c3c";
constexpr const char* kWrong = "not-a-token-at-all";

json::value body(const std::optional<HttpResponse>& r) {
    return r ? parseJson(r->body()) : json::value();
}

class DaemonHttpTest : public DaemonTest {
  protected:
    // Two schools with 6 learners each, their first runs applied by the daemon, and the
    // endpoint's port. `top` adds to the configuration ([status] gets tokens_file either way).
    unsigned short startWithTwoSchools(const std::string& status = "listen = \"127.0.0.1:0\"\n",
                                       const std::string& top = "") {
        writeFile(dir() / "tokens.toml",
                  tokensToml({{"la-admin", "admin", kAdmin},
                              {"school-a", std::string("school:") + kA, kTokenA},
                              {"school-b", std::string("school:") + kB, kTokenB}}));
        writeSchool(kA, {someLearners(kA, 6), {}, {}});
        writeSchool(kB, {someLearners(kB, 6, 100), {}, {}});
        writeConfigWith(
            {{kA, "Ysgol A", "settle_seconds = 1\n"}, {kB, "Ysgol B", "settle_seconds = 1\n"}},
            "[status]\n" + status + "tokens_file = " + quoted(dir() / "tokens.toml") + "\n" + top);
        startDaemon();
        const unsigned short port = statusPort();
        awaitRunCount(kA, 1);
        awaitRunCount(kB, 1);
        return port;
    }
    static std::string quoted(const fs::path& p) { return "\"" + p.string() + "\""; }

    // GET with a fresh connection each time (no state carried between checks).
    std::optional<HttpResponse> get(unsigned short port, const std::string& target,
                                    const std::string& token = "") {
        Client c(port);
        EXPECT_FALSE(c.connectError) << c.connectError.message();
        return c.get(target, token);
    }
    std::optional<HttpResponse> post(unsigned short port, const std::string& target,
                                     const std::string& token = "") {
        Client c(port);
        return c.request(http::verb::post, target, token);
    }
    int status(const std::optional<HttpResponse>& r) { return r ? r->result_int() : 0; }

    void stopAndExpectZero() {
        signalDaemon(SIGTERM);
        Result r = finishDaemon();
        EXPECT_EQ(r.status, 0) << r.err;
        for (const char* token : {kAdmin, kTokenA, kTokenB}) {
            EXPECT_EQ(daemonLog().find(token), std::string::npos) << "a token reached the log";
        }
    }
};

TEST_F(DaemonHttpTest, EveryRouteAnswersEachScopeAndRefusesTheRest) {
    const unsigned short port = startWithTwoSchools();
    const std::int64_t runA = num(runsOf(kA)[0], "run_id");
    const std::int64_t runB = num(runsOf(kB)[0], "run_id");

    // Public: /healthz and the page, with the security headers.
    auto health = get(port, "/healthz");
    ASSERT_EQ(status(health), 200);
    EXPECT_EQ(json::serialize(body(health)), R"({"status":"ok"})");
    auto page = get(port, "/");
    ASSERT_EQ(status(page), 200);
    EXPECT_NE(std::string((*page)[http::field::content_type]).find("text/html"), std::string::npos);
    EXPECT_NE(std::string((*page)["Content-Security-Policy"]).find("default-src 'self'"),
              std::string::npos);
    EXPECT_EQ((*page)["X-Content-Type-Options"], "nosniff");

    // Every route that needs a token: 401 without one and with a wrong one.
    const std::vector<std::string> reads{
        "/metrics", "/api/v1/schools", std::string("/api/v1/schools/") + kA + "/runs",
        "/api/v1/runs/" + std::to_string(runA), "/api/v1/changes?since=0"};
    for (const auto& target : reads) {
        auto none = get(port, target);
        EXPECT_EQ(status(none), 401) << target;
        if (none) {
            EXPECT_NE(std::string((*none)[http::field::www_authenticate]).find("Bearer"),
                      std::string::npos);
        }
        EXPECT_EQ(status(get(port, target, kWrong)), 401) << target;
        EXPECT_EQ(status(get(port, target, kAdmin)), 200) << target;
        EXPECT_EQ(status(get(port, target, kTokenA)), 200) << target;
    }
    EXPECT_EQ(status(post(port, std::string("/api/v1/schools/") + kA + "/sync")), 401);
    EXPECT_EQ(status(post(port, std::string("/api/v1/schools/") + kA + "/sync", kWrong)), 401);
    EXPECT_EQ(status(post(port, "/api/v1/runs/" + std::to_string(runA) + "/approve")), 401);

    // GET /api/v1/schools: the admin sees both, a school token only its own.
    auto all = body(get(port, "/api/v1/schools", kAdmin)).as_object().at("schools").as_array();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(str(all[0], "school"), kA);
    EXPECT_EQ(str(all[0], "name"), "Ysgol A");
    EXPECT_EQ(num(all[0].at("last_run"), "id"), runA);
    EXPECT_EQ(num(all[0].at("last_run"), "run_id"), runA);
    EXPECT_EQ(str(all[0].at("last_run"), "outcome"), "applied");
    EXPECT_FALSE(all[0].at("last_success_at").is_null());
    EXPECT_EQ(num(all[0], "consecutive_failures"), 0);
    EXPECT_TRUE(all[0].at("held_run").is_null());
    EXPECT_EQ(all[0].at("stale"), json::value(false));
    EXPECT_EQ(str(all[1], "school"), kB);
    auto mine = body(get(port, "/api/v1/schools", kTokenA)).as_object().at("schools").as_array();
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_EQ(str(mine[0], "school"), kA);

    // Another school's runs, one of its runs, a school that does not exist: 403 alike for a
    // school token (no hint which exist); the admin gets the data, or 404 for what is not there.
    const std::string runsB = std::string("/api/v1/schools/") + kB + "/runs";
    auto forbidden = get(port, runsB, kTokenA);
    auto nowhere = get(port, std::string("/api/v1/schools/") + kNowhere + "/runs", kTokenA);
    EXPECT_EQ(status(forbidden), 403);
    EXPECT_EQ(status(nowhere), 403);
    ASSERT_TRUE(forbidden && nowhere);
    EXPECT_EQ(forbidden->body(), nowhere->body());
    EXPECT_EQ(status(get(port, "/api/v1/runs/" + std::to_string(runB), kTokenA)), 403);
    EXPECT_EQ(status(get(port, "/api/v1/runs/999999", kTokenA)), 403);
    EXPECT_EQ(status(post(port, runsB.substr(0, runsB.size() - 4) + "sync", kTokenA)), 403);
    EXPECT_EQ(status(get(port, std::string("/api/v1/schools/") + kNowhere + "/runs", kAdmin)), 404);
    EXPECT_EQ(status(get(port, "/api/v1/runs/999999", kAdmin)), 404);

    auto runs = body(get(port, runsB, kTokenB)).as_object().at("runs").as_array();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(num(runs[0], "run_id"), runB);
    EXPECT_FALSE(runs[0].as_object().contains("actions"));
    auto run = body(get(port, "/api/v1/runs/" + std::to_string(runB) + "?limit=2", kAdmin));
    EXPECT_EQ(num(run, "run_id"), runB);
    EXPECT_EQ(run.at("actions").as_array().size(), 2u);
    EXPECT_GT(num(run, "actions_total"), 2);
    EXPECT_EQ(run.as_object().find("password"), run.as_object().end());

    // The change feed: a school token sees only its school's changes.
    auto feedA = body(get(port, "/api/v1/changes?since=0&limit=10000", kTokenA));
    auto feedAll = body(get(port, "/api/v1/changes?since=0&limit=10000", kAdmin));
    std::size_t ofA = 0;
    for (const auto& c : feedAll.at("changes").as_array()) {
        ofA += str(c, "school") == kA ? 1 : 0;
    }
    EXPECT_GT(ofA, 0u);
    EXPECT_EQ(feedA.at("changes").as_array().size(), ofA);
    for (const auto& c : feedA.at("changes").as_array()) {
        EXPECT_EQ(str(c, "school"), kA);
    }

    // Metrics: Prometheus text; a school token sees only its school's series.
    auto metrics = get(port, "/metrics", kAdmin);
    ASSERT_EQ(status(metrics), 200);
    EXPECT_NE(std::string((*metrics)[http::field::content_type]).find("text/plain"),
              std::string::npos);
    for (const std::string name :
         {"misync_runs_total", "misync_actions_total", "misync_run_duration_seconds_bucket",
          "misync_last_success_timestamp_seconds", "misync_school_stale", "misync_queue_length",
          "misync_notify_failures_total", "misync_build_info"}) {
        EXPECT_NE(metrics->body().find(name), std::string::npos) << name;
    }
    EXPECT_NE(metrics->body().find(std::string("misync_runs_total{school=\"") + kB),
              std::string::npos)
        << metrics->body();
    auto metricsA = get(port, "/metrics", kTokenA);
    ASSERT_EQ(status(metricsA), 200);
    EXPECT_EQ(metricsA->body().find(kB), std::string::npos) << metricsA->body();

    // A route that exists with another method, and one that does not exist.
    EXPECT_EQ(status(get(port, std::string("/api/v1/schools/") + kA + "/sync", kAdmin)), 405);
    EXPECT_EQ(status(get(port, "/api/v1/nothing", kAdmin)), 404);

    stopAndExpectZero();
    Client after(port);
    EXPECT_TRUE(after.connectError) << "still listening after SIGTERM";
}

TEST_F(DaemonHttpTest, ABodyOver1MiBIs413FromItsHeadersAlone) {
    const unsigned short port = startWithTwoSchools();
    Client c(port);
    ASSERT_FALSE(c.connectError);
    // Only the headers are sent: the answer must come without the body.
    ASSERT_FALSE(c.writeRaw(std::string("POST /api/v1/schools/") + kA +
                            "/sync HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kAdmin +
                            "\r\nContent-Type: application/json\r\n"
                            "Content-Length: 2097152\r\n\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r) << c.error.message();
    EXPECT_EQ(r->result_int(), 413);
    // Refused before anything was queued: no run of A besides the first.
    EXPECT_EQ(runsOf(kA).size(), 1u);
    EXPECT_EQ(status(get(port, "/healthz")), 200);  // and it keeps serving
    stopAndExpectZero();
}

TEST_F(DaemonHttpTest, ServesTlsWithASelfSignedCertificate) {
    const fs::path cert = dir() / "cert.pem";
    const fs::path key = dir() / "key.pem";
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
        "-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 -keyout '" +
        key.string() + "' -out '" + cert.string() + "' 2>'" + (dir() / "openssl.log").string() +
        "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const unsigned short port =
        startWithTwoSchools("listen = \"127.0.0.1:0\"\ntls_certificate = " + quoted(cert) +
                            "\ntls_private_key = " + quoted(key) + "\n");
    EXPECT_EQ(logCount("(TLS, "), 1);

    TlsClient tls(port, cert.string());
    ASSERT_FALSE(tls.connectError) << tls.connectError.message();
    auto schools = tls.get("/api/v1/schools", kTokenB);
    ASSERT_TRUE(schools) << tls.error.message();
    EXPECT_EQ(schools->result_int(), 200);
    EXPECT_NE(std::string((*schools)["Strict-Transport-Security"]), "");
    auto again = tls.get("/healthz");  // keep-alive over TLS
    ASSERT_TRUE(again);
    EXPECT_EQ(again->result_int(), 200);

    // Plain HTTP on the TLS port gets no answer.
    Client plain(port);
    ASSERT_FALSE(plain.connectError);
    auto refused = plain.get("/healthz");
    EXPECT_FALSE(refused && refused->result_int() == 200);

    // A reload reads the certificate again: a broken one refuses the reload, and the endpoint
    // keeps serving the certificate it has.
    fs::copy_file(cert, dir() / "ca.pem");
    writeFile(cert, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
    signalDaemon(SIGHUP);
    ASSERT_TRUE(awaitLog("refused; the previous configuration keeps running"));
    EXPECT_NE(daemonLog().find("status.tls_certificate"), std::string::npos);
    TlsClient later(port, (dir() / "ca.pem").string());
    ASSERT_FALSE(later.connectError) << later.connectError.message();
    auto still = later.get("/api/v1/schools", kTokenB);
    ASSERT_TRUE(still);
    EXPECT_EQ(still->result_int(), 200);
    stopAndExpectZero();
}

TEST_F(DaemonHttpTest, SyncRequestsMergeIntoOneQueuedRun) {
    const unsigned short port = startWithTwoSchools();
    HeldSchool lease = holdSchool(kA);  // a run of A now waits for the school's lease (S7)
    ASSERT_TRUE(lease.held());
    const std::string sync = std::string("/api/v1/schools/") + kA + "/sync";
    auto first = post(port, sync, kTokenA);
    ASSERT_EQ(status(first), 202);
    EXPECT_EQ(json::serialize(body(first)),
              std::string(R"({"school":")") + kA + R"(","trigger":"api","queued":true})");
    ASSERT_TRUE(awaitWaiters(kA, 1));  // the run is under way, waiting for the lease
    EXPECT_EQ(status(post(port, sync, kTokenA)), 202);
    EXPECT_EQ(status(post(port, sync, kAdmin)), 202);
    EXPECT_EQ(status(post(port, sync, kTokenA)), 202);
    // The endpoint answers while a run waits.
    EXPECT_EQ(status(get(port, "/api/v1/schools", kTokenA)), 200);
    lease.release();
    json::array runs = awaitRunCount(kA, 3);  // the first, the API's run, the merged one
    EXPECT_EQ(str(runs[0], "trigger"), "api");
    EXPECT_EQ(str(runs[1], "trigger"), "api");
    ASSERT_TRUE(awaitLog("trigger=api", 2));
    std::this_thread::sleep_for(1500ms);  // nothing more comes of the merged requests
    EXPECT_EQ(runsOf(kA).size(), 3u);
    stopAndExpectZero();
}

TEST_F(DaemonHttpTest, ApproveOverHttpLetsTheNextRunApply) {
    writeFile(dir() / "tokens.toml",
              tokensToml({{"la-admin", "admin", kAdmin},
                          {"school-a", std::string("school:") + kA, kTokenA},
                          {"school-b", std::string("school:") + kB, kTokenB}}));
    writeSchool(kA, {someLearners(kA, 40), {}, {}});
    writeConfigWith({{kA, "", "settle_seconds = 1\n"}, {kB, "", ""}},
                    "[status]\nlisten = \"127.0.0.1:0\"\ntokens_file = " +
                        quoted(dir() / "tokens.toml") + "\n");
    startDaemon();
    const unsigned short port = statusPort();
    awaitRunCount(kA, 1);
    writeSchool(kA, {someLearners(kA, 10), {}, {}});  // 30 of 40 would be deactivated: S3
    json::array runs = awaitRunCount(kA, 2);
    ASSERT_EQ(str(runs[0], "outcome"), "held");
    const std::string held = std::to_string(num(runs[0], "run_id"));

    auto schools = body(get(port, "/api/v1/schools", kTokenA)).at("schools").as_array();
    EXPECT_EQ(num(schools[0], "held_run"), num(runs[0], "run_id"));
    // Another school's token may not approve it, and may not learn it exists.
    EXPECT_EQ(status(post(port, "/api/v1/runs/" + held + "/approve", kTokenB)), 403);
    auto approved = post(port, "/api/v1/runs/" + held + "/approve", kTokenA);
    ASSERT_EQ(status(approved), 200) << (approved ? approved->body() : "");
    EXPECT_EQ(str(body(approved), "approved_by"), "school-a");
    EXPECT_EQ(str(body(approved), "school"), kA);
    // Twice: S3 refuses (409), naming why.
    auto twice = post(port, "/api/v1/runs/" + held + "/approve", kAdmin);
    EXPECT_EQ(status(twice), 409);
    // Approving a run that was not held: 409 too.
    EXPECT_EQ(
        status(post(port, "/api/v1/runs/" + std::to_string(num(runs[1], "run_id")) + "/approve",
                    kAdmin)),
        409);

    ASSERT_EQ(status(post(port, std::string("/api/v1/schools/") + kA + "/sync", kTokenA)), 202);
    runs = awaitRunCount(kA, 3);
    EXPECT_EQ(str(runs[0], "outcome"), "applied");
    EXPECT_EQ(str(runs[0], "trigger"), "api");
    EXPECT_EQ(countOf(runs[0].as_object(), "deactivate"), 30);
    Result shown = misync({"show-run", std::to_string(num(runs[0], "run_id")), "--json"});
    ASSERT_EQ(shown.status, 0) << shown.err;
    EXPECT_EQ(std::to_string(num(parseJson(shown.out), "approved_run")), held);
    stopAndExpectZero();
}

TEST_F(DaemonHttpTest, TheChangeFeedReadToItsEndWhileARunWritesHasNoGapsOrRepeats) {
    const unsigned short port = startWithTwoSchools();
    // A bigger run of B starts; the feed is read in small pages meanwhile, then to its end.
    writeSchool(kB, {someLearners(kB, 300, 100), {}, {}});
    std::vector<std::int64_t> seen;
    std::int64_t since = 0;
    bool runDone = false;
    for (int round = 0; round < 10000; ++round) {
        auto page =
            body(get(port, "/api/v1/changes?since=" + std::to_string(since) + "&limit=7", kAdmin));
        ASSERT_TRUE(page.is_object());
        const auto& changes = page.at("changes").as_array();
        for (const auto& c : changes) {
            seen.push_back(num(c, "seq"));
        }
        since = page.at("next").to_number<std::int64_t>();
        if (changes.empty()) {
            if (runDone) {
                break;
            }
            std::size_t finished = 0;  // a run in flight shows as `running` until it ends
            for (const auto& r : runsOf(kB)) {
                finished += str(r, "outcome") != "running" ? 1 : 0;
            }
            runDone = finished >= 2;
            std::this_thread::sleep_for(20ms);
        }
    }
    // Everything the log holds, once each, in order: what `misync changes` lists.
    Result all = misync({"changes", "--since", "0", "--limit", "10000", "--json"});
    ASSERT_EQ(all.status, 0) << all.err;
    std::vector<std::int64_t> expected;
    const json::value log = parseJson(all.out);
    for (const auto& c : log.at("changes").as_array()) {
        expected.push_back(num(c, "seq"));
    }
    EXPECT_GT(expected.size(), 300u);
    EXPECT_EQ(seen, expected);
    EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()).size(), seen.size());
    stopAndExpectZero();
}

TEST_F(DaemonHttpTest, ReloadSwapsTokensAndTheListenerAndABadOneKeepsTheOld) {
    const unsigned short port = startWithTwoSchools();
    ASSERT_EQ(status(get(port, "/api/v1/schools", kTokenA)), 200);

    // New tokens: the old school token is refused, the new one accepted.
    const std::string fresh = "fresh-Bearer-after-reload";
    writeFile(dir() / "tokens.toml",
              tokensToml({{"la-admin", "admin", kAdmin},
                          {"school-a2", std::string("school:") + kA, fresh}}));
    signalDaemon(SIGHUP);
    ASSERT_TRUE(awaitLog("status: tokens reloaded"));
    EXPECT_EQ(status(get(port, "/api/v1/schools", kTokenA)), 401);
    EXPECT_EQ(status(get(port, "/api/v1/schools", fresh)), 200);

    // A bad tokens file refuses the whole reload: the tokens in force stay.
    writeFile(dir() / "tokens.toml", "[[token]]\nname = \"x\"\nscope = \"school:123\"\n");
    signalDaemon(SIGHUP);
    ASSERT_TRUE(awaitLog("refused; the previous configuration keeps running"));
    EXPECT_NE(daemonLog().find("tokens.toml"), std::string::npos);
    EXPECT_EQ(status(get(port, "/api/v1/schools", fresh)), 200);

    // A new listen address: the new one answers, then the old one closes.
    writeFile(dir() / "tokens.toml", tokensToml({{"la-admin", "admin", kAdmin}}));
    const unsigned short next = freePort();
    std::string text;
    {
        std::ifstream in(config());
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const auto at = text.find("listen = \"127.0.0.1:0\"");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, std::string("listen = \"127.0.0.1:0\"").size(),
                 "listen = \"127.0.0.1:" + std::to_string(next) + "\"");
    writeFile(config(), text);
    signalDaemon(SIGHUP);
    ASSERT_EQ(statusPort(2), next);
    // The second successful reload's line, after the old listener has closed (the first one's
    // is there already: awaiting it alone raced the closing).
    ASSERT_TRUE(awaitLog("reloaded " + config().string(), 2));
    EXPECT_EQ(status(get(next, "/api/v1/schools", kAdmin)), 200);
    Client old(port);
    EXPECT_TRUE(old.connectError) << "the old listener still answers";
    stopAndExpectZero();
}

// `misync check-config` refuses what the daemon would refuse at start-up: the tokens file's
// entries and the TLS pair, naming the file and the entry.
TEST_F(DaemonHttpTest, CheckConfigChecksTheTokensFileAndTheTlsFiles) {
    writeFile(dir() / "tokens.toml", tokensToml({{"la-admin", "admin", kAdmin}}));
    const std::string status =
        "[status]\nlisten = \"127.0.0.1:0\"\ntokens_file = " + quoted(dir() / "tokens.toml") + "\n";
    writeConfigWith({{kA, "", ""}}, status);
    Result ok = misync({"check-config"});
    EXPECT_EQ(ok.status, 0) << ok.err;
    EXPECT_NE(ok.out.find("Status endpoint: 127.0.0.1:0, plain HTTP, 1 token."), std::string::npos)
        << ok.out;

    writeFile(dir() / "tokens.toml",
              "[[token]]\nname = \"x\"\nscope = \"school:12\"\n"
              "sha256 = \"abc\"\n");
    Result bad = misync({"check-config"});
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.err.find("tokens.toml:3"), std::string::npos) << bad.err;
    EXPECT_NE(bad.err.find("token[1].scope"), std::string::npos) << bad.err;

    writeFile(dir() / "tokens.toml", tokensToml({{"la-admin", "admin", kAdmin}}));
    writeFile(dir() / "cert.pem", "not a certificate\n");
    writeFile(dir() / "key.pem", "not a key\n");
    writeConfigWith({{kA, "", ""}}, status + "tls_certificate = " + quoted(dir() / "cert.pem") +
                                        "\ntls_private_key = " + quoted(dir() / "key.pem") + "\n");
    Result tls = misync({"check-config"});
    EXPECT_EQ(tls.status, 2);
    EXPECT_NE(tls.err.find("status.tls_certificate"), std::string::npos) << tls.err;
    EXPECT_NE(tls.err.find("cert.pem"), std::string::npos) << tls.err;
}

}  // namespace
}  // namespace misync::e2e
