#include "connectors/teacher_centre/tc_fields.h"

#include <vector>

#include "core/errors.h"
#include "core/text.h"

namespace misync::connectors {

namespace {

// A field of one file: its column names in SPEC §6.4 first, then a few spellings other
// exports use (an empty name ends the list), and whether a file without it cannot be read.
struct DefaultColumns {
    TcField field;
    std::array<std::string_view, 3> names;
    bool required = false;
};

const std::vector<DefaultColumns>& defaultsFor(TcFileKind kind) {
    static const std::vector<DefaultColumns> kPupils{
        {TcField::Upn, {"UPN"}},
        {TcField::MisId, {"Pupil ID", "ID"}, true},
        {TcField::AdmissionNumber, {"Admission Number", "Adno"}},
        {TcField::LegalForename, {"Legal Forename", "Forename"}, true},
        {TcField::LegalSurname, {"Legal Surname", "Surname"}, true},
        {TcField::PreferredForename, {"Preferred Forename"}},
        {TcField::PreferredSurname, {"Preferred Surname"}},
        {TcField::Dob, {"Date of Birth", "DOB"}},
        {TcField::Gender, {"Gender"}},
        {TcField::YearGroup, {"Year Group", "Year"}},
        {TcField::RegGroup, {"Registration Group", "Reg Group", "Reg"}},
        {TcField::AdmissionDate, {"Admission Date"}},
        {TcField::LeavingDate, {"Leaving Date"}},
        {TcField::EnrolmentStatus, {"Enrolment Status"}},
    };
    static const std::vector<DefaultColumns> kStaff{
        {TcField::MisId, {"Staff ID", "ID"}, true},
        {TcField::StaffCode, {"Staff Code"}},
        {TcField::Title, {"Title"}},
        {TcField::LegalForename, {"Legal Forename", "Forename"}, true},
        {TcField::LegalSurname, {"Legal Surname", "Surname"}, true},
        {TcField::PreferredForename, {"Preferred Forename"}},
        {TcField::PreferredSurname, {"Preferred Surname"}},
        {TcField::AdmissionDate, {"Start Date"}},
        {TcField::LeavingDate, {"Leaving Date"}},
        {TcField::StaffRole, {"Role"}},
        {TcField::NationalId, {"EWC Number"}},
    };
    static const std::vector<DefaultColumns> kGroups{
        {TcField::GroupCode, {"Group Code", "Group"}, true},
        {TcField::GroupType, {"Group Type"}, true},
        {TcField::Subject, {"Subject Code", "Subject"}},
        {TcField::YearGroup, {"Year Group", "Year"}},
        {TcField::MemberId, {"Member ID"}, true},
        {TcField::MemberType, {"Member Type"}, true},
    };
    switch (kind) {
        case TcFileKind::Pupils:
            return kPupils;
        case TcFileKind::Staff:
            return kStaff;
        case TcFileKind::Groups:
            return kGroups;
    }
    return kGroups;
}

}  // namespace

std::string_view toString(TcFileKind kind) {
    switch (kind) {
        case TcFileKind::Pupils:
            return "pupils";
        case TcFileKind::Staff:
            return "staff";
        case TcFileKind::Groups:
            return "groups";
    }
    return "groups";
}

std::string_view defaultFileName(TcFileKind kind) {
    switch (kind) {
        case TcFileKind::Pupils:
            return "pupils.csv";
        case TcFileKind::Staff:
            return "staff.csv";
        case TcFileKind::Groups:
            return "groups.csv";
    }
    return "groups.csv";
}

TcColumns::TcColumns(TcFileKind kind, const csv::CsvHeader& header,
                     const std::map<std::string, std::string>& fields, std::string_view where) {
    // SPEC §6 `fields`: canonical name → the school's column name, checked whatever the file.
    std::array<std::optional<std::string>, kTcFieldCount> renamed{};
    for (const auto& [canonical, column] : fields) {
        auto field = parseCanonicalField(canonical);
        if (!field) {
            const std::string known = canonicalNames();
            throw core::ConfigError("fields: '" + canonical +
                                    "' is not a teacher-centre field (known: " + known + ")");
        }
        if (core::normalizeFieldName(core::trim(column)).empty()) {
            throw core::ConfigError("fields: '" + canonical + "' maps to an empty column name");
        }
        renamed[static_cast<std::size_t>(*field)] = column;
    }
    for (const auto& d : defaultsFor(kind)) {
        auto& column = columns_[static_cast<std::size_t>(d.field)];
        const auto& own = renamed[static_cast<std::size_t>(d.field)];
        // The school's name first; the layout's names still count when a file lacks it, since
        // one `fields` table serves all three files (e.g. mis_id renamed for pupils only).
        if (own) {
            column = header.find(*own);
        }
        for (std::size_t i = 0; !column && i < d.names.size() && !d.names[i].empty(); ++i) {
            column = header.find(d.names[i]);
        }
        if (!column && d.required) {
            std::string wanted = "'" + std::string(own ? *own : std::string(d.names[0])) + "'";
            if (own) {
                wanted += " (or '" + std::string(d.names[0]) + "')";
            }
            throw core::ConnectorError(
                std::string(where) + ": required column " + wanted + " (" +
                    std::string(canonicalName(d.field)) +
                    ") is missing; the header has: " + csv::describeHeader(header),
                std::string(where.substr(where.find_last_of('/') + 1)));
        }
    }
}

}  // namespace misync::connectors
