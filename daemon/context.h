// What every command needs, built once in the command and passed down (no globals): the
// configuration, the connector registry, the as-of date, and on demand the directory and the
// secret box.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "connectors/connector.h"
#include "core/date.h"
#include "daemon/commands.h"
#include "daemon/config.h"
#include "storage/directory.h"
#include "storage/secret_box.h"

namespace misync::daemon {

struct Context {
    connectors::ConnectorRegistry registry;
    Config config;
    core::Date asOf;

    storage::StoreOptions storeOptions() const;
    storage::Directory& directory();
    const storage::SecretBox& box();

  private:
    std::unique_ptr<storage::Directory> directory_;
    std::optional<storage::SecretBox> box_;
};

// Loads the configuration and runs `body`; maps errors to exit statuses (2 for configuration
// and usage, 1 for the directory) with a message on stderr.
int withContext(const GlobalOptions& g, Io io, const std::function<int(Context&)>& body,
                bool openDirectory = true);

}  // namespace misync::daemon
