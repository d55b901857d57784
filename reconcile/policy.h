// The sync policy of SPEC §7 [policy] (defaults shown there); any school may override it.
#pragma once

#include <string>

namespace misync::reconcile {

enum class StaffTransfer { Manual, Automatic };

struct MonthDay {
    unsigned month = 8;
    unsigned day = 30;
};

struct Policy {
    std::string emailDomain = "hwbcymru.net";             // U5
    unsigned usernameMaxLength = 20;                      // U4
    bool regenerateUsernameOnRename = false;              // R4
    StaffTransfer staffTransfer = StaffTransfer::Manual;  // R1
    unsigned retentionDays = 365;                         // R5 purge
    double maxDeactivatePercent = 20;                     // S3
    unsigned minDeactivateGuard = 10;                     // S3
    unsigned maxDeactivateCount = 500;                    // S3
    double minRollPercent = 50;                           // S4
    unsigned staleAfterHours = 48;                        // S6
    MonthDay summerLeaverUntil{8, 30};                    // R5 summer leavers
};

}  // namespace misync::reconcile
