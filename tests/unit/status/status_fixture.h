// What the status endpoint's tests share: a real SQLite directory in a temp folder filled
// through the store API (apply, recordRun), a fake DaemonControl, three tokens (admin, school A,
// school B) and the routes table called without sockets.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "status/daemon_control.h"
#include "status/metrics.h"
#include "status/routes.h"
#include "status/tokens.h"
#include "storage/directory.h"
#include "storage/secret_box.h"

namespace misync::statustest {

namespace fs = std::filesystem;

inline constexpr const char* kA = "6612001";        // configured, has runs and accounts
inline constexpr const char* kB = "6612002";        // configured, has runs and accounts
inline constexpr const char* kC = "6612003";        // configured, never run
inline constexpr const char* kGone = "6612004";     // runs in the directory, no longer configured
inline constexpr const char* kNowhere = "6619999";  // nothing anywhere

inline constexpr const char* kAdminToken = "4f1c0e7d-admin-bearer";
inline constexpr const char* kTokenA = "9a7b-school-a-bearer";
inline constexpr const char* kTokenB = "77c2-school-b-bearer";
inline constexpr const char* kPassword = "HappyRiver42";  // P4: must never be served

class FakeDaemon : public status::DaemonControl {
  public:
    std::vector<status::ConfiguredSchool> schools() override {
        std::lock_guard<std::mutex> lock(mutex_);
        return configured;
    }
    bool requestSync(const std::string& dfes) override {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!accepting) {
            return false;
        }
        synced.push_back(dfes);
        return true;
    }
    std::size_t queueLength() override { return 3; }

    std::vector<std::string> syncs() {
        std::lock_guard<std::mutex> lock(mutex_);
        return synced;
    }

    std::vector<status::ConfiguredSchool> configured = {
        {kA, "Ysgol A", 48, "2026-11-29T06:30:00Z"},
        {kB, "Ysgol B", 48, ""},
        {kC, "Ysgol C", 24, "2026-11-29T07:00:00Z"},
    };
    std::atomic<bool> accepting{true};

  private:
    std::mutex mutex_;
    std::vector<std::string> synced;
};

inline status::TokenSet testTokens() {
    return status::TokenSet({
        {"la-dashboard", status::Scope::parse("admin"), status::sha256(kAdminToken)},
        {"ysgol-a", status::Scope::parse(std::string("school:") + kA), status::sha256(kTokenA)},
        {"ysgol-b", status::Scope::parse(std::string("school:") + kB), status::sha256(kTokenB)},
    });
}

inline fs::path makeTempDir(const std::string& stem) {
    fs::path dir = fs::temp_directory_path() / (stem + std::to_string(std::random_device{}()));
    fs::create_directories(dir);
    return dir;
}

// The directory's content, written through the store API.
class DirectoryFiller {
  public:
    explicit DirectoryFiller(storage::Directory& d) : d_(d) {}

    static storage::RunRecord record(const std::string& school, const std::string& outcome,
                                     int day) {
        storage::RunRecord r;
        r.school = school;
        r.trigger = "schedule";
        r.connector = "sims-xml";
        char date[16];
        std::snprintf(date, sizeof date, "2026-11-%02d", day);
        r.asOf = date;
        r.startedAt = std::string(date) + "T06:29:00Z";
        r.finishedAt = std::string(date) + "T06:30:00Z";
        r.outcome = outcome;
        r.files = {{"students.xml", std::string(64, 'a'), 812}};
        return r;
    }

    // A run that changes nothing else; returns its id.
    std::int64_t run(const std::string& school, const std::string& outcome, int day,
                     const std::string& digest = "") {
        storage::RunRecord r = record(school, outcome, day);
        r.planDigest = digest;
        if (outcome == "held") {
            r.counts["deactivate"] = 40;
            r.warnings = {{"deactivation_guard", "would deactivate 40 of 50 accounts"}};
        }
        d_.recordRun(r, nullptr);
        return r.id;
    }

    // An applied run creating learners `usernames` in `school` (each with a visible password,
    // P4), all members of group "7A"; returns the run id.
    std::int64_t create(const std::string& school, const std::vector<std::string>& usernames,
                        int day) {
        reconcile::Plan p;
        p.school = school;
        reconcile::GroupState g;
        g.school = school;
        g.code = "7A";
        g.type = core::GroupType::Registration;
        if (groupsMade_.insert(school).second) {
            p.groups.push_back({g});
            reconcile::Action ga;
            ga.kind = reconcile::ActionKind::GroupCreate;
            ga.school = school;
            ga.group = "7A";
            ga.reason = "new group";
            p.actions.push_back(ga);
            ++p.counts["group_create"];
        }
        for (std::size_t i = 0; i < usernames.size(); ++i) {
            reconcile::Account a;
            a.username = usernames[i];
            a.school = school;
            a.attrs.misId = usernames[i] + "-mis";
            a.attrs.legalForename = "Aled";
            a.attrs.legalSurname = "Jones";
            a.displayName = "Aled Jones";
            a.createdAt = "2026-11-01T06:30:00Z";
            p.accounts.push_back({a, std::string(kPassword), {usernames[i]}});
            reconcile::Action act;
            act.kind = reconcile::ActionKind::Create;
            act.role = core::Role::Learner;
            act.school = school;
            act.misId = a.attrs.misId;
            act.username = a.username;
            act.reason = "new on roll";
            p.actions.push_back(act);
            ++p.counts["create"];
            p.memberships.push_back({school, "7A", 0, static_cast<int>(p.accounts.size() - 1), true,
                                     usernames[i], core::Role::Learner});
            ++p.counts["membership_add"];
        }
        storage::RunRecord r = record(school, "applied", day);
        r.counts = p.counts;
        r.actions = p.actions;
        d_.apply(p, r, box_, nullptr);
        return r.id;
    }

    // An applied run of `to` taking over `username` from `from` (R7); returns the run id.
    std::int64_t transfer(const std::string& username, const std::string& from,
                          const std::string& to, int day) {
        auto row = d_.findAccount(username);
        EXPECT_TRUE(row.has_value()) << username;
        reconcile::Plan p;
        p.school = to;
        reconcile::Account a = row->account;
        a.school = to;
        p.accounts.push_back({a, std::nullopt, {}});
        reconcile::Action act;
        act.kind = reconcile::ActionKind::Transfer;
        act.role = a.role;
        act.school = to;
        act.fromSchool = from;
        act.username = username;
        act.reason = "on roll at " + to;
        p.actions.push_back(act);
        ++p.counts["transfer"];
        storage::RunRecord r = record(to, "applied", day);
        r.counts = p.counts;
        r.actions = p.actions;
        d_.apply(p, r, box_, nullptr);
        return r.id;
    }

  private:
    storage::Directory& d_;
    storage::SecretBox box_{std::array<unsigned char, 32>{7, 1, 3}};
    std::set<std::string> groupsMade_;
};

// Calls the routes table the way the server does, without sockets.
class RoutesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = makeTempDir("misync-status-routes-");
        store_ = storage::Directory::open({"sqlite", (dir_ / "directory.db").string(), ""});
    }
    void TearDown() override {
        store_.reset();
        fs::remove_all(dir_);
    }

    status::Response call(const std::string& method, const std::string& target,
                          const std::string& token = "", bool tls = false) {
        const std::string auth = token.empty() ? "" : "Bearer " + token;
        status::Env env{*store_, daemon_, metrics_, "0.1.0-test", now_, tls};
        try {
            const auto req = status::Request::make(method, target, auth);
            return router_.handle(req, tokens_, env);
        } catch (const status::RequestError& e) {
            // What the server answers for a target Request::make refuses.
            status::Response r = status::errorResponse(e.status(), e.what());
            status::finish(r, tls);
            return r;
        }
    }
    static boost::json::value body(const status::Response& r) { return boost::json::parse(r.body); }

    fs::path dir_;
    std::unique_ptr<storage::Directory> store_;
    FakeDaemon daemon_;
    status::Metrics metrics_;
    status::TokenSet tokens_ = testTokens();
    status::Router router_;
    // 2026-11-28T12:00:00Z
    std::chrono::system_clock::time_point now_{std::chrono::seconds(1795867200)};
};

}  // namespace misync::statustest
