// R2/R5: who is on roll on a date, and when that could next change.
#include "core/year_group.h"
#include "reconcile/planner.h"

namespace misync::reconcile {

bool isOnRoll(const core::Person& p, core::Date asOf, const Policy& policy) {
    if (p.enrolment == core::Enrolment::Guest) {
        return false;
    }
    if (p.admissionDate && *p.admissionDate > asOf) {
        return false;
    }
    if (!p.leavingDate || *p.leavingDate > asOf) {
        return true;
    }
    if (p.admissionDate && *p.leavingDate < *p.admissionDate) {
        return true;  // the leaving date of an earlier enrolment
    }
    const core::Date left = *p.leavingDate;
    const int year = core::yearNumber(p.yearGroup);
    if (p.role == core::Role::Learner && year >= 11 && year <= 13 && left.month() >= 6 &&
        left.month() <= 8) {
        const core::Date until = core::Date::fromYmd(left.year(), policy.summerLeaverUntil.month,
                                                     policy.summerLeaverUntil.day);
        return asOf <= until;
    }
    return false;
}

std::optional<core::Date> nextDateChange(const core::Snapshot& snapshot, core::Date asOf,
                                         const Policy& policy) {
    std::optional<core::Date> next;
    auto consider = [&](core::Date d) {
        if (d > asOf && (!next || d < *next)) {
            next = d;
        }
    };
    for (const auto& p : snapshot.persons) {
        if (p.admissionDate) {
            consider(*p.admissionDate);
        }
        if (p.leavingDate) {
            consider(*p.leavingDate);
            const core::Date until =
                core::Date::fromYmd(p.leavingDate->year(), policy.summerLeaverUntil.month,
                                    policy.summerLeaverUntil.day);
            consider(until.addDays(1));
        }
    }
    return next;
}

}  // namespace misync::reconcile
