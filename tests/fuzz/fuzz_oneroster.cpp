// libFuzzer entry point for the OneRoster connector's parsing (SPEC §6.3, §6 CSV rules, R15, S5):
// one input is a whole set — manifest, orgs, users, classes and enrollments, split at NUL bytes
// (no CSV file may hold one, so every part is a file the reader could meet) — read for two
// schools, one found by its DfES number and one by `org =`. Either the set and the schools'
// snapshots keep their promises or reading fails with ConnectorError (ConfigError never: the
// fields table is fixed). Any other exception, a crash, a sanitizer report or a broken promise
// (abort) is a bug.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unordered_set>

#include "connectors/oneroster/roster_school.h"
#include "connectors/oneroster/roster_set.h"
#include "connectors/record_checks.h"
#include "core/errors.h"
#include "core/text.h"
#include "core/upn.h"
#include "tests/fuzz/snapshot_invariants.h"

namespace {

namespace oneroster = misync::connectors::oneroster;

using misync::fuzz::checkSnapshot;
using misync::fuzz::cleanUtf8;
using misync::fuzz::require;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    oneroster::RawSet raw;
    std::size_t part = 0;
    std::size_t start = 0;
    while (part < oneroster::kSetFiles && start <= input.size()) {
        const std::size_t end = std::min(input.find('\0', start), input.size());
        if (end > start) {  // an empty part is a file the set does not have
            static const std::array<const char*, oneroster::kSetFiles> kNames{
                "manifest.csv", "orgs.csv", "users.csv", "classes.csv", "enrollments.csv"};
            raw.files[part] =
                oneroster::RawFile{kNames[part], kNames[part], input.substr(start, end - start)};
        }
        ++part;
        start = end + 1;
    }
    raw.newest = std::filesystem::file_time_type::clock::now();
    oneroster::RosterSet set;
    try {
        set = oneroster::buildRosterSet(std::move(raw));
    } catch (const misync::core::ConnectorError&) {
        return 0;  // a set that cannot be read is an expected outcome
    }
    for (const auto& w : set.warnings) {
        require(cleanUtf8(w.message));
    }
    misync::connectors::SchoolSource byNumber;
    byNumber.dfes = "6620001";
    misync::connectors::SchoolSource byOrg;
    byOrg.dfes = "6630002";
    byOrg.org = "o1";
    byOrg.fields = {{"dob", "metadata.dob"}};
    for (const auto* school : {&byNumber, &byOrg}) {
        try {
            misync::core::Snapshot s = oneroster::schoolSnapshot(set, *school);
            misync::connectors::rejectUnusableText(s);  // as Connector::read() does
            checkSnapshot(s);
        } catch (const misync::core::ConnectorError&) {
            // S5, two orgs with the number, or the fields column missing: expected outcomes.
        }
    }
    return 0;
}
