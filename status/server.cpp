#include "status/server.h"

#ifndef MISYNC_NO_OPENSSL
#include <openssl/ssl.h>
#endif
#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#ifndef MISYNC_NO_OPENSSL
#include <boost/asio/ssl.hpp>
#endif
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#ifndef MISYNC_NO_OPENSSL
#include <boost/beast/ssl.hpp>
#endif

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <latch>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/errors.h"
#include "status/routes.h"
#include "status/run_cache.h"
#include "storage/directory.h"

namespace misync::status {

namespace net = boost::asio;
#ifndef MISYNC_NO_OPENSSL
namespace ssl = boost::asio::ssl;
#else
// A build without OpenSSL (Windows, docs/windows.md): plain HTTP only; a configured
// certificate is refused at start-up and on reload, by makeTlsContext.
namespace ssl {
struct context {};
struct stream_base {
    enum handshake_type { server };
};
}  // namespace ssl
#endif
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;
// After a 413 the client may still be sending its body: read (and drop) at most this much of it
// before closing, so that closing does not reset the connection before the client reads the 413.
constexpr std::size_t kDrainLimit = 4 * 1024 * 1024;

// "HOST:PORT" or "[IPv6]:PORT" → an endpoint to bind. Throws core::Error naming the address.
tcp::endpoint parseListen(const std::string& listen) {
    auto bad = [&](const std::string& why) {
        return core::Error("status.listen '" + listen + "': " + why);
    };
    const std::size_t colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) {
        throw bad("must be HOST:PORT or [IPv6]:PORT");
    }
    std::string host = listen.substr(0, colon);
    const std::string portText = listen.substr(colon + 1);
    if (host.front() == '[') {
        if (host.back() != ']' || host.size() < 3) {
            throw bad("an IPv6 address must be in brackets, e.g. [::1]:8750");
        }
        host = host.substr(1, host.size() - 2);
    }
    unsigned long port = 0;
    if (portText.size() > 5 || portText.find_first_not_of("0123456789") != std::string::npos ||
        (port = std::stoul(portText)) > 65535) {
        throw bad("the port must be a number from 0 to 65535");
    }
    boost::system::error_code ec;
    const auto address = net::ip::make_address(host, ec);
    if (!ec) {
        return {address, static_cast<unsigned short>(port)};
    }
    net::io_context io;
    tcp::resolver resolver(io);
    auto results = resolver.resolve(host, portText, tcp::resolver::passive, ec);
    if (ec || results.empty()) {
        throw bad("cannot resolve '" + host + "': " + (ec ? ec.message() : "no address"));
    }
    return results.begin()->endpoint();
}

void requireReadable(const std::string& key, const std::string& file) {
    std::ifstream in(file);
    if (!in) {
        throw core::Error(key + " " + file + ": cannot read: " + std::strerror(errno));
    }
}

// TLS 1.2 or later, with the configured certificate chain and private key (PEM).
ssl::context makeTlsContext(const ServerOptions& o) {
#ifdef MISYNC_NO_OPENSSL
    (void)o;
    throw core::Error(
        "status: TLS is not available in this build (the Windows build has no OpenSSL: "
        "docs/windows.md); leave status.tls_certificate and status.tls_private_key unset and "
        "put a TLS proxy in front if the endpoint must be reached over the network");
#else
    ssl::context ctx(ssl::context::tls_server);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                    ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    requireReadable("status.tls_certificate", o.tlsCertificate);
    requireReadable("status.tls_private_key", o.tlsPrivateKey);
    boost::system::error_code ec;
    ctx.use_certificate_chain_file(o.tlsCertificate, ec);
    if (ec) {
        throw core::Error("status.tls_certificate " + o.tlsCertificate +
                          ": not a usable PEM certificate: " + ec.message());
    }
    ctx.use_private_key_file(o.tlsPrivateKey, ssl::context::pem, ec);
    if (ec) {
        throw core::Error("status.tls_private_key " + o.tlsPrivateKey +
                          ": not a usable PEM private key: " + ec.message());
    }
    if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
        throw core::Error("status.tls_private_key " + o.tlsPrivateKey +
                          ": does not match the certificate " + o.tlsCertificate);
    }
    return ctx;
#endif
}

class SessionBase : public std::enable_shared_from_this<SessionBase> {
  public:
    virtual ~SessionBase() = default;
    // On the session's strand: finish the request under way (if any), then close.
    virtual void stopSoon() = 0;
    virtual net::any_io_executor executor() = 0;
};

}  // namespace

class StatusServer::Impl {
  public:
    Impl(ServerOptions o, TokenSet t, DaemonControl& d, Metrics& m, std::string v,
         DirectoryFactory f)
        : options(std::move(o)),
          tokens(std::make_shared<const TokenSet>(std::move(t))),
          daemon(d),
          metrics(m),
          version(std::move(v)),
          factory(std::move(f)),
          ioc(static_cast<int>(std::max(1u, options.threads))) {}

    void start();
    void stop(std::chrono::milliseconds bound);
    void accept();

    // What a server thread keeps of its own, so that a request takes no lock: its Directory, its
    // page cache and its copy of the token set.
    struct ReaderSlot {
        std::thread::id thread;
        std::unique_ptr<storage::Directory> directory;
        std::unique_ptr<RunPageCache> pages;  // nullptr: no cache
        std::shared_ptr<const TokenSet> tokens;
        std::uint64_t tokensGeneration = 0;
    };

    // The calling server thread's slot.
    ReaderSlot& slot() {
        const auto self = std::this_thread::get_id();
        for (auto& s : slots) {
            if (s.thread == self) {
                return s;
            }
        }
        throw core::Error("status: a request was handled outside the server's threads");
    }
    // The token set in force; the mutex only when a reload happened since this thread looked.
    std::shared_ptr<const TokenSet> currentTokens(ReaderSlot& s) {
        if (tokensGeneration.load(std::memory_order_acquire) != s.tokensGeneration) {
            std::lock_guard<std::mutex> lock(tokensMutex);
            s.tokens = tokens;
            s.tokensGeneration = tokensGeneration.load(std::memory_order_relaxed);
        }
        return s.tokens;
    }
    void replaceTokens(TokenSet t) {
        auto fresh = std::make_shared<const TokenSet>(std::move(t));
        std::lock_guard<std::mutex> lock(tokensMutex);
        tokens = std::move(fresh);
        tokensGeneration.fetch_add(1, std::memory_order_release);
    }
    Env readerEnv(ReaderSlot& s) const {
        Env e = env(*s.directory);
        e.runPages = s.pages.get();
        return e;
    }
    Env env(storage::Directory& dir) const {
        return Env{dir,        daemon, metrics, version, std::chrono::system_clock::now(),
                   tlsEnabled, nullptr};
    }
    void track(const std::shared_ptr<SessionBase>& s) {
        std::lock_guard<std::mutex> lock(mutex);
        sessions.emplace(s.get(), s);
    }
    void untrack(SessionBase* s) {
        std::lock_guard<std::mutex> lock(mutex);
        sessions.erase(s);
        --connections;
        changed.notify_all();
    }

    const ServerOptions options;
    std::mutex tokensMutex;
    std::shared_ptr<const TokenSet> tokens;  // guarded by tokensMutex
    std::atomic<std::uint64_t> tokensGeneration{1};
    DaemonControl& daemon;
    Metrics& metrics;
    const std::string version;
    DirectoryFactory factory;
    const Router router;
    std::atomic<bool> stopping{false};
    std::atomic<bool> abandonWrites{false};  // stop()'s bound passed: drop writes not begun

    // Declared before the io_contexts: sessions left when they are destroyed use these.
    std::mutex mutex;
    std::condition_variable changed;
    std::size_t connections = 0;  // guarded by mutex
    std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;
    // The TLS context new connections take (nullptr: plain HTTP). A reload may swap it: a
    // connection's SSL object keeps the context it was made from (OpenSSL counts references).
    std::shared_ptr<ssl::context> tlsContext;  // guarded by tlsMutex
    std::mutex tlsMutex;
    bool tlsEnabled = false;  // fixed at start()
    std::shared_ptr<ssl::context> currentTls() {
        std::lock_guard<std::mutex> lock(tlsMutex);
        return tlsContext;
    }
    std::vector<ReaderSlot> slots;  // one per server thread
    std::unique_ptr<storage::Directory> writer;

    net::io_context ioc;
    std::optional<net::strand<net::io_context::executor_type>> acceptStrand;
    std::optional<tcp::acceptor> acceptor;
    net::io_context writerIoc{1};
    std::optional<net::executor_work_guard<net::io_context::executor_type>> writerWork;
    std::unique_ptr<std::latch> ready;  // the server threads are up and know their Directory
    std::vector<std::thread> threads;
    std::thread writerThread;
    unsigned short boundPort = 0;
    bool running = false;
};

namespace {

template <class Stream>
class Session final : public SessionBase {
    static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  public:
    Session(StatusServer::Impl& server, Stream stream)
        : server_(server), stream_(std::move(stream)) {}
    ~Session() override { server_.untrack(this); }

    void start() {
        net::dispatch(stream_.get_executor(), [self = shared()] { self->begin(); });
    }
    void stopSoon() override {
        stopRequested_ = true;
        if (idle_) {
            beast::error_code ec;
            lowest().socket().cancel(ec);  // the pending wait ends with operation_aborted
        }
    }
    net::any_io_executor executor() override { return stream_.get_executor(); }

  private:
    StatusServer::Impl& server_;
    Stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::empty_body> continue_{http::status::continue_, 11};
    http::response<http::string_body> res_;
    std::shared_ptr<const TokenSet> tokens_;  // the set this request is checked against
    std::optional<Request> request_;
    std::chrono::steady_clock::time_point began_;
    std::array<char, 16 * 1024> scratch_{};
    std::size_t drained_ = 0;
    bool idle_ = false;  // waiting for a request's first byte: stop() may close at once
    bool stopRequested_ = false;

    std::shared_ptr<Session> shared() {
        return std::static_pointer_cast<Session>(shared_from_this());
    }
    beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

    void begin() {
        if constexpr (kTls) {
            idle_ = true;
            lowest().expires_after(server_.options.readTimeout);
            stream_.async_handshake(ssl::stream_base::server,
                                    [self = shared()](beast::error_code ec) {
                                        self->idle_ = false;
                                        if (ec || self->stopRequested_) {
                                            return self->closeNow();
                                        }
                                        self->waitForRequest(self->server_.options.readTimeout);
                                    });
        } else {
            waitForRequest(server_.options.readTimeout);
        }
    }

    // Between requests: wait for the first byte of the next one, then give it readTimeout.
    void waitForRequest(std::chrono::milliseconds patience) {
        if (stopRequested_) {
            return close();
        }
        if (buffer_.size() > 0) {  // pipelined: the next request is already here
            return readRequest();
        }
        idle_ = true;
        lowest().expires_after(patience);
        stream_.async_read_some(buffer_.prepare(4096),
                                [self = shared()](beast::error_code ec, std::size_t n) {
                                    self->idle_ = false;
                                    if (ec) {
                                        return self->closeNow();
                                    }
                                    self->buffer_.commit(n);
                                    self->readRequest();
                                });
    }

    void readRequest() {
        began_ = std::chrono::steady_clock::now();
        parser_.emplace();
        parser_->header_limit(kHeaderLimit);
        parser_->body_limit(kBodyLimit);
        lowest().expires_after(server_.options.readTimeout);
        http::async_read_header(
            stream_, buffer_, *parser_,
            [self = shared()](beast::error_code ec, std::size_t) { self->onHeader(ec); });
    }

    void onHeader(beast::error_code ec) {
        // SPEC §9: over 1 MiB is 413, from Content-Length, before any of the body is read.
        if (ec == http::error::body_limit ||
            (!ec && parser_->content_length() && *parser_->content_length() > kBodyLimit)) {
            return refuse(413, "the request body is over 1 MiB");
        }
        if (ec == http::error::header_limit) {
            return refuse(431, "the request headers are over 16 KiB");
        }
        if (ec) {
            if (ec != http::error::end_of_stream && ec != beast::error::timeout &&
                ec != net::error::operation_aborted && ec != net::error::eof) {
                return refuse(400, "not an HTTP/1.1 request");
            }
            return closeNow();
        }
        if (parser_->is_done()) {
            return onRequest();
        }
        if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
            http::async_write(stream_, continue_,
                              [self = shared()](beast::error_code e, std::size_t) {
                                  if (e) {
                                      return self->closeNow();
                                  }
                                  self->readBody();
                              });
            return;
        }
        readBody();
    }

    void readBody() {
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared()](beast::error_code ec, std::size_t) {
                             if (ec == http::error::body_limit) {
                                 return self->refuse(413, "the request body is over 1 MiB");
                             }
                             if (ec) {
                                 return self->closeNow();
                             }
                             self->onRequest();
                         });
    }

    void onRequest() {
        lowest().expires_never();  // the handler's time is not the client's
        const auto& msg = parser_->get();
        try {
            request_ = Request::make(msg.method_string(), msg.target(),
                                     msg[http::field::authorization], msg.body());
        } catch (const RequestError& e) {
            Response r = errorResponse(e.status(), e.what());
            return respond(std::move(r), true);
        }
        auto& slot = server_.slot();
        tokens_ = server_.currentTokens(slot);
        auto admission = server_.router.admit(*request_, *tokens_);
        if (admission.route != nullptr && admission.route->writes && !admission.refusal) {
            // A write may wait for a run's transaction: never on a reader thread.
            net::post(server_.writerIoc, [self = shared(), admission = std::move(admission)] {
                if (self->server_.abandonWrites.load()) {
                    return;
                }
                Response r = self->server_.router.run(admission, *self->request_,
                                                      self->server_.env(*self->server_.writer));
                net::post(self->stream_.get_executor(), [self, r = std::move(r)]() mutable {
                    self->respond(std::move(r), false);
                });
            });
            return;
        }
        respond(server_.router.run(admission, *request_, server_.readerEnv(slot)), false);
    }

    // An answer without reading (the rest of) the request, then close.
    void refuse(unsigned status, std::string_view message) {
        lowest().expires_never();
        respond(errorResponse(status, message), true);
    }

    void respond(Response r, bool closeAfter) {
        finish(r, kTls);
        const bool haveRequest = parser_ && parser_->is_header_done();
        res_ = {};
        res_.version(haveRequest ? parser_->get().version() : 11);
        res_.result(r.status);
        res_.set(http::field::content_type, r.contentType);
        for (const auto& h : r.headers) {
            res_.set(h.name, h.value);
        }
        res_.body() = std::move(r.body);
        const bool keepAlive = !closeAfter && !stopRequested_ && haveRequest &&
                               parser_->get().keep_alive() && !server_.stopping.load();
        res_.keep_alive(keepAlive);
        res_.prepare_payload();
        if (spdlog::should_log(spdlog::level::debug)) {
            // Never the Authorization header, nor the query.
            const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::steady_clock::now() - began_)
                                .count();
            spdlog::debug("status: method={} path={} status={} us={}",
                          haveRequest ? std::string(parser_->get().method_string()) : "-",
                          request_ ? std::string(request_->path) : "-", r.status, us);
        }
        lowest().expires_after(server_.options.readTimeout);
        http::async_write(
            stream_, res_,
            [self = shared(), keepAlive, closeAfter](beast::error_code ec, std::size_t) {
                if (ec) {
                    return self->closeNow();
                }
                if (closeAfter) {
                    return self->lingeringClose();
                }
                if (!keepAlive) {
                    return self->close();
                }
                self->request_.reset();
                self->waitForRequest(self->server_.options.idleTimeout);
            });
    }

    // A clean end: TLS close_notify, or a TCP FIN.
    void close() {
        if constexpr (kTls) {
            lowest().expires_after(std::min<std::chrono::milliseconds>(server_.options.readTimeout,
                                                                       std::chrono::seconds(2)));
            stream_.async_shutdown([self = shared()](beast::error_code) { self->closeNow(); });
        } else {
            beast::error_code ec;
            lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
            closeNow();
        }
    }

    // After refusing a request whose body may still be on its way: stop sending, drop what
    // arrives for a short while, then close.
    void lingeringClose() {
        if constexpr (kTls) {
            close();
        } else {
            beast::error_code ec;
            lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
            lowest().expires_after(std::min<std::chrono::milliseconds>(server_.options.readTimeout,
                                                                       std::chrono::seconds(2)));
            drain();
        }
    }
    void drain() {
        lowest().async_read_some(net::buffer(scratch_),
                                 [self = shared()](beast::error_code ec, std::size_t n) {
                                     self->drained_ += n;
                                     if (ec || self->drained_ > kDrainLimit) {
                                         return self->closeNow();
                                     }
                                     self->drain();
                                 });
    }

    void closeNow() {
        beast::error_code ec;
        lowest().socket().close(ec);
    }
};

}  // namespace

void StatusServer::Impl::accept() {
    acceptor->async_accept(
        net::make_strand(ioc), [this](boost::system::error_code ec, tcp::socket socket) {
            if (ec == net::error::operation_aborted || stopping.load()) {
                return;
            }
            if (!ec) {
                bool full = false;
                {
                    std::lock_guard<std::mutex> lock(mutex);
                    full = connections >= options.maxConnections;
                    if (!full) {
                        ++connections;
                    }
                }
                if (full) {
                    spdlog::warn("status: {} connections open: closing a new one",
                                 options.maxConnections);
                    boost::system::error_code ignored;
                    socket.close(ignored);
#ifndef MISYNC_NO_OPENSSL
                } else if (auto tls = currentTls()) {
                    using S = Session<beast::ssl_stream<beast::tcp_stream>>;
                    auto s = std::make_shared<S>(
                        *this, beast::ssl_stream<beast::tcp_stream>(std::move(socket), *tls));
                    track(s);
                    s->start();
#endif
                } else {
                    using S = Session<beast::tcp_stream>;
                    auto s = std::make_shared<S>(*this, beast::tcp_stream(std::move(socket)));
                    track(s);
                    s->start();
                }
            } else {
                spdlog::warn("status: accept failed: {}", ec.message());
            }
            accept();
        });
}

void StatusServer::Impl::start() {
    if (running) {
        throw core::Error("status: the server is already started");
    }
    const tcp::endpoint endpoint = parseListen(options.listen);
    if (!options.tlsCertificate.empty() || !options.tlsPrivateKey.empty()) {
        if (options.tlsCertificate.empty() || options.tlsPrivateKey.empty()) {
            throw core::Error(
                "status: TLS needs both status.tls_certificate and status.tls_private_key");
        }
        tlsContext = std::make_shared<ssl::context>(makeTlsContext(options));
        tlsEnabled = true;
    }
    const unsigned n = std::max(1u, options.threads);
    for (unsigned i = 0; i < n; ++i) {
        ReaderSlot& s = slots.emplace_back();
        s.directory = factory();
        if (options.runPageCacheBytes > 0) {
            s.pages = std::make_unique<RunPageCache>(options.runPageCacheBytes);
        }
    }
    writer = factory();
    acceptStrand.emplace(net::make_strand(ioc));
    acceptor.emplace(*acceptStrand);
    boost::system::error_code ec;
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) {
#ifdef _WIN32
        // Windows' SO_REUSEADDR lets a second listener take a port that is in use, silently; the
        // exclusive option makes a taken port the start-up error it is on Linux.
        acceptor->set_option(
            net::detail::socket_option::boolean<SOL_SOCKET, SO_EXCLUSIVEADDRUSE>(true), ec);
#else
        // Lets a restarted daemon listen at once while the old connections are in TIME_WAIT.
        acceptor->set_option(net::socket_base::reuse_address(true), ec);
#endif
    }
    if (!ec) {
        acceptor->bind(endpoint, ec);
    }
    if (!ec) {
        acceptor->listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        acceptor.reset();
        throw core::Error("status.listen " + options.listen + ": cannot listen: " + ec.message());
    }
    boundPort = acceptor->local_endpoint().port();
    stopping = false;
    accept();

    ready = std::make_unique<std::latch>(static_cast<std::ptrdiff_t>(n) + 1);
    auto loop = [](net::io_context& io, const char* what) {
        for (;;) {
            try {
                io.run();
                return;
            } catch (const std::exception& e) {
                spdlog::error("status: {} thread: {}", what, e.what());
            }
        }
    };
    for (unsigned i = 0; i < n; ++i) {
        threads.emplace_back([this, i, loop] {
            slots[i].thread = std::this_thread::get_id();
            ready->arrive_and_wait();
            loop(ioc, "server");
        });
    }
    writerWork.emplace(net::make_work_guard(writerIoc));
    writerThread = std::thread([this, loop] { loop(writerIoc, "writer"); });
    ready->arrive_and_wait();
    running = true;
    spdlog::info("status: listening on {} port {} ({}, {} threads)", options.listen, boundPort,
                 tlsEnabled ? "TLS" : "plain HTTP", n);
}

void StatusServer::Impl::stop(std::chrono::milliseconds bound) {
    if (!running) {
        return;
    }
    running = false;
    stopping = true;
    net::post(*acceptStrand, [this] {
        boost::system::error_code ec;
        acceptor->close(ec);
    });
    std::vector<std::shared_ptr<SessionBase>> live;
    {
        std::lock_guard<std::mutex> lock(mutex);
        for (auto& [p, weak] : sessions) {
            if (auto s = weak.lock()) {
                live.push_back(std::move(s));
            }
        }
    }
    for (auto& s : live) {
        net::post(s->executor(), [s] { s->stopSoon(); });
    }
    live.clear();
    {
        std::unique_lock<std::mutex> lock(mutex);
        if (!changed.wait_for(lock, bound, [this] { return connections == 0; })) {
            spdlog::warn("status: {} connection(s) still busy after {} ms: closing them",
                         connections, bound.count());
        }
    }
    abandonWrites = true;
    ioc.stop();
    for (auto& t : threads) {
        t.join();
    }
    threads.clear();
    // A write under way (an approval waiting for the directory's write lock) ends first; those
    // not begun are dropped with their connections.
    writerWork.reset();
    writerThread.join();
    spdlog::info("status: stopped");
}

StatusServer::StatusServer(ServerOptions options, TokenSet tokens, DaemonControl& daemon,
                           Metrics& metrics, std::string version, DirectoryFactory directories)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(tokens), daemon, metrics,
                                   std::move(version), std::move(directories))) {}

StatusServer::~StatusServer() {
    try {
        impl_->stop(std::chrono::milliseconds(0));
    } catch (const std::exception& e) {
        spdlog::error("status: stopping: {}", e.what());
    }
}

void StatusServer::start() {
    impl_->start();
}

void StatusServer::stop(std::chrono::milliseconds bound) {
    impl_->stop(bound);
}

unsigned short StatusServer::port() const {
    return impl_->boundPort;
}

void StatusServer::checkTls(const ServerOptions& options) {
    (void)makeTlsContext(options);
}

void StatusServer::reloadTls(const ServerOptions& options) {
    if (!impl_->tlsEnabled) {
        throw core::Error("status: TLS cannot be turned on without a restart of the server");
    }
    auto fresh = std::make_shared<ssl::context>(makeTlsContext(options));
    std::lock_guard<std::mutex> lock(impl_->tlsMutex);
    impl_->tlsContext = std::move(fresh);
    spdlog::info("status: TLS certificate and key reloaded");
}

void StatusServer::reloadTokens(TokenSet tokens) {
    impl_->replaceTokens(std::move(tokens));
    spdlog::info("status: tokens reloaded");
}

}  // namespace misync::status
