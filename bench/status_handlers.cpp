// misync-bench-status_handlers: the cost of GET /api/v1/schools/{D}/runs without sockets: the
// routes table over a directory made by bench/gen_runs.cpp, called in a loop on one thread, with
// the time split into the store's read (listRuns), the JSON view and the whole route. Tells how
// much of bench/status_bench.sh's figure is the handler and how much HTTP.
#include <CLI/CLI.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <random>

#include "status/daemon_control.h"
#include "status/metrics.h"
#include "status/routes.h"
#include "storage/directory.h"

namespace misync::bench {
namespace {

class NoDaemon : public status::DaemonControl {
  public:
    std::vector<status::ConfiguredSchool> schools() override { return {}; }
    bool requestSync(const std::string&) override { return false; }
    std::size_t queueLength() override { return 0; }
};

std::string dfes(int i) {
    return std::to_string((660 + i / 100) * 10000 + 1000 + i % 100);
}

int run(int argc, char** argv) {
    CLI::App app{"Times the runs route without sockets"};
    std::string db;
    int schools = 1500;
    int n = 20000;
    app.add_option("--db", db, "a directory made by misync-bench-gen_runs")->required();
    app.add_option("--schools", schools, "schools in it");
    app.add_option("--requests", n, "calls of each kind");
    CLI11_PARSE(app, argc, argv);

    auto dir = storage::Directory::open({"sqlite", db, ""});
    NoDaemon daemon;
    status::Metrics metrics;
    status::TokenSet tokens({{"bench", status::Scope::parse("admin"), status::sha256("t")}});
    status::Router router;
    std::mt19937 rng(1);
    using Clock = std::chrono::steady_clock;
    auto perCall = [&](Clock::time_point t0) {
        return std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / n;
    };
    std::vector<std::string> targets;
    for (int i = 0; i < n; ++i) {
        targets.push_back(dfes(static_cast<int>(rng() % schools)));
    }
    auto t0 = Clock::now();
    std::size_t rows = 0;
    for (const auto& school : targets) {
        rows += dir->listRuns(school, 20).size();
    }
    const double store = perCall(t0);
    t0 = Clock::now();
    std::size_t bytes = 0;
    for (const auto& school : targets) {
        boost::json::array list;
        for (const auto& r : dir->listRuns(school, 20)) {
            list.push_back(storage::runToJson(r, false));
        }
        bytes += boost::json::serialize(boost::json::object{{"runs", std::move(list)}}).size();
    }
    const double view = perCall(t0);
    t0 = Clock::now();
    for (const auto& school : targets) {
        status::Env env{*dir, daemon, metrics, "bench", std::chrono::system_clock::now(), false};
        const std::string target = "/api/v1/schools/" + school + "/runs";
        auto r = router.handle(status::Request::make("GET", target, "Bearer t"), tokens, env);
        bytes += r.body.size();
    }
    const double route = perCall(t0);
    std::printf(
        "status_handlers: %d calls, %zu runs read; per call: listRuns %.1f us, "
        "+ JSON %.1f us, whole route %.1f us (%.0f calls/s on one core)\n",
        n, rows, store, view, route, 1e6 / route);
    return bytes == 0;
}

}  // namespace
}  // namespace misync::bench

int main(int argc, char** argv) {
    try {
        return misync::bench::run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "status_handlers: %s\n", e.what());
        return 1;
    }
}
