#include "connectors/sims_xml/sims_fields.h"

#include <vector>

#include "core/errors.h"
#include "core/text.h"

namespace misync::connectors {

namespace {

// A field of one report with its default column names, most preferred first (SPEC §6.1).
struct DefaultColumns {
    SimsField field;
    std::array<std::string_view, 2> names;  // an empty second name means "no alternative"
};

const std::vector<DefaultColumns>& defaultsFor(SimsFileKind kind) {
    static const std::vector<DefaultColumns> kStudents{
        {SimsField::MisId, {"ID"}},
        {SimsField::Upn, {"UPN"}},
        {SimsField::AdmissionNumber, {"Adno"}},
        {SimsField::LegalForename, {"Legal Forename", "Forename"}},
        {SimsField::LegalSurname, {"Legal Surname", "Surname"}},
        {SimsField::PreferredForename, {"Preferred Forename"}},
        {SimsField::PreferredSurname, {"Preferred Surname"}},
        {SimsField::Dob, {"DOB"}},
        {SimsField::Gender, {"Gender"}},
        {SimsField::YearGroup, {"Year"}},
        {SimsField::RegGroup, {"Reg", "Reg Group"}},
        {SimsField::AdmissionDate, {"Admission Date"}},
        {SimsField::LeavingDate, {"Leaving Date"}},
        {SimsField::EnrolmentStatus, {"Enrolment Status"}},
    };
    static const std::vector<DefaultColumns> kStaff{
        {SimsField::MisId, {"ID"}},
        {SimsField::StaffCode, {"Staff Code"}},
        {SimsField::Title, {"Title"}},
        {SimsField::LegalForename, {"Legal Forename", "Forename"}},
        {SimsField::LegalSurname, {"Legal Surname", "Surname"}},
        {SimsField::PreferredForename, {"Preferred Forename"}},
        {SimsField::PreferredSurname, {"Preferred Surname"}},
        {SimsField::AdmissionDate, {"Start Date"}},
        {SimsField::LeavingDate, {"Leaving Date"}},
        {SimsField::StaffRole, {"Role"}},
        {SimsField::NationalId, {"EWC Number"}},
    };
    static const std::vector<DefaultColumns> kGroups{
        {SimsField::GroupCode, {"Group"}}, {SimsField::GroupType, {"Group Type"}},
        {SimsField::Subject, {"Subject"}}, {SimsField::YearGroup, {"Year"}},
        {SimsField::MemberId, {"ID"}},     {SimsField::MemberType, {"Member Type"}},
    };
    switch (kind) {
        case SimsFileKind::Students:
            return kStudents;
        case SimsFileKind::Staff:
            return kStaff;
        case SimsFileKind::Groups:
            return kGroups;
    }
    return kGroups;
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// Reads `_xH…H_` with exactly `digits` hex digits at the start of `s`.
std::optional<std::uint32_t> readEscape(std::string_view s, std::size_t digits) {
    if (s.size() < digits + 3 || s[0] != '_' || (s[1] != 'x' && s[1] != 'X') ||
        s[digits + 2] != '_') {
        return std::nullopt;
    }
    std::uint32_t v = 0;
    for (std::size_t i = 2; i < digits + 2; ++i) {
        int h = hexValue(s[i]);
        if (h < 0) {
            return std::nullopt;
        }
        v = (v << 4) | static_cast<std::uint32_t>(h);
    }
    return v;
}

void appendUtf8(std::string& out, std::uint32_t cp) {
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        cp = 0xFFFD;
    }
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::string normalizedColumn(std::string_view columnName) {
    return core::normalizeFieldName(decodeXmlName(core::trim(columnName)));
}

}  // namespace

std::string_view toString(SimsFileKind kind) {
    switch (kind) {
        case SimsFileKind::Students:
            return "students";
        case SimsFileKind::Staff:
            return "staff";
        case SimsFileKind::Groups:
            return "groups";
    }
    return "groups";
}

std::string_view defaultFileName(SimsFileKind kind) {
    switch (kind) {
        case SimsFileKind::Students:
            return "students.xml";
        case SimsFileKind::Staff:
            return "staff.xml";
        case SimsFileKind::Groups:
            return "groups.xml";
    }
    return "groups.xml";
}

std::string decodeXmlName(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    std::size_t i = 0;
    while (i < name.size()) {
        std::string_view rest = name.substr(i);
        if (rest[0] == '_') {
            // .NET writes BMP characters with 4 digits and others with 8; try the longer first
            // so that `_x0001F600_` is not read as `_x0001_` followed by text.
            if (auto cp = readEscape(rest, 8)) {
                appendUtf8(out, *cp);
                i += 11;
                continue;
            }
            if (auto cp = readEscape(rest, 4)) {
                // A UTF-16 surrogate pair may be written as two escapes.
                if (*cp >= 0xD800 && *cp <= 0xDBFF) {
                    auto low = readEscape(rest.substr(7), 4);
                    if (low && *low >= 0xDC00 && *low <= 0xDFFF) {
                        appendUtf8(out, 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00));
                        i += 14;
                        continue;
                    }
                }
                appendUtf8(out, *cp);
                i += 7;
                continue;
            }
        }
        out.push_back(rest[0]);
        ++i;
    }
    return out;
}

SimsColumnMap::SimsColumnMap(SimsFileKind kind, const std::map<std::string, std::string>& fields) {
    std::array<bool, kSimsFieldCount> overridden{};
    // Overrides first, so that a school's column wins even over another field's default name.
    for (const auto& [canonical, column] : fields) {
        auto field = parseCanonicalField(canonical);
        if (!field) {
            const std::string known = canonicalNames();
            throw core::ConfigError(std::string("fields: '")
                                        .append(canonical)
                                        .append("' is not a sims-xml field (known: ")
                                        .append(known)
                                        .append(")"));
        }
        std::string normalized = normalizedColumn(column);
        if (normalized.empty()) {
            throw core::ConfigError("fields: '" + canonical + "' maps to an empty column name");
        }
        bool applies = false;
        for (const auto& d : defaultsFor(kind)) {
            applies = applies || d.field == *field;
        }
        if (applies) {
            overridden[static_cast<std::size_t>(*field)] = true;
            byNormalizedName_.insert_or_assign(std::move(normalized), SimsColumn{*field, 0});
        }
    }
    for (const auto& d : defaultsFor(kind)) {
        if (overridden[static_cast<std::size_t>(d.field)]) {
            continue;
        }
        std::uint8_t rank = 0;
        for (std::string_view name : d.names) {
            if (!name.empty()) {
                byNormalizedName_.emplace(normalizedColumn(name), SimsColumn{d.field, rank++});
            }
        }
    }
}

std::optional<SimsColumn> SimsColumnMap::resolve(std::string_view rawName) const {
    auto it = byNormalizedName_.find(normalizedColumn(rawName));
    if (it == byNormalizedName_.end()) {
        return std::nullopt;
    }
    return it->second;
}

const SimsColumn* SimsColumnMap::find(std::string_view rawName, std::size_t position) {
    if (position < byPosition_.size() && byPosition_[position].column != nullptr &&
        byPosition_[position].rawName == rawName) {
        const auto& column = *byPosition_[position].column;
        return column ? &*column : nullptr;
    }
    auto it = rawCache_.find(rawName);
    if (it == rawCache_.end()) {
        std::optional<SimsColumn> column = resolve(rawName);
        if (rawCache_.size() >= kMaxCachedNames) {
            if (!column) {
                return nullptr;
            }
            resolved_ = *column;
            return &resolved_;
        }
        it = rawCache_.emplace(std::string(rawName), column).first;
    }
    if (position < kMaxPositions) {
        if (byPosition_.size() <= position) {
            byPosition_.resize(position + 1);
        }
        byPosition_[position] = Seen{std::string(rawName), &it->second};
    }
    return it->second ? &*it->second : nullptr;
}

}  // namespace misync::connectors
