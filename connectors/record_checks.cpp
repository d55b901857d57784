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
    std::string* value;
};

// A line break or tab inside a value (a spreadsheet cell with Alt+Enter, a CSV field quoted
// over two lines) becomes one space, and the value is trimmed: "Lloyd\r\nJones" is the name
// "Lloyd Jones", not a reason to lose the learner. Other control characters are refused.
void foldLineBreaks(std::string& value) {
    if (value.find_first_of("\t\r\n") == std::string::npos) {
        return;
    }
    std::string out;
    out.reserve(value.size());
    bool space = false;
    for (char c : value) {
        if (c == '\t' || c == '\r' || c == '\n' || c == ' ') {
            space = true;
            continue;
        }
        if (space && !out.empty()) {
            out.push_back(' ');
        }
        space = false;
        out.push_back(c);
    }
    value = std::move(out);
}

// Printable ASCII within the size limit: nothing to fold and nothing to refuse. Nearly every
// value of a real extract is, so the checks below run only for the rest (issue 8).
bool plainText(std::string_view value) {
    if (value.size() > kMaxFieldBytes) {
        return false;
    }
    for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c >= 0x7F) {
            return false;
        }
    }
    return true;
}

// The first field of `fields` with a problem: "field 'legal_forename' is not valid UTF-8 (…)".
template <std::size_t N>
std::optional<std::pair<const char*, std::string>> firstProblem(const Field (&fields)[N]) {
    for (const auto& f : fields) {
        if (plainText(*f.value)) {
            continue;
        }
        foldLineBreaks(*f.value);
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

namespace {

// Keeps the elements of `items` for which keep(item) is true, in order, moving only those that
// follow a dropped one (nothing moves when nothing is dropped, the usual case).
template <typename T, typename Keep>
void keepWhere(std::vector<T>& items, Keep keep) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!keep(items[i])) {
            continue;
        }
        if (kept != i) {
            items[kept] = std::move(items[i]);
        }
        ++kept;
    }
    items.erase(items.begin() + static_cast<std::ptrdiff_t>(kept), items.end());
}

}  // namespace

void rejectUnusableText(core::Snapshot& snapshot) {
    keepWhere(snapshot.persons, [&](core::Person& p) {
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
            return true;
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
        return false;
    });

    std::set<std::string> rejectedGroups;  // their memberships go with them
    keepWhere(snapshot.groups, [&](core::Group& g) {
        const Field fields[] = {
            {"group_code", &g.code}, {"subject", &g.subject}, {"year_group", &g.yearGroup}};
        if (auto problem = firstProblem(fields)) {
            snapshot.rejected.push_back(
                errorAt(g.source, problem->first, std::move(problem->second)));
            rejectedGroups.insert(g.code);
            return false;
        }
        return true;
    });

    keepWhere(snapshot.memberships, [&](core::Membership& m) {
        const Field fields[] = {{"group_code", &m.groupCode}, {"member_id", &m.memberMisId}};
        if (auto problem = firstProblem(fields)) {
            snapshot.rejected.push_back(
                errorAt(m.source, problem->first, std::move(problem->second)));
            return false;
        }
        return rejectedGroups.empty() || rejectedGroups.count(m.groupCode) == 0;
    });
}

}  // namespace misync::connectors
