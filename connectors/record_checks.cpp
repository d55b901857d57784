#include "connectors/record_checks.h"

#include <cstdio>
#include <set>
#include <utility>
#include <vector>

#include "core/upn.h"

namespace misync::connectors {

namespace {

// The length of the valid UTF-8 sequence at s[i], or 0 (overlong forms, surrogates and values
// past U+10FFFF are invalid).
std::size_t sequenceLength(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    unsigned cp = 0;
    if (c < 0x80) {
        return 1;
    }
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (i + len > s.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < len; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (cc & 0x3Fu);
    }
    const bool overlong =
        (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return len;
}

std::string hexByte(unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X", c);
    return buf;
}

struct Field {
    const char* name;
    const std::string* value;
};

// The first field of `fields` with a problem: "field 'legal_forename' is not valid UTF-8 (…)".
template <std::size_t N>
std::optional<std::pair<const char*, std::string>> firstProblem(const Field (&fields)[N]) {
    for (const auto& f : fields) {
        if (auto why = textProblem(*f.value)) {
            const bool tooLong = f.value->size() > kMaxFieldBytes;
            return std::make_pair(tooLong ? "field_too_long" : "invalid_text",
                                  "field '" + std::string(f.name) + "' " + *why);
        }
    }
    return std::nullopt;
}

core::RecordError errorAt(const core::RecordRef& at, const char* code, std::string message) {
    return core::RecordError{code, at.file, at.record, std::move(message)};
}

}  // namespace

std::optional<std::string> textProblem(std::string_view value) {
    if (value.size() > kMaxFieldBytes) {
        return "is " + std::to_string(value.size()) + " bytes long; at most " +
               std::to_string(kMaxFieldBytes);
    }
    for (std::size_t i = 0; i < value.size();) {
        const auto c = static_cast<unsigned char>(value[i]);
        const std::size_t len = sequenceLength(value, i);
        if (len == 0) {
            return "is not valid UTF-8 (byte " + hexByte(c) + " at offset " + std::to_string(i) +
                   ")";
        }
        if (c < 0x20 || c == 0x7F) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "U+%04X", c);
            return std::string("holds a control character (") + buf + " at offset " +
                   std::to_string(i) + ")";
        }
        i += len;
    }
    return std::nullopt;
}

void rejectUnusableText(core::Snapshot& snapshot) {
    std::vector<core::Person> persons;
    persons.reserve(snapshot.persons.size());
    for (auto& p : snapshot.persons) {
        const Field fields[] = {{"mis_id", &p.misId},
                                {"upn", &p.upn},
                                {"admission_number", &p.admissionNumber},
                                {"staff_code", &p.staffCode},
                                {"national_id", &p.nationalId},
                                {"legal_forename", &p.legalForename},
                                {"legal_surname", &p.legalSurname},
                                {"preferred_forename", &p.preferredForename},
                                {"preferred_surname", &p.preferredSurname},
                                {"gender", &p.gender},
                                {"year_group", &p.yearGroup},
                                {"reg_group", &p.regGroup},
                                {"role", &p.staffRole},
                                {"title", &p.title}};
        auto problem = firstProblem(fields);
        if (!problem) {
            persons.push_back(std::move(p));
            continue;
        }
        core::RecordError e = errorAt(p.source, problem->first, std::move(problem->second));
        // Still in the extract (R15): who it was, as far as that is usable.
        e.role = p.role;
        if (!textProblem(p.misId)) {
            e.misId = p.misId;
        }
        if (p.role == core::Role::Learner && core::hasUpnShape(p.upn)) {
            e.upn = core::canonicalUpn(p.upn);
        }
        snapshot.rejected.push_back(std::move(e));
    }
    snapshot.persons = std::move(persons);

    std::vector<core::Group> groups;
    groups.reserve(snapshot.groups.size());
    std::set<std::string> rejectedGroups;  // their memberships go with them
    for (auto& g : snapshot.groups) {
        const Field fields[] = {
            {"group_code", &g.code}, {"subject", &g.subject}, {"year_group", &g.yearGroup}};
        if (auto problem = firstProblem(fields)) {
            snapshot.rejected.push_back(
                errorAt(g.source, problem->first, std::move(problem->second)));
            rejectedGroups.insert(g.code);
        } else {
            groups.push_back(std::move(g));
        }
    }
    snapshot.groups = std::move(groups);

    std::vector<core::Membership> memberships;
    memberships.reserve(snapshot.memberships.size());
    for (auto& m : snapshot.memberships) {
        const Field fields[] = {{"group_code", &m.groupCode}, {"member_id", &m.memberMisId}};
        if (auto problem = firstProblem(fields)) {
            snapshot.rejected.push_back(
                errorAt(m.source, problem->first, std::move(problem->second)));
        } else if (rejectedGroups.count(m.groupCode) == 0) {
            memberships.push_back(std::move(m));
        }
    }
    snapshot.memberships = std::move(memberships);
}

}  // namespace misync::connectors
