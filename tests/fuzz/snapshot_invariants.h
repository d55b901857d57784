// What every connector's snapshot must satisfy whatever its input was, shared by the libFuzzer
// targets: a broken promise aborts, which libFuzzer reports as a finding with its input.
#pragma once

#include <cstdlib>
#include <string>
#include <unordered_set>

#include "connectors/record_checks.h"
#include "core/model.h"
#include "core/text.h"
#include "core/upn.h"

namespace misync::fuzz {

inline void require(bool ok) {
    if (!ok) {
        std::abort();
    }
}

inline bool cleanUtf8(const std::string& s) {
    return core::sanitizeUtf8(s) == s;
}

// Accepted persons have ids, names and valid UPNs, within the field limit and in valid UTF-8;
// rejected records name their file and record; groups are unique and memberships name them;
// departures have ids; every message is valid UTF-8. Call after rejectUnusableText(), as
// Connector::read() does.
inline void checkSnapshot(const core::Snapshot& s) {
    for (const auto& p : s.persons) {
        require(!p.misId.empty() && !p.legalForename.empty() && !p.legalSurname.empty());
        require(p.upn.empty() || core::isValidUpn(p.upn));
        require(cleanUtf8(p.misId) && cleanUtf8(p.legalForename) && cleanUtf8(p.legalSurname));
        require(p.legalForename.size() <= connectors::kMaxFieldBytes);
        require(p.source.record >= 1);
    }
    for (const auto& d : s.departures) {
        require(!d.misId.empty() && (d.upn.empty() || core::isValidUpn(d.upn)));
    }
    for (const auto& r : s.rejected) {
        require(!r.code.empty() && !r.file.empty() && r.record >= 1 && cleanUtf8(r.message));
    }
    std::unordered_set<std::string> codes;
    for (const auto& g : s.groups) {
        require(!g.code.empty() && codes.insert(g.code).second);
    }
    for (const auto& m : s.memberships) {
        require(codes.contains(m.groupCode) && !m.memberMisId.empty());
    }
    for (const auto& w : s.warnings) {
        require(cleanUtf8(w.message));
    }
}

}  // namespace misync::fuzz
