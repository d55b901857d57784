#include "reconcile/account.h"

namespace misync::reconcile {

const char* toString(AccountStatus s) {
    switch (s) {
        case AccountStatus::Active:
            return "active";
        case AccountStatus::Deactivated:
            return "deactivated";
        case AccountStatus::Purged:
            return "purged";
    }
    return "active";
}

std::optional<AccountStatus> parseAccountStatus(std::string_view s) {
    if (s == "active") {
        return AccountStatus::Active;
    }
    if (s == "deactivated") {
        return AccountStatus::Deactivated;
    }
    if (s == "purged") {
        return AccountStatus::Purged;
    }
    return std::nullopt;
}

const char* toString(AccountSource s) {
    return s == AccountSource::Mis ? "mis" : "manual";
}

namespace {
std::string dateText(const std::optional<core::Date>& d) {
    return d ? d->toString() : "";
}
}  // namespace

Attributes attributesOf(const core::Person& p) {
    Attributes a;
    a.misId = p.misId;
    a.upn = p.upn;
    a.admissionNumber = p.admissionNumber;
    a.staffCode = p.staffCode;
    a.nationalId = p.nationalId;
    a.legalForename = p.legalForename;
    a.legalSurname = p.legalSurname;
    a.preferredForename = p.preferredForename;
    a.preferredSurname = p.preferredSurname;
    a.dob = dateText(p.dob);
    a.gender = p.gender;
    a.yearGroup = p.yearGroup;
    a.regGroup = p.regGroup;
    a.admissionDate = dateText(p.admissionDate);
    a.leavingDate = dateText(p.leavingDate);
    a.enrolmentStatus = std::string(1, static_cast<char>(p.enrolment));
    a.staffRole = p.staffRole;
    a.title = p.title;
    return a;
}

std::string displayName(const Attributes& a) {
    const std::string& f = a.preferredForename.empty() ? a.legalForename : a.preferredForename;
    const std::string& s = a.preferredSurname.empty() ? a.legalSurname : a.preferredSurname;
    if (f.empty()) {
        return s;
    }
    return s.empty() ? f : f + " " + s;
}

std::vector<FieldChange> diffAttributes(const Attributes& b, const Attributes& a) {
    std::vector<FieldChange> out;
    auto cmp = [&out](const char* name, const std::string& x, const std::string& y) {
        if (x != y) {
            out.push_back({name, x, y});
        }
    };
    cmp("legal_forename", b.legalForename, a.legalForename);
    cmp("legal_surname", b.legalSurname, a.legalSurname);
    cmp("preferred_forename", b.preferredForename, a.preferredForename);
    cmp("preferred_surname", b.preferredSurname, a.preferredSurname);
    cmp("mis_id", b.misId, a.misId);
    cmp("upn", b.upn, a.upn);
    cmp("admission_number", b.admissionNumber, a.admissionNumber);
    cmp("staff_code", b.staffCode, a.staffCode);
    cmp("national_id", b.nationalId, a.nationalId);
    cmp("dob", b.dob, a.dob);
    cmp("gender", b.gender, a.gender);
    cmp("year_group", b.yearGroup, a.yearGroup);
    cmp("reg_group", b.regGroup, a.regGroup);
    cmp("admission_date", b.admissionDate, a.admissionDate);
    cmp("leaving_date", b.leavingDate, a.leavingDate);
    cmp("enrolment_status", b.enrolmentStatus, a.enrolmentStatus);
    cmp("role", b.staffRole, a.staffRole);
    cmp("title", b.title, a.title);
    return out;
}

}  // namespace misync::reconcile
