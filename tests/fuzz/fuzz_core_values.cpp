// libFuzzer entry point for the value parsers every connector uses (SPEC §6): dates, year
// groups, UPNs, enrolment statuses, group types and roles, and the central record checks'
// text check. Arbitrary bytes must give an answer that keeps each parser's promise; a crash,
// a sanitizer report or a broken promise (abort) is a bug.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "connectors/record_checks.h"
#include "core/date.h"
#include "core/model.h"
#include "core/text.h"
#include "core/upn.h"
#include "core/year_group.h"

namespace {

void require(bool ok) {
    if (!ok) {
        std::abort();
    }
}

const std::set<std::string> kYearGroups = {"",  "N1", "N2", "R", "1",  "2",  "3",  "4",  "5",
                                           "6", "7",  "8",  "9", "10", "11", "12", "13", "14"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    namespace core = misync::core;

    if (auto date = core::parseDate(input)) {
        // A date parsed is a real day, and its ISO text parses back to the same day.
        const auto again = core::parseIsoDate(date->toString());
        require(again && again->days() == date->days());
        require(date->month() >= 1 && date->month() <= 12 && date->day() >= 1 && date->day() <= 31);
    }
    if (auto year = core::normalizeYearGroup(input)) {
        require(kYearGroups.count(*year) == 1);
        // Normalised text is a fixed point.
        auto again = core::normalizeYearGroup(*year);
        require(again && *again == *year);
    }
    if (core::isValidUpn(input)) {
        require(core::hasUpnShape(input));
        const std::string upn = core::canonicalUpn(input);
        require(upn.size() == 13 && core::isValidUpn(upn));
        require(core::upnCheckLetter(upn.substr(1)) == upn[0]);
    }
    (void)core::parseEnrolment(input);
    (void)core::parseGroupType(input);
    (void)core::parseRole(input);
    require(core::normalizeFieldName(core::normalizeFieldName(input)) ==
            core::normalizeFieldName(input));
    // The text check accepts exactly what is short, valid UTF-8 without control characters.
    const bool accepted = !misync::connectors::textProblem(input).has_value();
    if (accepted) {
        require(input.size() <= misync::connectors::kMaxFieldBytes);
        require(core::sanitizeUtf8(input) == input);
    }
    return 0;
}
