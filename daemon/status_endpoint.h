// The daemon's status endpoint (SPEC §9, §9.1): the status::StatusServer made from [status],
// started before READY=1, reloaded with the rest of the configuration on SIGHUP and stopped
// first on SIGTERM. A reload is two steps, so that the daemon can refuse the whole reload when
// [status] is bad: prepare() reads everything the new [status] needs (the tokens file, the TLS
// files, and a new listener when the address or TLS on/off changed) and throws when any of it
// is unusable; commit() swaps it in and cannot fail. The endpoint never stops answering: a new
// address is listened on before the old one is closed.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "daemon/config.h"
#include "status/daemon_control.h"
#include "status/metrics.h"
#include "status/server.h"

namespace misync::daemon {

class StatusEndpoint {
  public:
    StatusEndpoint(status::DaemonControl& daemon, status::Metrics& metrics, std::string version);
    ~StatusEndpoint();
    StatusEndpoint(const StatusEndpoint&) = delete;
    StatusEndpoint& operator=(const StatusEndpoint&) = delete;

    // Starts serving `config`'s [status]. Throws core::ConfigError for a bad tokens file and
    // core::Error for an address that cannot be listened on or unusable TLS files.
    void start(const Config& config);

    // What a reload to a new configuration will swap in, all of it already read and checked.
    struct Prepared {
        status::TokenSet tokens;
        status::ServerOptions options;
        std::unique_ptr<status::StatusServer> replacement;  // started; nullptr: keep the server
        bool reloadTls = false;                             // same listener, TLS files read again
    };
    // Throws core::ConfigError naming what in the new [status] cannot be used; nothing changes.
    Prepared prepare(const Config& next);
    // Swaps in what prepare() made. Does not throw.
    void commit(Prepared prepared);

    // Stops accepting, lets requests under way finish within `bound`, then closes. Idempotent.
    void stop(std::chrono::milliseconds bound);

  private:
    status::ServerOptions optionsOf(const Config& config) const;
    status::TokenSet tokensOf(const Config& config) const;
    std::unique_ptr<status::StatusServer> make(const Config& config,
                                               const status::ServerOptions& options,
                                               status::TokenSet tokens);

    status::DaemonControl& daemon_;
    status::Metrics& metrics_;
    std::string version_;
    status::ServerOptions options_;  // those in force; `listen` as configured (port 0 kept)
    std::unique_ptr<status::StatusServer> server_;
};

}  // namespace misync::daemon
