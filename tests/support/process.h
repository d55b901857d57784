// Test support: child processes without a shell (the end-to-end tests drive the real binary, the
// PostgreSQL server of pg_server.h is started with initdb and pg_ctl).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace misync::testsupport {

// A loopback TCP port nothing listens on now (bound and let go).
unsigned short freePort();

struct Result {
    int status = -1;  // exit status; 128 + signal when killed
    std::string out;
    std::string err;
};

// Runs `program` with `args` (no shell), stdin from /dev/null; `env` adds or replaces
// environment variables (MISYNC_CONFIG is always removed so that only --config counts).
Result execute(const std::string& program, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& env = {});

// A program started in the background (S7 tests run two at once); its stdout and stderr go to
// files, so that it never blocks on a full pipe while nobody reads it.
struct Background {
    pid_t pid = -1;
    std::filesystem::path out;
    std::filesystem::path err;
    std::optional<int> status;  // set once it has ended (as Result::status)
};
// Starts `program` like execute() does, without waiting; output to `outputStem`.out / .err.
Background startInBackground(const std::string& program, const std::vector<std::string>& args,
                             const std::filesystem::path& outputStem,
                             const std::map<std::string, std::string>& env = {});
// Whether it has ended, without waiting.
bool hasEnded(Background& b);
// Waits for it to end — killing it after `timeout`, which fails the test — and collects its output.
Result finish(Background& b, std::chrono::seconds timeout = std::chrono::seconds(300));

}  // namespace misync::testsupport
