// `misync daemon` notifications end to end (SPEC §9.1): a receiver the test runs on a free
// loopback port gets the run summary POSTed with the bearer token (from a systemd credential);
// a 500 is retried; a school failing twice for the same reason notifies once; its recovery
// notifies `recovered`, saying what from. Neither the token nor the URL's path reaches the log.
#include <gtest/gtest.h>
#include <signal.h>

#include "daemon_fixture.h"

namespace misync::e2e {
namespace {

constexpr const char* kA = "6612345";
constexpr const char* kToken = "n0tify-Secret_Token";

json::object bodyOf(const HttpReceiver::Request& r) {
    json::value v = parseJson(r.body);
    return v.is_object() ? v.as_object() : json::object{};
}

std::string eventOf(const HttpReceiver::Request& r) {
    json::object b = bodyOf(r);
    const json::value* n = b.if_contains("notification");
    return n != nullptr ? str(*n, "event") : std::string();
}

TEST_F(DaemonTest, FailuresNotifyOnceRetriedAndRecoveryNotifiesRecovered) {
    HttpReceiver receiver({500});  // the first attempt is answered 500, the rest 200
    fs::create_directories(dir() / "credentials");
    writeFile(dir() / "credentials" / "notify-token", std::string(kToken) + "\n");
    const std::string url =
        "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hooks/secret-path";
    // A school whose students.xml cannot be parsed: the start-up check runs it, it fails.
    writeSchool(kA, {someLearners(kA, 4), {}, {}});
    writeFile(schoolDir(kA) / "students.xml", "<SuperStarReport><Record><ID>1</ID>");
    writeConfigWith({{kA, "", "settle_seconds = 1\n"}},
                    "[[notify]]\nurl = \"" + url +
                        "\"\non = [\"failed\"]\ntoken_file = \"credential:notify-token\"\n");
    commandEnv = {{"CREDENTIALS_DIRECTORY", (dir() / "credentials").string()}};
    startDaemon(commandEnv);

    json::array runs = awaitRunCount(kA, 1);
    EXPECT_EQ(str(runs[0], "outcome"), "failed");
    const std::int64_t firstFailure = num(runs[0], "run_id");
    auto got = receiver.await(2);  // 500, then delivered on the retry
    ASSERT_GE(got.size(), 2u);
    for (const auto& r : got) {
        EXPECT_EQ(r.requestLine, "POST /hooks/secret-path HTTP/1.1");
        EXPECT_EQ(r.headers.at("authorization"), std::string("Bearer ") + kToken);
        EXPECT_EQ(r.headers.at("content-type"), "application/json");
        EXPECT_EQ(eventOf(r), "failed");
        json::object b = bodyOf(r);
        EXPECT_EQ(num(b, "run_id"), firstFailure);
        EXPECT_EQ(str(b, "outcome"), "failed");
        EXPECT_FALSE(b.contains("actions"));  // SPEC §8 RUN without actions
        EXPECT_TRUE(b.contains("counts"));
    }
    EXPECT_EQ(got[0].body, got[1].body);
    ASSERT_TRUE(awaitLog("event=failed: delivered (attempt 2)"));

    // Broken again, the same way: a run that fails for the same reason, and no notification.
    writeFile(schoolDir(kA) / "students.xml", "<SuperStarReport><Record><ID>2</ID>");
    runs = awaitRunCount(kA, 2);
    EXPECT_EQ(str(runs[0], "outcome"), "failed");

    // Mended: the run applies, and the target hears that the school recovered from the failure.
    writeSchool(kA, {someLearners(kA, 4), {}, {}});
    runs = awaitRuns(
        kA, [](const json::array& r) { return !r.empty() && str(r[0], "outcome") == "applied"; });
    got = receiver.await(3);
    ASSERT_EQ(got.size(), 3u) << "the second failure must not notify";
    EXPECT_EQ(eventOf(got[2]), "recovered");
    json::object recovered = bodyOf(got[2]);
    EXPECT_EQ(num(recovered, "run_id"), num(runs[0], "run_id"));
    const json::value& n = recovered.at("notification");
    EXPECT_EQ(str(n.at("recovered_from"), "event"), "failed");
    EXPECT_EQ(num(n.at("recovered_from"), "run_id"), firstFailure);
    EXPECT_NE(str(n, "reason").find("recovered from failed: source_unreadable"), std::string::npos)
        << str(n, "reason");

    // A command run by hand needs no notify token: it does not look the credential up.
    Result byHand = misync({"history", "--school", kA});
    EXPECT_EQ(byHand.status, 0) << byHand.err;
    EXPECT_EQ(misync({"check-config"}).status, 2);  // check-config checks everything

    signalDaemon(SIGTERM);
    Result r = finishDaemon();
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.err.find(kToken), std::string::npos) << "the token reached the log";
    EXPECT_EQ(r.err.find("secret-path"), std::string::npos) << "the URL's path reached the log";
    EXPECT_NE(r.err.find("notify target=http://127.0.0.1:" + std::to_string(receiver.port())),
              std::string::npos);
}

}  // namespace
}  // namespace misync::e2e

namespace misync::e2e {
namespace {

// A run found interrupted while the daemon runs (docs/reliability.md: when a worker takes the
// school's lease, not only at start-up) is notified as a failure, and the run that follows it
// notifies the school's recovery from it.
TEST_F(DaemonTest, ARunFoundInterruptedWhileTheDaemonRunsNotifiesAsAFailure) {
    HttpReceiver receiver({});
    const std::string url = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook";
    writeSchool(kA, {someLearners(kA, 3), {}, {}});
    writeConfigWith({{kA, "", "settle_seconds = 1\n"}},
                    "[[notify]]\nurl = \"" + url + "\"\non = [\"failed\"]\n");
    startDaemon();
    json::array runs = awaitRunCount(kA, 1);
    ASSERT_EQ(str(runs[0], "outcome"), "applied");

    // A process that started a run of the school and died: its `running` row, no owner lock.
    const std::int64_t dead = markRunningRow(*directory().open(), kA);
    ASSERT_NE(dead, 0);
    writeSchool(kA, {someLearners(kA, 4), {}, {}});  // the drop folder changes: a run
    runs = awaitRuns(kA, [](const json::array& r) {
        return r.size() >= 3 && str(r[0], "outcome") == "applied";
    });
    auto got = receiver.await(2);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(eventOf(got[0]), "failed");
    EXPECT_EQ(num(bodyOf(got[0]), "run_id"), dead);
    EXPECT_EQ(str(bodyOf(got[0]), "outcome"), "interrupted");
    EXPECT_EQ(eventOf(got[1]), "recovered");
    EXPECT_EQ(num(bodyOf(got[1]), "run_id"), num(runs[0], "run_id"));
    EXPECT_EQ(logCount("run=" + std::to_string(dead) + " outcome=interrupted"), 1);

    signalDaemon(SIGTERM);
    EXPECT_EQ(finishDaemon().status, 0);
}

}  // namespace
}  // namespace misync::e2e
