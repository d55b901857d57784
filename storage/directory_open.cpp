// Directory::open: the backend named by `[directory] backend` (SPEC §7).
#include "core/errors.h"
#include "storage/pg_directory.h"
#include "storage/sqlite_directory.h"

namespace misync::storage {

std::string Directory::unavailableBackend(const std::string& backend) {
    if (backend == "sqlite" || backend == "postgresql") {
        return "";
    }
    return "unknown directory backend '" + backend + "' (known: sqlite, postgresql)";
}

std::unique_ptr<Directory> Directory::open(const StoreOptions& options, OpenMode mode) {
    if (std::string why = unavailableBackend(options.backend); !why.empty()) {
        throw core::StoreError(why);
    }
    if (options.backend == "postgresql") {
        return std::make_unique<PgDirectory>(options.connection, mode);
    }
    return std::make_unique<SqliteDirectory>(options.path, mode);
}

}  // namespace misync::storage
