// The status endpoint's HTTP server (SPEC §9, DESIGN.md pattern 7): Boost.Beast over Asio on
// threads of its own, so a long run never blocks it. Plain HTTP, or TLS 1.2+ when a certificate
// and key are given; a strand per connection; keep-alive; a read timeout (a request must arrive
// whole within it) and an idle timeout (between requests on a kept-alive connection); bodies over
// 1 MiB refused with 413 from their Content-Length before they are read (and by the parser's
// limit when chunked); a bounded number of connections. Each server thread reads through its
// own Directory (SQLite WAL readers never wait for the writer); routes that write run on one
// more thread with a Directory of its own. The routes are status/routes.h's.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "status/tokens.h"

namespace misync::storage {
class Directory;
}

namespace misync::status {

class DaemonControl;
class Metrics;

struct ServerOptions {
    // status.listen: "HOST:PORT" or "[IPv6]:PORT" (loopback by default, SPEC §9); port 0 takes a
    // free port (StatusServer::port() says which).
    std::string listen = "127.0.0.1:8750";
    // status.tls_certificate / status.tls_private_key (PEM): TLS when both are set.
    std::string tlsCertificate;
    std::string tlsPrivateKey;
    unsigned threads = 2;
    // A request's header and body must arrive within readTimeout of its first byte (and the
    // first request within readTimeout of the connection); a kept-alive connection may wait
    // idleTimeout for its next request. Writing a response has readTimeout too.
    std::chrono::milliseconds readTimeout{10'000};
    std::chrono::milliseconds idleTimeout{60'000};
    // Connections beyond this are closed as soon as they are accepted.
    std::size_t maxConnections = 512;
    // Per server thread, pages of GET /api/v1/schools/{D}/runs kept while the directory does not
    // change (status/run_cache.h); 0 turns the cache off.
    std::size_t runPageCacheBytes = 32 << 20;
};

class StatusServer {
  public:
    // Makes one Directory per server thread, and one for the writer thread.
    using DirectoryFactory = std::function<std::unique_ptr<storage::Directory>()>;

    // Nothing starts until start(). `daemon`, `metrics` must outlive the server.
    StatusServer(ServerOptions options, TokenSet tokens, DaemonControl& daemon, Metrics& metrics,
                 std::string version, DirectoryFactory directories);
    ~StatusServer();  // stop(0) when still running
    StatusServer(const StatusServer&) = delete;
    StatusServer& operator=(const StatusServer&) = delete;

    // Opens the directories, loads the TLS certificate and key, binds and starts serving.
    // Throws core::Error naming the address that cannot be bound (or is not HOST:PORT), the
    // certificate or key file that cannot be used, or the directory that cannot be opened.
    void start();
    // Stops accepting, lets requests under way finish within `bound`, then closes every
    // connection and joins the threads. Safe to call twice.
    void stop(std::chrono::milliseconds bound);
    // The port listened on (after start()).
    unsigned short port() const;
    // Throws core::Error when the TLS certificate or key of `options` cannot be used (unreadable,
    // not PEM, not a pair): what start() would throw for them.
    static void checkTls(const ServerOptions& options);
    // Reads the certificate and key of `options` again (renewed files at the same paths, or new
    // paths) for the connections accepted from now on; those open keep theirs. Throws as
    // checkTls() and keeps the old ones; also throws when the server was started without TLS.
    void reloadTls(const ServerOptions& options);
    // Swaps in a new token set whole (SIGHUP); requests under way keep the set they started with.
    void reloadTokens(TokenSet tokens);

    class Impl;  // opaque (server.cpp)

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace misync::status
