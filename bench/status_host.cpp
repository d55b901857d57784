// misync-bench-status_host: the real StatusServer (status/server.h) over a directory, with a
// fixed DaemonControl listing the benchmark's schools (bench/gen_runs.cpp numbers them), for
// bench/status_bench.sh to load with wrk. Prints "port N" once listening; runs until SIGINT or
// SIGTERM, then stops as the daemon would.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <exception>
#include <string>

#include "status/daemon_control.h"
#include "status/metrics.h"
#include "status/server.h"
#include "status/tokens.h"
#include "storage/directory.h"

namespace misync::bench {
namespace {

class FixedSchools : public status::DaemonControl {
  public:
    explicit FixedSchools(int n) {
        for (int i = 0; i < n; ++i) {
            schools_.push_back({std::to_string((660 + i / 100) * 10000 + 1000 + i % 100),
                                "School " + std::to_string(i), 48, ""});
        }
    }
    std::vector<status::ConfiguredSchool> schools() override { return schools_; }
    bool requestSync(const std::string&) override { return true; }
    std::size_t queueLength() override { return 0; }

  private:
    std::vector<status::ConfiguredSchool> schools_;
};

int run(int argc, char** argv) {
    CLI::App app{"Serves the status endpoint over a directory for bench/status_bench.sh"};
    std::string db;
    std::string tokensFile;
    status::ServerOptions options;
    options.listen = "127.0.0.1:0";
    int schools = 1500;
    app.add_option("--db", db, "the directory database")->required();
    app.add_option("--tokens", tokensFile, "the tokens file (SPEC §7)")->required();
    app.add_option("--listen", options.listen, "HOST:PORT");
    app.add_option("--threads", options.threads, "server threads");
    app.add_option("--schools", schools, "configured schools");
    std::size_t cacheMb = options.runPageCacheBytes >> 20;
    app.add_option("--run-cache-mb", cacheMb, "per-thread run page cache (0: off)");
    CLI11_PARSE(app, argc, argv);
    options.runPageCacheBytes = cacheMb << 20;
    // Logs to stderr: stdout carries only "port N" for the script.
    spdlog::set_default_logger(spdlog::stderr_color_mt("status_host"));

    // Wait for the stop signals in this thread only: block them before any thread starts.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    FixedSchools daemon(schools);
    status::Metrics metrics;
    status::StatusServer server(options, status::TokenSet::load(tokensFile), daemon, metrics,
                                "bench", [db] {
                                    return storage::Directory::open({"sqlite", db, ""});
                                });
    server.start();
    std::printf("port %u\n", static_cast<unsigned>(server.port()));
    std::fflush(stdout);
    int signal = 0;
    sigwait(&stopSignals, &signal);
    server.stop(std::chrono::seconds(5));
    return 0;
}

}  // namespace
}  // namespace misync::bench

int main(int argc, char** argv) {
    try {
        return misync::bench::run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "status_host: %s\n", e.what());
        return 1;
    }
}
