// Kill trials (issue 9, docs/reliability.md): the real `misync run` (and in some trials
// `misync daemon`) over several generated schools is sent SIGKILL after a random delay, many
// times, on each backend. After every kill:
//  - the directory is as after some prefix of the pass's runs, complete (R14: each school
//    untouched or complete), and the runs recorded with a final outcome are exactly that prefix's;
//  - no username, alias or UPN is held twice (U3, R1);
//  - the killed process's `running` rows are marked `interrupted` by the next start, and none is
//    left `running`;
//  - a rerun converges to the directory an uninterrupted pass gives.
// The trials are seeded (MISYNC_KILL_SEED replays one series; MISYNC_KILL_TRIALS sets how many);
// the seed and the figures are printed at the end.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/pg_server.h"
#include "tests/support/process.h"
#include "tests/support/test_directory.h"

using namespace misync;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string readText(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void writeText(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
}

std::string quoted(const std::string& s) {
    std::string q = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            q += '\\';
        }
        q += c;
    }
    return q + "\"";
}

// The trial's directory database, restored to a saved state before each trial: SQLite by copying
// the file, PostgreSQL by CREATE DATABASE … TEMPLATE.
class TrialDatabase {
  public:
    virtual ~TrialDatabase() = default;
    virtual std::string directoryToml() const = 0;
    // Saves the current database as `name` (no misync process may have it open).
    virtual void save(const std::string& name) = 0;
    // The current database becomes a copy of the one saved as `name`.
    virtual void restore(const std::string& name) = 0;
    // Rows as `col|col|…\n`.
    virtual std::string query(const std::string& sql) = 0;
};

class SqliteTrialDatabase : public TrialDatabase {
  public:
    explicit SqliteTrialDatabase(fs::path dir) : dir_(std::move(dir)), db_(dir_ / "directory.db") {}
    std::string directoryToml() const override {
        return "[directory]\nbackend = \"sqlite\"\npath = " + quoted(db_.string()) + "\n";
    }
    void save(const std::string& name) override {
        for (const char* ext : {"", "-wal"}) {
            const fs::path from = db_.string() + ext;
            const fs::path to = (dir_ / name).string() + ".db" + ext;
            fs::remove(to);
            if (fs::exists(from)) {
                fs::copy_file(from, to);
            }
        }
    }
    void restore(const std::string& name) override {
        for (const char* ext : {"", "-wal", "-shm"}) {
            fs::remove(db_.string() + ext);
            const fs::path from = (dir_ / name).string() + ".db" + ext;
            if (fs::exists(from)) {
                fs::copy_file(from, db_.string() + ext);
            }
        }
    }
    std::string query(const std::string& sql) override {
        return testsupport::TestDirectory(testsupport::Backend::Sqlite, db_).query(sql);
    }

  private:
    fs::path dir_;
    fs::path db_;
};

class PgTrialDatabase : public TrialDatabase {
  public:
    explicit PgTrialDatabase(testsupport::PgServer& server)
        : server_(server), prefix_(testsupport::PgEnvironment::freshDatabaseName()) {
        current_ = prefix_ + "_trial";
        EXPECT_EQ(server_.createDatabase(current_), "");
    }
    ~PgTrialDatabase() override {
        server_.dropDatabase(current_);
        for (const auto& n : saved_) {
            server_.dropDatabase(n);
        }
    }
    std::string directoryToml() const override {
        return "[directory]\nbackend = \"postgresql\"\nconnection = " +
               quoted(server_.conninfo(current_)) + "\n";
    }
    void save(const std::string& name) override {
        const std::string to = prefix_ + "_" + name;
        server_.dropDatabase(to);
        copy(current_, to);
        saved_.insert(to);
    }
    void restore(const std::string& name) override {
        server_.dropDatabase(current_);  // WITH (FORCE): a killed process's session goes too
        copy(prefix_ + "_" + name, current_);
    }
    std::string query(const std::string& sql) override {
        std::string out;
        EXPECT_EQ(server_.psql(sql, &out, current_), 0) << sql << ": " << out;
        return out;
    }

  private:
    void copy(const std::string& from, const std::string& to) {
        std::string out;
        // A killed process's backend may linger for a moment, and a template must be unused.
        for (int attempt = 0; attempt < 100; ++attempt) {
            if (server_.psql("CREATE DATABASE " + to + " TEMPLATE " + from, &out) == 0) {
                return;
            }
            if (out.find("being accessed by other users") == std::string::npos) {
                break;
            }
            server_.psql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + from +
                "' AND pid <> pg_backend_pid()");
            std::this_thread::sleep_for(50ms);
        }
        ADD_FAILURE() << "CREATE DATABASE " << to << " TEMPLATE " << from << ": " << out;
    }
    testsupport::PgServer& server_;
    std::string prefix_;
    std::string current_;
    std::set<std::string> saved_;
};

// Everything a run may change, without ids (PostgreSQL's sequences are not rolled back),
// clock times or sealed passwords: what two directories built at different times share.
std::string directoryState(TrialDatabase& db) {
    std::string s = "accounts\n";
    s += db.query(
        "SELECT username, role, source, school, mis_id, upn, legal_forename, legal_surname, "
        "preferred_forename, preferred_surname, display_name, year_group, reg_group, "
        "enrolment_status, status, owner_on_roll, consent, digital_champion, name_locked, "
        "admin_deactivated FROM accounts ORDER BY username");
    s += "usernames\n";
    s += db.query(
        "SELECT u.name, a.username, u.is_alias FROM usernames u JOIN accounts a ON a.id = "
        "u.account_id ORDER BY u.name");
    s += "groups\n";
    s += db.query(
        "SELECT school, code, type, subject, year_group, archived FROM groups ORDER BY school, "
        "code");
    s += "memberships\n";
    s += db.query(
        "SELECT g.school, g.code, a.username FROM memberships m JOIN groups g ON g.id = "
        "m.group_id JOIN accounts a ON a.id = m.account_id ORDER BY g.school, g.code, "
        "a.username");
    s += "claims\n";
    s += db.query(
        "SELECT c.school, a.username, c.role FROM claims c JOIN accounts a ON a.id = "
        "c.account_id ORDER BY c.school, a.username");
    return s;
}

// U3 and R1: names and UPNs held twice (empty when none is).
std::string doubled(TrialDatabase& db) {
    std::string s;
    s += db.query(
        "SELECT 'username', lower(name), count(*) FROM usernames GROUP BY lower(name) HAVING "
        "count(*) > 1");
    s += db.query(
        "SELECT 'account username', lower(username), count(*) FROM accounts GROUP BY "
        "lower(username) HAVING count(*) > 1");
    s += db.query(
        "SELECT 'upn', upn, count(*) FROM accounts WHERE upn <> '' AND status <> 'purged' GROUP "
        "BY upn HAVING count(*) > 1");
    return s;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) {
        if (!l.empty()) {
            out.push_back(l);
        }
    }
    return out;
}

std::uint64_t envNumber(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

struct Figures {
    int trials = 0;
    int daemonTrials = 0;
    int killsMidRun = 0;        // the pass had not committed every school when the kill landed
    int partialPrefix = 0;      // of those: some schools committed, others not
    int killsBefore = 0;        // before the pass wrote anything
    int killsAfter = 0;         // once every school had committed (or the process had ended)
    int runningAfterKill = 0;   // `running` rows the killed process left
    int markedInterrupted = 0;  // of those, marked `interrupted` by the next start
    int inconsistencies = 0;
};

class KillTrials : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "misync-kill-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override {
        db_.reset();
        if (!HasFailure()) {
            fs::remove_all(dir_);
        } else {
            std::cout << "kept for a look: " << dir_ << "\n";
        }
    }

    testsupport::Result misync(const fs::path& config, std::vector<std::string> args) {
        args.insert(args.begin(), {"--config", config.string()});
        return testsupport::execute(MISYNC_BINARY, args);
    }

    // Two days of a small generated country: day 0, and day `day` with its churn (joiners,
    // leavers, transfers between the schools, name changes).
    void generate(int schools, int learners, int staff, int day) {
        for (int d : {0, day}) {
            const fs::path out = dir_ / ("day" + std::to_string(d));
            auto r = testsupport::execute(
                MISYNC_GEN_SIMS,
                {"--out", out.string(), "--schools", std::to_string(schools), "--learners",
                 std::to_string(learners), "--staff", std::to_string(schools * 8), "--memberships",
                 std::to_string(learners * 6), "--day", std::to_string(d), "--churn-percent", "3",
                 "--threads", "1"});
            ASSERT_EQ(r.status, 0) << r.err;
            std::smatch m;
            const std::string manifest = readText(out / "bench-manifest.txt");
            std::string asOf;
            if (std::regex_search(manifest, m, std::regex("as_of=([0-9-]+)"))) {
                asOf = m[1];
            }
            ASSERT_FALSE(asOf.empty()) << manifest;
            asOf_.push_back(asOf);
        }
        const std::string toml = readText(dir_ / "day0" / "misync.toml");
        const std::regex dfes("dfes = \"([0-9]{7})\"");
        for (auto it = std::sregex_iterator(toml.begin(), toml.end(), dfes);
             it != std::sregex_iterator(); ++it) {
            schools_.push_back((*it)[1]);
        }
        ASSERT_EQ(schools_.size(), static_cast<std::size_t>(schools));
        day_ = day;
    }

    // misync.toml reading day `d`'s files.
    fs::path writeConfig(int d) {
        std::string t = db_->directoryToml() + "\n";
        t += "[secrets]\nkey_file = " + quoted((dir_ / "secret.key").string()) + "\n\n";
        // The churn of a few days must never be held (S3, S4): this is about kills, not guards.
        t += "[policy]\nmax_deactivate_percent = 100\nmax_deactivate_count = 100000\n"
             "min_roll_percent = 0\n\n";
        t += "[daemon]\nworkers = 1\nsettle_seconds = 1\n\n";
        t += "[status]\nlisten = \"127.0.0.1:0\"\n\n";
        for (const auto& s : schools_) {
            t += "[[school]]\ndfes = " + quoted(s) + "\nname = " + quoted("School " + s) +
                 "\nconnector = \"sims-xml\"\nsource = " +
                 quoted((dir_ / ("day" + std::to_string(d)) / s).string()) + "\n\n";
        }
        const fs::path p = dir_ / ("misync-day" + std::to_string(d) + ".toml");
        writeText(p, t);
        return p;
    }

    std::int64_t maxRunId() {
        const auto l = lines(db_->query("SELECT coalesce(max(id), 0) FROM runs"));
        return l.empty() ? 0 : std::stoll(l[0]);
    }

    void runTrials(testsupport::Backend backend, std::uint64_t defaultTrials) {
        const std::uint64_t seed = envNumber(
            "MISYNC_KILL_SEED",
            static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch() /
                                       std::chrono::microseconds(1)));
        const std::uint64_t trials = envNumber("MISYNC_KILL_TRIALS", defaultTrials);
        const std::string name = testsupport::backendName(backend);
        std::cout << "kill trials on " << name << ": seed " << seed << " (MISYNC_KILL_SEED=" << seed
                  << " replays them), " << trials << " trials\n";
        std::mt19937_64 random(seed);

        generate(5, 3000, 40, 10);
        if (HasFatalFailure()) {
            return;
        }
        const fs::path day0 = writeConfig(0);
        const fs::path day1 = writeConfig(day_);
        const std::string asOf0 = "--as-of=" + asOf_[0];
        const std::string asOf1 = "--as-of=" + asOf_[1];

        // The start of every trial: day 0 applied.
        auto r = misync(day0, {"run", asOf0});
        ASSERT_EQ(r.status, 0) << r.out << r.err;
        db_->save("base");
        const std::int64_t baseRuns = maxRunId();

        // The reference directories: the first k schools of the day's pass, uninterrupted.
        std::vector<std::string> prefix{directoryState(*db_)};
        double passSeconds = 0;
        for (std::size_t k = 1; k <= schools_.size(); ++k) {
            db_->restore("base");
            std::vector<std::string> args{"run", asOf1};
            for (std::size_t i = 0; i < k; ++i) {
                args.push_back("--school");
                args.push_back(schools_[i]);
            }
            const auto t0 = std::chrono::steady_clock::now();
            r = misync(day1, args);
            passSeconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            ASSERT_EQ(r.status, 0) << r.out << r.err;
            prefix.push_back(directoryState(*db_));
        }
        const std::string& reference = prefix.back();
        ASSERT_NE(prefix.front(), reference) << "day " << day_ << " changes nothing";
        ASSERT_EQ(doubled(*db_), "");
        // How much the day changes, for the report.
        std::cout << "day " << day_ << " over " << schools_.size() << " schools: "
                  << lines(db_->query("SELECT counts FROM runs WHERE id > " +
                                      std::to_string(maxRunId() - schools_.size())))
                         .size()
                  << " runs in " << passSeconds << " s uninterrupted; counts:\n"
                  << db_->query("SELECT school, counts FROM runs WHERE id > " +
                                std::to_string(maxRunId() - schools_.size()) + " ORDER BY id");

        // How long a daemon takes to run the day's schools at start-up (its changed folders
        // settle first): the span the daemon trials' kills are spread over.
        double daemonSeconds = 0;
        double daemonFirst = 0;  // when its first run's `running` row appeared
        {
            db_->restore("base");
            const auto t0 = std::chrono::steady_clock::now();
            auto bg = testsupport::startInBackground(
                MISYNC_BINARY, {"--config", day1.string(), "daemon", asOf1}, dir_ / "daemon-timing",
                {{"SPDLOG_LEVEL", "warn"}});
            auto since = [&] {
                return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            };
            const std::string any =
                "SELECT count(*) FROM runs WHERE id > " + std::to_string(baseRuns);
            while (since() < 60 && lines(db_->query(any)) == std::vector<std::string>{"0"}) {
                std::this_thread::sleep_for(5ms);
            }
            daemonFirst = since();
            const std::string done = any + " AND outcome NOT IN ('running', 'interrupted')";
            while (since() < 60 && lines(db_->query(done)) !=
                                       std::vector<std::string>{std::to_string(schools_.size())}) {
                std::this_thread::sleep_for(10ms);
            }
            daemonSeconds = since();
            ::kill(bg.pid, SIGTERM);
            testsupport::finish(bg, 60s);
            ASSERT_EQ(directoryState(*db_), reference) << "the daemon's pass is not the reference";
            std::cout << "misync daemon starts the day's first run after " << daemonFirst
                      << " s and has run every school after " << daemonSeconds << " s\n";
        }

        Figures f;
        std::uniform_real_distribution<double> delay(0.0, 1.2);
        const auto started = std::chrono::steady_clock::now();
        for (std::uint64_t t = 0; t < trials; ++t) {
            const bool daemon = t % 3 == 2;
            // Delays spread over the pass: up to 1.2 times what an uninterrupted one takes (the
            // daemon's from a little before its first run).
            const double fraction = delay(random);
            const double from = daemon ? 0.8 * daemonFirst : 0.0;
            const double span = (daemon ? daemonSeconds : passSeconds) - from;
            const auto wait = std::chrono::microseconds(
                static_cast<std::int64_t>(1e6 * (from + fraction * span)));
            db_->restore("base");
            auto bg = testsupport::startInBackground(
                MISYNC_BINARY,
                daemon ? std::vector<std::string>{"--config", day1.string(), "daemon", asOf1}
                       : std::vector<std::string>{"--config", day1.string(), "run", asOf1},
                dir_ / ("trial" + std::to_string(t)), {{"SPDLOG_LEVEL", "warn"}});
            std::this_thread::sleep_for(wait);
            const bool endedFirst = testsupport::hasEnded(bg);
            ::kill(bg.pid, SIGKILL);
            testsupport::finish(bg, 60s);
            ++f.trials;
            f.daemonTrials += daemon ? 1 : 0;

            std::vector<std::string> problems;
            const std::string trialName = "trial " + std::to_string(t) + " (" +
                                          (daemon ? "daemon" : "run") + ", kill after " +
                                          std::to_string(wait.count() / 1000) + " ms)";
            // The directory is as after the pass's first k schools, and the runs recorded with a
            // final outcome are those k (R14: a run's record commits with its changes).
            const std::string state = directoryState(*db_);
            const auto finals =
                lines(db_->query("SELECT school FROM runs WHERE id > " + std::to_string(baseRuns) +
                                 " AND outcome NOT IN ('running', 'interrupted') ORDER BY id"));
            std::set<std::string> finished(finals.begin(), finals.end());
            std::size_t k = 0;
            while (k < schools_.size() && finished.count(schools_[k]) != 0) {
                ++k;
            }
            if (finished.size() != k || finals.size() != k) {
                problems.push_back("the schools recorded as run are not the pass's first ones: " +
                                   std::to_string(finals.size()) + " runs recorded");
            } else if (state != prefix[k]) {
                std::size_t other = 0;
                while (other < prefix.size() && prefix[other] != state) {
                    ++other;
                }
                problems.push_back(
                    "the directory is not as after the first " + std::to_string(k) + " schools (" +
                    (other < prefix.size() ? "it is as after " + std::to_string(other)
                                           : std::string("it matches no prefix of the pass")) +
                    ")");
            }
            if (const auto d = doubled(*db_); !d.empty()) {
                problems.push_back("held twice after the kill: " + d);
            }
            const auto running =
                lines(db_->query("SELECT id FROM runs WHERE outcome = 'running' ORDER BY id"));
            f.runningAfterKill += static_cast<int>(running.size());
            // A batched pass (SQLite's `misync run`) commits every school's `running` row before
            // its batch opens: once it has written anything, every school has a row.
            if (backend == testsupport::Backend::Sqlite && !daemon && (k > 0 || !running.empty()) &&
                k + running.size() != schools_.size()) {
                problems.push_back("of " + std::to_string(schools_.size()) + " schools, " +
                                   std::to_string(k) + " committed and " +
                                   std::to_string(running.size()) +
                                   " are running: the others left no trace");
            }
            // Mid-run: the process was alive, had begun the pass (a row written) and had not
            // committed every school.
            if (endedFirst || k == schools_.size()) {
                ++f.killsAfter;
            } else if (k == 0 && running.empty()) {
                ++f.killsBefore;
            } else {
                ++f.killsMidRun;
                f.partialPrefix += k > 0 ? 1 : 0;
            }
            std::cout << trialName << ": " << k << " of " << schools_.size()
                      << " schools committed, " << running.size() << " left running"
                      << (endedFirst ? ", the process had ended" : "") << "\n";

            // The next start marks the killed process's runs interrupted, and the rerun
            // converges to the uninterrupted pass.
            r = misync(day1, {"run", asOf1});
            if (r.status != 0) {
                problems.push_back("the rerun exited " + std::to_string(r.status) + ": " + r.err);
            }
            if (!running.empty()) {
                std::string ids;
                for (const auto& id : running) {
                    ids += (ids.empty() ? "" : ", ") + id;
                }
                const auto outcomes =
                    lines(db_->query("SELECT outcome FROM runs WHERE id IN (" + ids + ")"));
                for (const auto& o : outcomes) {
                    if (o == "interrupted") {
                        ++f.markedInterrupted;
                    } else {
                        problems.push_back("a killed run is " + o + " after the next start");
                    }
                }
            }
            if (const auto left = db_->query("SELECT id, school FROM runs WHERE outcome = "
                                             "'running'");
                !left.empty()) {
                problems.push_back("left running after the next start: " + left);
            }
            if (directoryState(*db_) != reference) {
                problems.push_back("the rerun did not converge to the uninterrupted pass");
            }
            if (const auto d = doubled(*db_); !d.empty()) {
                problems.push_back("held twice after the rerun: " + d);
            }
            if (!problems.empty()) {
                ++f.inconsistencies;
                for (const auto& p : problems) {
                    ADD_FAILURE() << trialName << ": " << p << " (seed " << seed << ")";
                }
            }
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::cout << "kill trials on " << name << " (seed " << seed << "): " << f.trials
                  << " trials (" << f.daemonTrials << " of misync daemon), " << f.killsMidRun
                  << " kills mid-run (" << f.partialPrefix
                  << " with some schools committed and others not), " << f.killsBefore
                  << " before the pass wrote anything, " << f.killsAfter
                  << " after every school had committed; " << f.runningAfterKill
                  << " runs left running by a kill, " << f.markedInterrupted
                  << " of them marked interrupted at the next start, " << f.inconsistencies
                  << " inconsistencies; " << seconds << " s\n";
        EXPECT_EQ(f.inconsistencies, 0);
        EXPECT_EQ(f.markedInterrupted, f.runningAfterKill);
        EXPECT_GT(f.killsMidRun, 0) << "no kill landed mid-run: the delays miss the pass";
    }

    fs::path dir_;
    std::unique_ptr<TrialDatabase> db_;
    std::vector<std::string> schools_;
    std::vector<std::string> asOf_;
    int day_ = 0;
};

TEST_F(KillTrials, Sqlite) {
    db_ = std::make_unique<SqliteTrialDatabase>(dir_);
    runTrials(testsupport::Backend::Sqlite, 40);
}

TEST_F(KillTrials, Postgresql) {
    if (const auto why = storage::Directory::unavailableBackend("postgresql"); !why.empty()) {
        GTEST_SKIP() << why;
    }
    auto* server = testsupport::PgEnvironment::server();
    ASSERT_NE(server, nullptr);
    if (!server->available()) {
        GTEST_SKIP() << server->whyNot();
    }
    db_ = std::make_unique<PgTrialDatabase>(*server);
    runTrials(testsupport::Backend::Postgresql, 30);
}

}  // namespace