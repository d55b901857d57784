// The command line of SPEC §8: `misync [--config FILE] COMMAND …` with --json, --as-of and the
// exit statuses 0 (success), 1 (a run failed), 2 (usage or configuration error), 3 (held).
#pragma once

#include <iosfwd>

namespace misync::daemon {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRunFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitHeld = 3;

int runCli(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace misync::daemon
