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

const std::array<AttributeField, 18>& attributeFields() {
    static const std::array<AttributeField, 18> fields = {{
        {"mis_id", &Attributes::misId},
        {"upn", &Attributes::upn},
        {"admission_number", &Attributes::admissionNumber},
        {"staff_code", &Attributes::staffCode},
        {"national_id", &Attributes::nationalId},
        {"legal_forename", &Attributes::legalForename},
        {"legal_surname", &Attributes::legalSurname},
        {"preferred_forename", &Attributes::preferredForename},
        {"preferred_surname", &Attributes::preferredSurname},
        {"dob", &Attributes::dob},
        {"gender", &Attributes::gender},
        {"year_group", &Attributes::yearGroup},
        {"reg_group", &Attributes::regGroup},
        {"admission_date", &Attributes::admissionDate},
        {"leaving_date", &Attributes::leavingDate},
        {"enrolment_status", &Attributes::enrolmentStatus},
        {"role", &Attributes::staffRole},
        {"title", &Attributes::title},
    }};
    return fields;
}

std::vector<FieldChange> diffAttributes(const Attributes& b, const Attributes& a) {
    std::vector<FieldChange> out;
    for (const auto& f : attributeFields()) {
        if (b.*f.member != a.*f.member) {
            out.push_back({f.name, b.*f.member, a.*f.member});
        }
    }
    return out;
}

}  // namespace misync::reconcile
