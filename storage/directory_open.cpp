// Directory::open: the backend named by `[directory] backend` (SPEC §7).
#include "core/errors.h"
#ifndef MISYNC_NO_POSTGRESQL
#include "storage/pg_directory.h"
#endif
#include "storage/sqlite_directory.h"

namespace misync::storage {

std::string Directory::unavailableBackend(const std::string& backend) {
    if (backend == "sqlite") {
        return "";
    }
#ifndef MISYNC_NO_POSTGRESQL
    if (backend == "postgresql") {
        return "";
    }
#else
    if (backend == "postgresql") {
        return "directory backend 'postgresql' is not available in this build (the Windows "
               "build has no libpq: docs/windows.md); use 'sqlite'";
    }
#endif
    return "unknown directory backend '" + backend + "' (known: sqlite, postgresql)";
}

std::unique_ptr<Directory> Directory::open(const StoreOptions& options, OpenMode mode) {
    if (std::string why = unavailableBackend(options.backend); !why.empty()) {
        throw core::StoreError(why);
    }
#ifndef MISYNC_NO_POSTGRESQL
    if (options.backend == "postgresql") {
        return std::make_unique<PgDirectory>(options.connection, mode);
    }
#endif
    return std::make_unique<SqliteDirectory>(options.path, mode);
}

}  // namespace misync::storage
