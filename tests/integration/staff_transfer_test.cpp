// Staff moving between schools (R1, R7) with policy.staff_transfer = "automatic", matched by
// national id (EWC number), in both run orders; the Digital Champion role stays behind and the
// school left without one is told (R10).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

constexpr const char* kA = "6612001";
constexpr const char* kB = "6612002";

StaffMember gwen(std::string id) {
    return StaffMember{.id = std::move(id),
                       .forename = "Gwen",
                       .surname = "Owen",
                       .staffCode = "GO",
                       .startDate = "2020-09-01",
                       .ewc = "EWC12345"};
}

bool warned(const json::object& run, std::string_view code) {
    for (const auto& w : run.at("warnings").as_array()) {
        if (str(w, "code") == code) {
            return true;
        }
    }
    return false;
}

class StaffTransferTest : public E2eTest {
  protected:
    void start(std::string_view staffTransfer) {
        writeConfig({{kA, "", ""}, {kB, "", ""}},
                    "staff_transfer = \"" + std::string(staffTransfer) + "\"\n");
        SchoolExtract a;
        a.staff = {gwen("A7"), {.id = "A8", .forename = "Huw", .surname = "Morgan"}};
        writeSchool(kA, a);
        SchoolExtract b;
        b.staff = {{.id = "B1", .forename = "Iwan", .surname = "Bowen"}};
        writeSchool(kB, b);
        runJson("2025-10-01");
        Result r = misync({"accounts", "promote", "oweng"});
        ASSERT_EQ(r.status, 0) << r.err;
        // Gwen moves: A's extract no longer lists her, B's does, with B's own MIS id.
        a.staff.erase(a.staff.begin());
        writeSchool(kA, a);
        b.staff.push_back(gwen("B9"));
        writeSchool(kB, b);
    }
};

TEST_F(StaffTransferTest, AutomaticTransferByNationalIdInEitherOrder) {
    std::string first;
    for (bool aFirst : {true, false}) {
        SCOPED_TRACE(aFirst ? "A first" : "B first");
        start("automatic");
        const json::object runs =
            runJson("2025-10-02", aFirst ? std::vector<std::string>{"--school", kA, "--school", kB}
                                         : std::vector<std::string>{"--school", kB, "--school", kA})
                .as_object();
        EXPECT_TRUE(warned(runOf(runs, kA), "no_digital_champion"))
            << "R10: A lost its only Champion: " << json::serialize(runs);
        EXPECT_EQ(countOf(runOf(runs, kB), "create"), 0) << "no second account";
        const json::object g = showAccount("oweng");
        EXPECT_EQ(str(g, "school"), kB);
        EXPECT_EQ(str(g, "mis_id"), "B9");
        EXPECT_EQ(str(g, "status"), "active");
        EXPECT_FALSE(g.at("digital_champion").as_bool()) << "a Champion of A, not of B";
        const std::string state = json::serialize(withoutTimes(accounts()));
        if (first.empty()) {
            first = state;
        } else {
            EXPECT_EQ(state, first) << "R13: the same directory";
        }
        dropDirectory();
    }
}

TEST_F(StaffTransferTest, ManualTransferGivesTheNewSchoolANewAccount) {
    start("manual");
    runJson("2025-10-02");
    const json::array gwens = accounts({"--search", "Gwen"});
    ASSERT_EQ(gwens.size(), 2u);
    EXPECT_EQ(str(*byMisId(gwens, kA, "A7"), "status"), "deactivated");
    EXPECT_EQ(str(*byMisId(gwens, kB, "B9"), "status"), "active");
}

}  // namespace
}  // namespace misync::e2e
