// Numbered schema scripts per SQL dialect, compiled in from schema/<dialect>/NNN_*.sql.
#pragma once

#include <string_view>
#include <vector>

namespace misync::schema {

struct Script {
    std::string_view dialect;  // "sqlite" or "postgresql"
    int version;               // the schema version after the script has run
    std::string_view name;
    std::string_view sql;
};

const std::vector<Script>& allScripts();
// Scripts of one dialect in version order.
std::vector<Script> scriptsFor(std::string_view dialect);
// The newest version this binary knows for a dialect (0 when none).
int latestVersion(std::string_view dialect);

}  // namespace misync::schema
