#include "daemon/status_endpoint.h"

#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "storage/directory.h"

namespace misync::daemon {

namespace {

// How long a reload lets the old listener's requests finish after the new one answers.
constexpr std::chrono::milliseconds kHandOver{5000};

bool tlsOn(const status::ServerOptions& o) {
    return !o.tlsCertificate.empty() && !o.tlsPrivateKey.empty();
}

}  // namespace

StatusEndpoint::StatusEndpoint(status::DaemonControl& daemon, status::Metrics& metrics,
                               std::string version)
    : daemon_(daemon), metrics_(metrics), version_(std::move(version)) {}

StatusEndpoint::~StatusEndpoint() {
    stop(std::chrono::milliseconds(0));
}

status::ServerOptions StatusEndpoint::optionsOf(const Config& config) const {
    status::ServerOptions o;
    o.listen = config.status.listen;
    o.tlsCertificate = config.status.tlsCertificate;
    o.tlsPrivateKey = config.status.tlsPrivateKey;
    return o;
}

status::TokenSet StatusEndpoint::tokensOf(const Config& config) const {
    if (config.status.tokensFile.empty()) {
        spdlog::warn(
            "status: status.tokens_file is not set: every route but /healthz and the "
            "dashboard page answers 401 (docs/daemon.md, \"Tokens\")");
        return status::TokenSet();
    }
    return status::TokenSet::load(config.status.tokensFile);  // core::ConfigError naming it
}

std::unique_ptr<status::StatusServer> StatusEndpoint::make(const Config& config,
                                                           const status::ServerOptions& options,
                                                           status::TokenSet tokens) {
    storage::StoreOptions where{config.directory.backend, config.directory.path,
                                config.directory.connection};
    return std::make_unique<status::StatusServer>(
        options, std::move(tokens), daemon_, metrics_, version_,
        [where] { return storage::Directory::open(where); });
}

void StatusEndpoint::start(const Config& config) {
    options_ = optionsOf(config);
    auto server = make(config, options_, tokensOf(config));
    server->start();
    server_ = std::move(server);
}

StatusEndpoint::Prepared StatusEndpoint::prepare(const Config& next) {
    Prepared p;
    p.options = optionsOf(next);
    p.tokens = tokensOf(next);
    const bool sameListener =
        p.options.listen == options_.listen && tlsOn(p.options) == tlsOn(options_);
    try {
        if (!sameListener) {
            auto replacement = make(next, p.options, p.tokens);
            replacement->start();  // listens beside the old one until commit()
            p.replacement = std::move(replacement);
        } else if (tlsOn(p.options)) {
            status::StatusServer::checkTls(p.options);  // renewed files at the same paths, too
            p.reloadTls = true;
        }
    } catch (const core::ConfigError&) {
        throw;
    } catch (const core::Error& e) {
        throw core::ConfigError(e.what());
    }
    return p;
}

void StatusEndpoint::commit(Prepared p) {
    if (p.replacement) {
        auto old = std::move(server_);
        server_ = std::move(p.replacement);
        spdlog::info("status: now listening on {} port {}; closing {}", p.options.listen,
                     server_->port(), options_.listen);
        options_ = p.options;
        if (old) {
            old->stop(kHandOver);
        }
        return;
    }
    options_ = p.options;
    if (!server_) {
        return;
    }
    server_->reloadTokens(std::move(p.tokens));
    if (p.reloadTls) {
        try {
            server_->reloadTls(p.options);
        } catch (const std::exception& e) {  // the files changed again since prepare()
            spdlog::error("status: TLS files not reloaded, the previous ones stay: {}", e.what());
        }
    }
}

void StatusEndpoint::stop(std::chrono::milliseconds bound) {
    if (server_) {
        server_->stop(bound);
        server_.reset();
    }
}

}  // namespace misync::daemon
