// libFuzzer entry point for the CTF parser (SPEC §6.2, R15): arbitrary bytes must either parse
// into learners that keep the parser's promises or fail with ConnectorError. Any other
// exception, a crash, a sanitizer report or a broken promise (abort) is a bug.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>

#include "connectors/ctf/ctf_parser.h"
#include "connectors/record_checks.h"
#include "core/errors.h"
#include "core/school.h"
#include "core/text.h"
#include "core/upn.h"

namespace {

using misync::connectors::CtfDirection;

void require(bool ok) {
    if (!ok) {
        std::abort();
    }
}

bool cleanUtf8(const std::string& s) {
    return misync::core::sanitizeUtf8(s) == s;
}

// The pupils as Connector::read() leaves them: text checked centrally (record_checks.h).
void check(misync::connectors::CtfPupils r, CtfDirection direction) {
    require(r.persons.size() + r.rejected.size() <= r.records);
    misync::core::Snapshot s;
    s.persons = std::move(r.persons);
    s.rejected = std::move(r.rejected);
    misync::connectors::rejectUnusableText(s);
    for (const auto& p : s.persons) {
        require(misync::core::isValidUpn(p.upn) && p.misId == p.upn);
        require(!p.legalForename.empty() && !p.legalSurname.empty());
        require(cleanUtf8(p.legalForename) && cleanUtf8(p.legalSurname) && cleanUtf8(p.gender));
        require(p.legalForename.size() <= misync::connectors::kMaxFieldBytes);
        require(p.source.record >= 1 && p.source.record <= r.records);
        // Incoming learners always start on a date and never carry a leaving date (R7).
        require(direction == CtfDirection::Own || (p.admissionDate && !p.leavingDate));
    }
    for (const auto& e : s.rejected) {
        require(!e.code.empty() && e.record >= 1 && cleanUtf8(e.message));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);  // parsed in place
    try {
        const misync::connectors::CtfDocument doc("fuzz.xml", bytes);
        const auto& h = doc.header();
        require(misync::core::isValidDfes(h.sourceSchool));
        require(cleanUtf8(h.destSchool) && cleanUtf8(h.dateTime));
        const misync::connectors::CtfFieldMap fields;
        const auto day = misync::core::Date::fromYmd(2026, 11, 26);
        check(doc.pupils(h.sourceSchool, CtfDirection::Own, day, fields), CtfDirection::Own);
        check(doc.pupils("6618004", CtfDirection::Incoming, day, fields), CtfDirection::Incoming);
    } catch (const misync::core::ConnectorError&) {
        // A file that is not a usable CTF is an expected outcome.
    }
    return 0;
}
