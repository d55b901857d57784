// What the status endpoint needs from the daemon that runs it (SPEC §9, §9.1): the configured
// schools with their schedule, the trigger of POST /api/v1/schools/{D}/sync, and the queue. The
// daemon (daemon/) implements it; tests use a small fake. Thread-safe: the server calls it from
// its own threads while runs go on.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace misync::status {

struct ConfiguredSchool {
    std::string dfes;
    std::string name;
    unsigned staleAfterHours = 48;  // the school's policy.stale_after_hours (S6)
    std::string nextRunAt;          // ISO-8601 UTC of its next scheduled run, "" when none
};

class DaemonControl {
  public:
    virtual ~DaemonControl() = default;
    // The schools of the configuration in force (after a reload: the new one), in file order.
    virtual std::vector<ConfiguredSchool> schools() = 0;
    // Queues a run of `dfes` with trigger "api", merged into one already queued or running
    // (S7: one run per school at a time). False when the school is not configured or the
    // daemon is stopping.
    virtual bool requestSync(const std::string& dfes) = 0;
    // Runs waiting for a worker (misync_queue_length).
    virtual std::size_t queueLength() = 0;
};

}  // namespace misync::status
