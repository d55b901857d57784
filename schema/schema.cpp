#include "schema/schema.h"

#include <algorithm>

namespace misync::schema {

std::vector<Script> scriptsFor(std::string_view dialect) {
    std::vector<Script> out;
    for (const auto& s : allScripts()) {
        if (s.dialect == dialect) {
            out.push_back(s);
        }
    }
    std::sort(out.begin(), out.end(),
              [](const Script& a, const Script& b) { return a.version < b.version; });
    return out;
}

int latestVersion(std::string_view dialect) {
    int v = 0;
    for (const auto& s : allScripts()) {
        if (s.dialect == dialect) {
            v = std::max(v, s.version);
        }
    }
    return v;
}

}  // namespace misync::schema
