#include "reconcile/guard.h"

#include <array>
#include <cmath>
#include <set>

namespace misync::reconcile {

namespace {

std::size_t roleIndex(core::Role r) {
    return r == core::Role::Learner ? 0 : 1;
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
    return std::to_string(whole == 0 ? 0 : part * 100 / whole) + "%";
}

std::string number(double v) {
    if (v == std::floor(v)) {
        return std::to_string(static_cast<long long>(v));
    }
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    return s;
}

}  // namespace

std::optional<core::Warning> holdReason(const Plan& plan, const core::Snapshot& snapshot,
                                        const DirectoryView& view, const Policy& policy) {
    // The school's active MIS accounts before the run, per role (learners, staff).
    std::array<std::uint64_t, 2> active{};
    for (const auto& a : view.accounts) {
        if (a.school == view.school && a.source == AccountSource::Mis &&
            a.status == AccountStatus::Active &&
            (a.role == core::Role::Learner || a.role == core::Role::Staff)) {
            ++active[roleIndex(a.role)];
        }
    }
    const std::uint64_t total = active[0] + active[1];
    std::vector<std::string> reasons;

    // S4: a complete snapshot that lists far fewer persons of a role than the school has.
    if (snapshot.complete && policy.minRollPercent > 0) {
        std::array<std::uint64_t, 2> listed{};
        for (const auto& p : snapshot.persons) {
            if (p.role == core::Role::Learner || p.role == core::Role::Staff) {
                ++listed[roleIndex(p.role)];
            }
        }
        for (const auto& e : snapshot.rejected) {
            if (e.role && (*e.role == core::Role::Learner || *e.role == core::Role::Staff)) {
                ++listed[roleIndex(*e.role)];
            }
        }
        for (std::size_t r = 0; r < 2; ++r) {
            if (active[r] == 0) {
                continue;  // nothing to lose: a school with no accounts yet is never held
            }
            if (static_cast<double>(listed[r]) * 100.0 <
                policy.minRollPercent * static_cast<double>(active[r])) {
                const char* noun = r == 0 ? "learner" : "staff";
                reasons.push_back(
                    "S4 shrink guard: the complete extract lists " + std::to_string(listed[r]) +
                    (r == 0 ? (listed[r] == 1 ? " learner" : " learners") : " staff") +
                    " but the school has " + std::to_string(active[r]) + " active " + noun +
                    " account" + (active[r] == 1 ? "" : "s") + " (" +
                    percent(listed[r], active[r]) + "); limit " + number(policy.minRollPercent) +
                    "%");
            }
        }
    }

    // S3: a run that would deactivate a large share of the school's accounts.
    const std::uint64_t deactivate = plan.counts["deactivate"];
    if (deactivate > 0) {
        const bool share = static_cast<double>(deactivate) * 100.0 >
                               policy.maxDeactivatePercent * static_cast<double>(total) &&
                           deactivate > policy.minDeactivateGuard;
        const bool many = deactivate > policy.maxDeactivateCount;
        if (share || many) {
            const char* noun = active[1] == 0 ? "learner" : (active[0] == 0 ? "staff" : "MIS");
            std::string why = "S3 deactivation guard: would deactivate " +
                              std::to_string(deactivate) + " of " + std::to_string(total) +
                              " active " + noun + " accounts (" + percent(deactivate, total) +
                              "); limit ";
            if (share) {
                why += number(policy.maxDeactivatePercent) + "% and more than " +
                       std::to_string(policy.minDeactivateGuard);
            }
            if (many) {
                why += std::string(share ? ", or " : "") + "more than " +
                       std::to_string(policy.maxDeactivateCount) + " at once";
            }
            reasons.push_back(std::move(why));
        }
    }
    if (reasons.empty()) {
        return std::nullopt;
    }
    std::string message;
    for (const auto& r : reasons) {
        message += (message.empty() ? "" : "; ") + r;
    }
    return core::Warning{"held", message +
                                     "; nothing was applied: approve the run (misync "
                                     "approve RUN) if this is right"};
}

std::optional<core::Warning> staleExtract(const std::string& extractedAtIso,
                                          const std::string& nowIso, const Policy& policy) {
    auto extracted = core::parseTimestamp(extractedAtIso);
    auto now = core::parseTimestamp(nowIso);
    if (!extracted || !now) {
        return std::nullopt;
    }
    const long long age = *now - *extracted;
    if (age <= static_cast<long long>(policy.staleAfterHours) * 3600) {
        return std::nullopt;
    }
    return core::Warning{"stale_extract", "the extract is " + std::to_string(age / 3600) +
                                              " hours old (extracted " + extractedAtIso +
                                              "); limit " + std::to_string(policy.staleAfterHours) +
                                              " hours"};
}

std::optional<core::Date> nextPurgeDate(const DirectoryView& view, const Plan& plan,
                                        core::Date asOf, const Policy& policy) {
    std::optional<core::Date> next;
    auto consider = [&](const Account& a) {
        if (a.school != view.school || a.source != AccountSource::Mis ||
            a.status != AccountStatus::Deactivated || a.ownerOnRoll ||
            a.deactivatedAt.size() < 10) {
            return;
        }
        auto since = core::parseIsoDate(a.deactivatedAt.substr(0, 10));
        if (!since) {
            return;
        }
        const core::Date due = since->addDays(static_cast<int>(policy.retentionDays));
        if (due > asOf && (!next || due < *next)) {
            next = due;
        }
    };
    std::set<std::int64_t> written;
    for (const auto& w : plan.accounts) {
        written.insert(w.account.id);
        consider(w.account);  // as the plan leaves it
    }
    for (const auto& a : view.accounts) {
        if (written.count(a.id) == 0) {
            consider(a);
        }
    }
    return next;
}

}  // namespace misync::reconcile
