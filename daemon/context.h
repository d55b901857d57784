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
    // P3: the secret key for every command that seals or opens a password, checked against the
    // directory first (storage/directory_key.h): created only for a directory that holds no
    // sealed password; throws core::ConfigError naming secrets.key_file (exit 2, nothing
    // changed) when the directory's passwords were sealed under another key.
    const storage::SecretBox& box();
    // P3, for `password_available`: whether `row` holds a visible password that shows. With a
    // usable key, whether it opens; when the key cannot be used (missing or not the directory's:
    // a warning says so), whether one is stored, as restoring the key would show it. Never
    // creates a key file or fails for want of one, so listing works without the key.
    bool passwordAvailable(const storage::AccountRow& row);

  private:
    std::unique_ptr<storage::Directory> directory_;
    std::optional<storage::SecretBox> box_;  // after directory_: its seal check uses it
    std::optional<std::optional<storage::SecretBox>> peeked_;
};

// Loads the configuration and runs `body`; maps errors to exit statuses (2 for configuration
// and usage, 1 for the directory) with a message on stderr. Unless `allCredentials`
// (check-config), credentials only the daemon reads are not looked up
// (ConfigEnvironment::forCommands()).
int withContext(const GlobalOptions& g, Io io, const std::function<int(Context&)>& body,
                bool openDirectory = true, bool allCredentials = false);

}  // namespace misync::daemon
