#include "connectors/teacher_centre/tc_parser.h"

#include <stdexcept>

#include "connectors/csv/csv_reader.h"
#include "connectors/digest.h"
#include "core/date.h"
#include "core/errors.h"
#include "core/text.h"
#include "core/upn.h"
#include "core/year_group.h"

namespace misync::connectors {

namespace {

constexpr std::size_t kMaxQuoted = 80;

// Quotes a value for a message, cut short so that a hostile megabyte-long value cannot flood
// the run record, and made valid UTF-8 so that the message is safe to store and print.
std::string quoted(std::string_view value) {
    std::string out = "'";
    out += core::sanitizeUtf8(value.substr(0, kMaxQuoted));
    if (value.size() > kMaxQuoted) {
        out += "…";
    }
    out += "'";
    return out;
}

std::string shown(std::string_view value) {
    std::string q = quoted(value);
    return q.substr(1, q.size() - 2);
}

// Kept as the file has it: Connector::read() rejects a row whose text is not valid UTF-8 or too
// long (connectors/record_checks.h), naming the field, instead of replacing bytes.
std::string text(std::string_view value) {
    return std::string(value);
}

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

// SPEC §6 dates, and a D/M/YYYY date followed by a midnight-style time of day (`01/09/2025
// 00:00` or `1/9/2025 0:00:00`), as a spreadsheet writes a date cell when it saves a CSV.
std::optional<core::Date> parseCsvDate(std::string_view value) {
    if (auto date = core::parseDate(value)) {
        return date;
    }
    const std::size_t space = value.find(' ');
    if (space == std::string_view::npos || value.find('/') > space) {
        return std::nullopt;
    }
    std::string_view time = core::trim(value.substr(space + 1));
    // H:MM or HH:MM, optionally :SS.
    const std::size_t colon = time.find(':');
    if (colon == 0 || colon > 2 || (time.size() != colon + 3 && time.size() != colon + 6)) {
        return std::nullopt;
    }
    for (std::size_t i = 0; i < time.size(); ++i) {
        const bool sep = i == colon || (time.size() == colon + 6 && i == colon + 3);
        if (sep ? time[i] != ':' : !isDigit(time[i])) {
            return std::nullopt;
        }
    }
    return core::parseDate(value.substr(0, space));
}

void reject(core::Snapshot& snapshot, const char* code, std::string_view fileName,
            std::uint32_t record, std::string message) {
    snapshot.rejected.push_back(
        core::RecordError{code, std::string(fileName), record, std::move(message)});
}

}  // namespace

// The trimmed text of each field of one row, pointing into the reader's buffer: a row is
// inspected without allocating, and only accepted values are copied out.
struct TeacherCentreParser::Values {
    std::array<std::string_view, kTcFieldCount> text{};

    std::string_view operator[](TcField f) const { return text[static_cast<std::size_t>(f)]; }

    Values(const csv::CsvRecord& row, const TcColumns& columns) {
        for (std::size_t i = 0; i < kTcFieldCount; ++i) {
            text[i] = core::trim(row.at(columns[static_cast<TcField>(i)]));
        }
    }
};

TeacherCentreParser::TeacherCentreParser(std::map<std::string, std::string> fields)
    : fields_(std::move(fields)) {}

std::string TeacherCentreParser::onLine() const {
    // A quoted line break makes a row's line differ from its record number + 1; the line is
    // where a spreadsheet or an editor finds it.
    return " (line " + std::to_string(line_) + ")";
}

void TeacherCentreParser::forget(TcFileKind kind) {
    switch (kind) {
        case TcFileKind::Pupils:
            learnerIds_.clear();
            learnerUpns_.clear();
            break;
        case TcFileKind::Staff:
            staffIds_.clear();
            break;
        case TcFileKind::Groups:
            groupCodes_.clear();
            membershipKeys_.clear();
            break;
    }
}

void TeacherCentreParser::parse(TcFileKind kind, std::string_view fileName, std::string_view bytes,
                                core::Snapshot& snapshot, std::string_view path) {
    const std::string_view where = path.empty() ? fileName : path;
    auto& done = parsed_[static_cast<std::size_t>(kind)];
    if (done) {
        throw std::logic_error("teacher-centre: the " + std::string(toString(kind)) +
                               " file was already parsed");
    }
    if (kind == TcFileKind::Pupils) {
        pupilsFile_ = fileName;
    } else if (kind == TcFileKind::Staff) {
        staffFile_ = fileName;
    }
    // Rows go to `part` first, so that a file that fails half-way adds nothing.
    core::Snapshot part;
    std::optional<TcColumns> columns;
    std::uint32_t rows = 0;
    try {
        csv::readCsv(
            bytes, where,
            [&](const csv::CsvHeader& header) { columns.emplace(kind, header, fields_, where); },
            [&](const csv::CsvRecord& row) {
                rows = row.number;
                line_ = row.line;
                const Values values(row, *columns);
                if (kind == TcFileKind::Groups) {
                    readMembership(values, fileName, row.number, part);
                } else {
                    readPerson(kind, values, fileName, row.number, part);
                }
            });
    } catch (...) {
        forget(kind);
        throw;
    }
    done = true;
    snapshot.files.push_back(core::SourceFile{std::string(fileName), sha256Hex(bytes), rows});
    auto append = [](auto& to, auto& from) {
        to.insert(to.end(), std::make_move_iterator(from.begin()),
                  std::make_move_iterator(from.end()));
    };
    append(snapshot.persons, part.persons);
    append(snapshot.groups, part.groups);
    append(snapshot.memberships, part.memberships);
    append(snapshot.rejected, part.rejected);
    append(snapshot.warnings, part.warnings);
}

void TeacherCentreParser::readPerson(TcFileKind kind, const Values& v, std::string_view fileName,
                                     std::uint32_t record, core::Snapshot& part) {
    const bool learner = kind == TcFileKind::Pupils;
    auto bad = [&](const char* code, std::string message) {
        reject(part, code, fileName, record, std::move(message) + onLine());
        // Keep who the record was about (R15 must not turn into R5).
        core::RecordError& e = part.rejected.back();
        e.role = learner ? core::Role::Learner : core::Role::Staff;
        e.misId = text(v[TcField::MisId]);
        if (learner && core::hasUpnShape(v[TcField::Upn])) {
            e.upn = core::canonicalUpn(v[TcField::Upn]);
        }
    };
    const char* idColumn = learner ? "Pupil ID" : "Staff ID";
    if (v[TcField::MisId].empty()) {
        bad("missing_id", std::string("record has no ") + idColumn);
        return;
    }
    auto& ids = learner ? learnerIds_ : staffIds_;
    auto [seen, isNew] = ids.try_emplace(text(v[TcField::MisId]), false);
    if (!isNew) {
        bad("duplicate_id",
            std::string(idColumn) + " " + quoted(seen->first) + " appears in an earlier record");
        return;
    }
    if (v[TcField::LegalForename].empty() || v[TcField::LegalSurname].empty()) {
        bad("missing_name", std::string(idColumn) + " " + quoted(seen->first) + " has no legal " +
                                (v[TcField::LegalForename].empty() ? "forename" : "surname"));
        return;
    }
    core::Person p;
    p.role = learner ? core::Role::Learner : core::Role::Staff;
    if (std::string_view upn = v[TcField::Upn]; learner && !upn.empty()) {
        if (!core::isValidUpn(upn)) {
            bad("invalid_upn",
                "UPN " + quoted(upn) +
                    (core::hasUpnShape(upn) ? " has a wrong check letter"
                                            : " is not a UPN (a letter, 11 digits, a digit or "
                                              "letter)"));
            return;
        }
        p.upn = core::canonicalUpn(upn);
    }
    struct DateField {
        TcField field;
        std::optional<core::Date>* target;
    };
    for (DateField d :
         {DateField{TcField::Dob, &p.dob}, DateField{TcField::AdmissionDate, &p.admissionDate},
          DateField{TcField::LeavingDate, &p.leavingDate}}) {
        std::string_view value = v[d.field];
        if (value.empty()) {
            continue;
        }
        *d.target = parseCsvDate(value);
        if (!*d.target) {
            bad("invalid_date", std::string(canonicalName(d.field)) + " " + quoted(value) +
                                    " is not a date (YYYY-MM-DD, ISO date-time or D/M/YYYY)");
            return;
        }
    }
    if (std::string_view year = v[TcField::YearGroup]; !year.empty()) {
        auto normalized = core::normalizeYearGroup(year);
        if (!normalized) {
            bad("invalid_year_group", "year group " + quoted(year) + " is not N1, N2, R or 1-14");
            return;
        }
        p.yearGroup = std::move(*normalized);
    }
    if (std::string_view status = v[TcField::EnrolmentStatus]; !status.empty()) {
        auto enrolment = core::parseEnrolment(status);
        if (!enrolment) {
            bad("invalid_enrolment_status",
                "enrolment status " + quoted(status) + " is not C, M, S or G");
            return;
        }
        p.enrolment = *enrolment;
    }
    // Last, so that a record rejected for another reason does not claim its UPN.
    if (!p.upn.empty() && !learnerUpns_.insert(p.upn).second) {
        bad("duplicate_upn", "UPN " + quoted(p.upn) + " belongs to an earlier learner");
        return;
    }
    seen->second = true;
    p.misId = seen->first;
    p.admissionNumber = text(v[TcField::AdmissionNumber]);
    p.staffCode = text(v[TcField::StaffCode]);
    p.nationalId = text(v[TcField::NationalId]);
    p.legalForename = text(v[TcField::LegalForename]);
    p.legalSurname = text(v[TcField::LegalSurname]);
    p.preferredForename = text(v[TcField::PreferredForename]);
    p.preferredSurname = text(v[TcField::PreferredSurname]);
    p.gender = text(v[TcField::Gender]);
    p.regGroup = text(v[TcField::RegGroup]);
    p.staffRole = text(v[TcField::StaffRole]);
    p.title = text(v[TcField::Title]);
    p.source = core::RecordRef{std::string(fileName), record};
    part.persons.push_back(std::move(p));
}

void TeacherCentreParser::readMembership(const Values& v, std::string_view fileName,
                                         std::uint32_t record, core::Snapshot& part) {
    auto bad = [&](const char* code, std::string message) {
        reject(part, code, fileName, record, std::move(message) + onLine());
    };
    std::string code = text(v[TcField::GroupCode]);
    if (code.empty()) {
        bad("missing_group", "record has no Group Code");
        return;
    }
    const bool known = groupCodes_.contains(code);
    std::optional<core::GroupType> type;
    if (std::string_view typeText = v[TcField::GroupType]; !typeText.empty()) {
        type = core::parseGroupType(typeText);
        if (!type) {
            bad("invalid_group_type", "group " + quoted(code) + " has group type " +
                                          quoted(typeText) +
                                          ", not Registration, Year, Class or House");
            return;
        }
    } else if (!known) {
        bad("invalid_group_type", "group " + quoted(code) + " has no group type");
        return;
    }
    std::optional<std::string> year = core::normalizeYearGroup(v[TcField::YearGroup]);
    if (!year) {
        bad("invalid_year_group", "group " + quoted(code) + " has year group " +
                                      quoted(v[TcField::YearGroup]) + ", not N1, N2, R or 1-14");
        return;
    }
    const std::string_view memberId = v[TcField::MemberId];
    core::Role role = core::Role::Learner;
    if (!memberId.empty()) {
        auto parsed = core::parseRole(v[TcField::MemberType]);
        if (!parsed || (*parsed != core::Role::Learner && *parsed != core::Role::Staff)) {
            bad("invalid_member_type", "member " + quoted(memberId) + " of group " + quoted(code) +
                                           " has member type " + quoted(v[TcField::MemberType]) +
                                           ", not Pupil or Staff");
            return;
        }
        role = *parsed;
    }
    // The first usable row of a group defines it; a row without Member ID is a group that has
    // no members yet, which still has to exist (R11).
    if (!known) {
        groupCodes_.insert(code);
        part.groups.push_back(core::Group{code, *type, text(v[TcField::Subject]), std::move(*year),
                                          core::RecordRef{std::string(fileName), record}});
    }
    if (memberId.empty()) {
        return;
    }
    const bool learner = role == core::Role::Learner;
    std::string id = text(memberId);
    const auto& ids = learner ? learnerIds_ : staffIds_;
    auto person = ids.find(id);
    if (person == ids.end()) {
        part.warnings.push_back(core::Warning{
            "unknown_member", std::string(fileName) + " record " + std::to_string(record) +
                                  ": member ID " + shown(id) + " is not in " +
                                  (learner ? pupilsFile_ : staffFile_)});
        return;
    }
    if (!person->second) {
        return;  // its own row was rejected and reported there
    }
    std::string key = code;
    key += '\0';
    key += learner ? 'L' : 'S';
    key += id;
    if (!membershipKeys_.insert(std::move(key)).second) {
        return;
    }
    part.memberships.push_back(core::Membership{std::move(code), std::move(id), role,
                                                core::RecordRef{std::string(fileName), record}});
}

}  // namespace misync::connectors
