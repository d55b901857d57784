// misync-bench-gen_runs: fills a directory with run history for the status endpoint benchmark
// (bench/status_bench.sh): `--days` daily runs for each of `--schools` schools, written through
// the store API (Directory::recordRun) in batches, deterministically from a seed. Most runs are
// no_change, some applied with a few actions, a few failed or held, as a year of real runs
// would be. With --live SECONDS it instead keeps writing runs of random schools for that long,
// batching as a national run does (commits every 250 runs or 5 s): the "long run in progress"
// that readers must not notice. Without --rate it writes as fast as it can (a core busy and the
// write lock held almost all the time); --rate paces it like a real national run.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <random>
#include <string>
#include <thread>

#include "core/errors.h"
#include "storage/directory.h"

namespace misync::bench {
namespace {

// The DfES number of school `i` (0-based): LA codes from 660, 100 schools each.
std::string dfes(int i) {
    return std::to_string((660 + i / 100) * 10000 + 1000 + i % 100);
}

std::string date(int day) {
    // Day 0 is 2025-09-01; months are taken as 30 days, which is all a benchmark needs.
    const int month = 9 + day / 30;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", 2025 + (month - 1) / 12, (month - 1) % 12 + 1,
                  day % 30 + 1);
    return buf;
}

storage::RunRecord makeRun(const std::string& school, int day, std::mt19937_64& rng) {
    storage::RunRecord r;
    r.school = school;
    r.trigger = "schedule";
    r.connector = "sims-xml";
    r.asOf = date(day);
    r.startedAt = r.asOf + "T06:30:00Z";
    r.finishedAt = r.asOf + "T06:30:04Z";
    r.extractedAt = r.asOf + "T05:10:00Z";
    r.planDigest = std::to_string(rng());
    char sha[65];
    std::snprintf(sha, sizeof sha, "%016llx%016llx%016llx%016llx",
                  static_cast<unsigned long long>(rng()), static_cast<unsigned long long>(rng()),
                  static_cast<unsigned long long>(rng()), static_cast<unsigned long long>(rng()));
    r.files = {{"students.xml", sha, 300 + static_cast<std::uint64_t>(rng() % 900)},
               {"staff.xml", sha, 20 + static_cast<std::uint64_t>(rng() % 80)}};
    const unsigned roll = static_cast<unsigned>(rng() % 100);
    if (roll < 80) {
        r.outcome = "no_change";
    } else if (roll < 95) {
        r.outcome = "applied";
        const int n = 1 + static_cast<int>(rng() % 5);
        for (int i = 0; i < n; ++i) {
            reconcile::Action a;
            a.kind = i % 2 == 0 ? reconcile::ActionKind::Update : reconcile::ActionKind::Create;
            a.role = core::Role::Learner;
            a.school = school;
            a.misId = std::to_string(rng() % 100000);
            a.username = "learner" + a.misId;
            a.reason = i % 2 == 0 ? "MIS attributes changed" : "new on roll";
            if (a.kind == reconcile::ActionKind::Update) {
                a.changes.push_back({"reg_group", "7A", "7B"});
                ++r.counts["update"];
            } else {
                ++r.counts["create"];
            }
            r.actions.push_back(std::move(a));
        }
        r.counts["membership_add"] = static_cast<std::uint64_t>(n);
        r.counts["membership_remove"] = static_cast<std::uint64_t>(n / 2);
    } else if (roll < 98) {
        r.outcome = "failed";
        r.errors.push_back({"unreadable", "students.xml", 0, "students.xml: not well-formed"});
    } else {
        r.outcome = "held";
        r.counts["deactivate"] = 120;
        r.warnings.push_back({"deactivation_guard", "would deactivate 120 of 400 accounts"});
    }
    if (roll % 7 == 0) {
        r.warnings.push_back({"possible_duplicate", "two learners named Aled Jones born 2014"});
    }
    return r;
}

int run(int argc, char** argv) {
    CLI::App app{"Fills a directory with run history for bench/status_bench.sh"};
    std::string db;
    int schools = 1500;
    int days = 365;
    unsigned seed = 1;
    double live = 0;
    app.add_option("--db", db, "the directory database to write")->required();
    app.add_option("--schools", schools, "schools")->check(CLI::Range(1, 10000));
    app.add_option("--days", days, "daily runs per school")->check(CLI::Range(1, 3650));
    app.add_option("--seed", seed, "generator seed");
    app.add_option("--live", live, "keep writing runs of random schools for SECONDS instead");
    double rate = 0;
    app.add_option("--rate", rate, "with --live: at most this many runs a second (0: no limit)");
    CLI11_PARSE(app, argc, argv);

    auto dir = storage::Directory::open({"sqlite", db, ""});
    std::mt19937_64 rng(seed);
    const auto t0 = std::chrono::steady_clock::now();
    auto seconds = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    dir->setBatching(true);
    long long written = 0;
    if (live > 0) {
        for (int day = days; seconds() < live; ++day) {
            for (int i = 0; i < 50 && seconds() < live; ++i) {
                auto r = makeRun(dfes(static_cast<int>(rng() % schools)), day, rng);
                dir->recordRun(r);
                ++written;
                if (rate > 0) {  // a national run records 60-100 runs a second
                    const double due = static_cast<double>(written) / rate;
                    if (due > seconds()) {
                        std::this_thread::sleep_for(std::chrono::duration<double>(due - seconds()));
                    }
                }
            }
        }
    } else {
        for (int day = 0; day < days; ++day) {
            for (int s = 0; s < schools; ++s) {
                auto r = makeRun(dfes(s), day, rng);
                dir->recordRun(r);
                ++written;
            }
            if ((day + 1) % 30 == 0) {
                std::fprintf(stderr, "gen_runs: %d of %d days, %lld runs, %.0f s\n", day + 1, days,
                             written, seconds());
            }
        }
    }
    dir->flush();
    dir->setBatching(false);
    std::printf("gen_runs: wrote %lld runs in %.1f s (%.0f runs/s)\n", written, seconds(),
                static_cast<double>(written) / seconds());
    return 0;
}

}  // namespace
}  // namespace misync::bench

int main(int argc, char** argv) {
    try {
        return misync::bench::run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gen_runs: %s\n", e.what());
        return 1;
    }
}
