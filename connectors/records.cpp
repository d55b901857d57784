#include "connectors/records.h"

#include <optional>
#include <tuple>
#include <utility>

#include "core/date.h"
#include "core/text.h"
#include "core/upn.h"
#include "core/year_group.h"

namespace misync::connectors {

namespace {

constexpr std::size_t kMaxQuoted = 80;

// The same as quotedValue(), unquoted, for messages whose wording is fixed (unknown_member).
std::string shown(std::string_view value) {
    std::string q = quotedValue(value);
    return q.substr(1, q.size() - 2);
}

std::string text(std::string_view value) {
    // Kept as the file has it: Connector::read() rejects a record whose text is not valid UTF-8
    // or too long (connectors/record_checks.h), naming the field, instead of changing it.
    return std::string(value);
}

void reject(core::Snapshot& snapshot, const char* code, std::string_view fileName,
            std::uint32_t record, std::string message) {
    snapshot.rejected.push_back(
        core::RecordError{code, std::string(fileName), record, std::move(message)});
}

}  // namespace

std::string quotedValue(std::string_view value) {
    std::string out = "'";
    out += core::sanitizeUtf8(value.substr(0, kMaxQuoted));
    if (value.size() > kMaxQuoted) {
        out += "…";
    }
    out += "'";
    return out;
}

void RecordAssembler::setPersonFiles(std::string learnersFile, std::string staffFile) {
    learnersFile_ = std::move(learnersFile);
    staffFile_ = std::move(staffFile);
}

void RecordAssembler::reservePersons(core::Role role, std::size_t count) {
    if (role == core::Role::Learner && learnersByUpn_) {
        learnerUpns_.reserve(learnerUpns_.size() + count);
        return;
    }
    auto& ids = role == core::Role::Learner ? learnerIds_ : staffIds_;
    ids.reserve(ids.size() + count);
}

void RecordAssembler::reserveMemberships(std::size_t count) {
    membershipKeys_.reserve(membershipKeys_.size() + count);
}

void RecordAssembler::forgetPersons(core::Role role) {
    membershipKeys_.clear();  // it points into the ids
    if (role == core::Role::Learner) {
        learnerIds_.clear();
        learnerUpns_.clear();
    } else {
        staffIds_.clear();
    }
}

void RecordAssembler::forgetGroups() {
    groupCodes_.clear();
    lastGroup_ = nullptr;
    membershipKeys_.clear();
}

void RecordAssembler::addPerson(core::Role role, const FieldValues& v, std::string_view fileName,
                                std::uint32_t record, core::Snapshot& snapshot) {
    const bool learner = role == core::Role::Learner;
    const bool byUpn = learner && learnersByUpn_;
    auto bad = [&](const char* code, std::string message) {
        reject(snapshot, code, fileName, record, std::move(message));
        // Keep who the record was about (R15 must not turn into R5).
        core::RecordError& e = snapshot.rejected.back();
        e.role = learner ? core::Role::Learner : core::Role::Staff;
        if (learner && core::hasUpnShape(v[Field::Upn])) {
            e.upn = core::canonicalUpn(v[Field::Upn]);
        }
        e.misId = byUpn ? e.upn : text(v[Field::MisId]);
    };
    const std::string_view idText = byUpn ? v[Field::Upn] : v[Field::MisId];
    if (idText.empty()) {
        bad("missing_id", byUpn ? "record has no UPN" : "record has no ID");
        return;
    }
    auto& ids = learner ? learnerIds_ : staffIds_;
    TextMap<bool>::iterator seen;
    if (!byUpn) {
        bool isNew = false;
        std::tie(seen, isNew) = ids.try_emplace(text(idText), false);
        if (!isNew) {
            bad("duplicate_id", "ID " + quotedValue(seen->first) + " appears in an earlier record");
            return;
        }
    }
    if (v[Field::LegalForename].empty() || v[Field::LegalSurname].empty()) {
        bad("missing_name", (byUpn ? "UPN " : "ID ") + quotedValue(idText) + " has no legal " +
                                (v[Field::LegalForename].empty() ? "forename" : "surname"));
        return;
    }
    core::Person p;
    p.role = learner ? core::Role::Learner : core::Role::Staff;
    if (std::string_view upn = v[Field::Upn]; !upn.empty()) {
        if (!core::isValidUpn(upn)) {
            bad("invalid_upn",
                "UPN " + quotedValue(upn) +
                    (core::hasUpnShape(upn) ? " has a wrong check letter"
                                            : " is not a UPN (a letter, 11 digits, a digit or "
                                              "letter)"));
            return;
        }
        p.upn = core::canonicalUpn(upn);
    }
    struct DateField {
        Field field;
        std::optional<core::Date>* target;
    };
    for (DateField d :
         {DateField{Field::Dob, &p.dob}, DateField{Field::AdmissionDate, &p.admissionDate},
          DateField{Field::LeavingDate, &p.leavingDate}}) {
        std::string_view value = v[d.field];
        if (value.empty()) {
            continue;
        }
        *d.target = readDate_(value);
        if (!*d.target) {
            bad("invalid_date", std::string(label_(d.field)) + " " + quotedValue(value) +
                                    " is not a date (YYYY-MM-DD, ISO date-time or D/M/YYYY)");
            return;
        }
    }
    if (std::string_view year = v[Field::YearGroup]; !year.empty()) {
        auto normalized = core::normalizeYearGroup(year);
        if (!normalized) {
            bad("invalid_year_group",
                "year group " + quotedValue(year) + " is not N1, N2, R or 1-14");
            return;
        }
        p.yearGroup = std::move(*normalized);
    }
    if (std::string_view status = v[Field::EnrolmentStatus]; !status.empty()) {
        auto enrolment = core::parseEnrolment(status);
        if (!enrolment) {
            bad("invalid_enrolment_status",
                "enrolment status " + quotedValue(status) + " is not C, M, S or G");
            return;
        }
        p.enrolment = *enrolment;
    }
    // Last, so that a record rejected for another reason does not claim its UPN.
    if (!p.upn.empty() && !learnerUpns_.insert(p.upn).second) {
        bad("duplicate_upn", "UPN " + quotedValue(p.upn) + " belongs to an earlier learner");
        return;
    }
    if (byUpn) {
        p.misId = p.upn;
    } else {
        seen->second = true;
        p.misId = seen->first;
    }
    p.admissionNumber = text(v[Field::AdmissionNumber]);
    p.staffCode = text(v[Field::StaffCode]);
    p.nationalId = text(v[Field::NationalId]);
    p.legalForename = text(v[Field::LegalForename]);
    p.legalSurname = text(v[Field::LegalSurname]);
    p.preferredForename = text(v[Field::PreferredForename]);
    p.preferredSurname = text(v[Field::PreferredSurname]);
    p.gender = text(v[Field::Gender]);
    p.regGroup = text(v[Field::RegGroup]);
    p.staffRole = text(v[Field::StaffRole]);
    p.title = text(v[Field::Title]);
    p.source = core::RecordRef{std::string(fileName), record};
    snapshot.persons.push_back(std::move(p));
}

void RecordAssembler::addMembership(const FieldValues& v, std::string_view fileName,
                                    std::uint32_t record, core::Snapshot& snapshot) {
    auto bad = [&](const char* code, std::string message) {
        reject(snapshot, code, fileName, record, std::move(message));
    };
    const std::string_view code = v[Field::GroupCode];
    if (code.empty()) {
        bad("missing_group", "record has no group code");
        return;
    }
    const std::string* group = lastGroup_;
    if (group == nullptr || *group != code) {
        auto found = groupCodes_.find(code);
        group = found == groupCodes_.end() ? nullptr : &*found;
    }
    const bool known = group != nullptr;
    std::optional<core::GroupType> type;
    if (std::string_view typeText = v[Field::GroupType]; !typeText.empty()) {
        type = core::parseGroupType(typeText);
        if (!type) {
            bad("invalid_group_type", "group " + quotedValue(code) + " has group type " +
                                          quotedValue(typeText) +
                                          ", not Registration, Year, Class or House");
            return;
        }
    } else if (!known) {
        bad("invalid_group_type", "group " + quotedValue(code) + " has no group type");
        return;
    }
    std::optional<std::string> year = core::normalizeYearGroup(v[Field::YearGroup]);
    if (!year) {
        bad("invalid_year_group", "group " + quotedValue(code) + " has year group " +
                                      quotedValue(v[Field::YearGroup]) + ", not N1, N2, R or 1-14");
        return;
    }
    const std::string_view memberId = v[Field::MemberId];
    core::Role role = core::Role::Learner;
    if (!memberId.empty()) {
        auto parsed = core::parseRole(v[Field::MemberType]);
        if (!parsed || (*parsed != core::Role::Learner && *parsed != core::Role::Staff)) {
            bad("invalid_member_type", "member " + quotedValue(memberId) + " of group " +
                                           quotedValue(code) + " has member type " +
                                           quotedValue(v[Field::MemberType]) +
                                           ", not Pupil or Staff");
            return;
        }
        role = *parsed;
    }
    // The first usable record of a group defines it; a record without ID is a group that has
    // no members yet, which still has to exist (R11).
    if (!known) {
        group = &*groupCodes_.insert(text(code)).first;
        snapshot.groups.push_back(core::Group{text(code), *type, text(v[Field::Subject]),
                                              std::move(*year),
                                              core::RecordRef{std::string(fileName), record}});
    }
    lastGroup_ = group;
    if (memberId.empty()) {
        return;
    }
    const bool learner = role == core::Role::Learner;
    const auto& ids = learner ? learnerIds_ : staffIds_;
    auto person = ids.find(memberId);
    if (person == ids.end()) {
        snapshot.warnings.push_back(core::Warning{
            "unknown_member", std::string(fileName) + " record " + std::to_string(record) +
                                  ": member ID " + shown(memberId) + " is not in " +
                                  (learner ? learnersFile_ : staffFile_)});
        return;
    }
    if (!person->second) {
        return;  // its own record was rejected and reported there
    }
    // Learner and staff ids live in different maps, so the pointer tells the role too.
    if (!membershipKeys_.insert({group, &person->first}).second) {
        return;
    }
    snapshot.memberships.push_back(core::Membership{
        *group, person->first, role, core::RecordRef{std::string(fileName), record}});
}

}  // namespace misync::connectors
