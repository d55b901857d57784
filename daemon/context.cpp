#include "daemon/context.h"

#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "daemon/cli.h"
#include "storage/directory_key.h"

namespace misync::daemon {

storage::StoreOptions Context::storeOptions() const {
    return {config.directory.backend, config.directory.path, config.directory.connection};
}

storage::Directory& Context::directory() {
    if (!directory_) {
        directory_ = storage::Directory::open(storeOptions());
    }
    return *directory_;
}

const storage::SecretBox& Context::box() {
    if (!box_) {
        box_ = storage::openDirectoryKey(config.secrets.keyFile, directory());
    }
    return *box_;
}

bool Context::passwordAvailable(const storage::AccountRow& row) {
    if (row.passwordSealed.empty()) {
        return false;
    }
    if (!box_ && !peeked_) {
        peeked_ = storage::peekDirectoryKey(config.secrets.keyFile, directory());
    }
    const storage::SecretBox* key = box_ ? &*box_ : (*peeked_ ? &**peeked_ : nullptr);
    return key == nullptr || key->open(row.passwordSealed).has_value();
}

int withContext(const GlobalOptions& g, Io io, const std::function<int(Context&)>& body,
                bool openDirectory, bool allCredentials) {
    try {
        Context ctx;
        connectors::registerBuiltinConnectors(ctx.registry);
        if (g.asOf.empty()) {
            ctx.asOf = core::today();
        } else if (auto d = core::parseIsoDate(g.asOf)) {
            ctx.asOf = *d;
        } else {
            io.err << "misync: --as-of: not a YYYY-MM-DD date: " << g.asOf << "\n";
            return kExitUsage;
        }
        ctx.config = loadConfig(
            g.configFile, ctx.registry,
            allCredentials ? ConfigEnvironment::fromProcess() : ConfigEnvironment::forCommands());
        if (openDirectory) {
            ctx.directory();
        }
        return body(ctx);
    } catch (const core::ConfigError& e) {
        io.err << "misync: configuration error: " << e.what() << "\n";
        return kExitUsage;
    } catch (const core::StoreError& e) {
        io.err << "misync: directory error: " << e.what() << "\n";
        return kExitRunFailed;
    } catch (const core::Error& e) {
        io.err << "misync: " << e.what() << "\n";
        return kExitRunFailed;
    }
}

}  // namespace misync::daemon
