// Scenario 4: a learner moves from school A to school B while A is late to record the leaver
// (R7), in both run orders, which must end in the same directory (R13).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

using testing::Contains;
using testing::Not;
using testing::UnorderedElementsAre;

constexpr const char* kA = "6612001";
constexpr const char* kB = "6612002";

const std::string kMover = makeUpn(kA, 50, 13);

struct FinalState {
    json::array accounts;
    json::array groups;
};

class TransferTest : public E2eTest {
  protected:
    void SetUp() override {
        E2eTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        writeConfig({{kA, "Ysgol A", ""}, {kB, "Ysgol B", ""}});
    }

    static Student pupil(std::string id, std::string upn, std::string forename, std::string surname,
                         std::string reg, std::string admitted) {
        return Student{.id = std::move(id),
                       .upn = std::move(upn),
                       .forename = std::move(forename),
                       .surname = std::move(surname),
                       .year = "Year 8",
                       .reg = std::move(reg),
                       .admissionDate = std::move(admitted)};
    }
    static GroupRow in(std::string group, std::string type, std::string id) {
        return GroupRow{.group = std::move(group), .type = std::move(type), .year = "8", .id = id};
    }

    // A: the mover (5050) and Nia; `leftOn` set = A has recorded the leaver, `omitted` = A's
    // complete roll no longer lists the mover.
    static SchoolExtract schoolA(const std::string& leftOn, bool omitted = false) {
        SchoolExtract x;
        x.students = {pupil("5050", kMover, "Tomos", "Rees", "8A", "2021-09-01"),
                      pupil("5001", makeUpn(kA, 1, 13), "Nia", "Bowen", "8A", "2021-09-01")};
        x.students[0].leavingDate = leftOn;
        if (omitted) {
            x.students.erase(x.students.begin());
        }
        x.groups = {in("8A", "Registration", "5001"), in("8Ma1", "Class", "5001")};
        if (leftOn.empty() && !omitted) {
            x.groups.push_back(in("8A", "Registration", "5050"));
            x.groups.push_back(in("8Ma1", "Class", "5050"));
        }
        return x;
    }
    // B: Osian, and from `withMover` on the mover as a new admission (MIS id 7070).
    static SchoolExtract schoolB(bool withMover) {
        SchoolExtract x;
        x.students = {pupil("7001", makeUpn(kB, 1, 13), "Osian", "Bevan", "8X", "2021-09-01")};
        x.groups = {in("8X", "Registration", "7001"), in("Year 8", "Year", "7001")};
        if (withMover) {
            x.students.push_back(pupil("7070", kMover, "Tomos", "Rees", "8X", "2025-11-03"));
            x.groups.push_back(in("8X", "Registration", "7070"));
            x.groups.push_back(in("Year 8", "Year", "7070"));
        }
        return x;
    }

    std::vector<std::string> order(bool aFirst) const {
        return aFirst ? std::vector<std::string>{"--school", kA, "--school", kB}
                      : std::vector<std::string>{"--school", kB, "--school", kA};
    }

    static std::vector<json::object> accountsWithUpn(const json::array& all,
                                                     const std::string& upn) {
        std::vector<json::object> out;
        for (const auto& a : all) {
            if (str(a, "upn") == upn) {
                out.push_back(a.as_object());
            }
        }
        return out;
    }

    FinalState scenario(bool aFirst, bool byAbsence) {
        SCOPED_TRACE(aFirst ? "order A, B" : "order B, A");
        SCOPED_TRACE(byAbsence ? "A omits the leaver" : "A records a leaving date");
        // Day 0: the learner is at A only.
        writeSchool(kA, schoolA(""));
        writeSchool(kB, schoolB(false));
        runJson("2025-09-01", order(aFirst));
        const std::string password = credentials(kA, "learner")["reest"]["Password"];
        EXPECT_FALSE(password.empty());
        EXPECT_NE(password, "-");

        // Day 1: both schools have the learner on roll → awaiting transfer, no duplicate.
        writeSchool(kB, schoolB(true));
        json::value day1 = runJson("2025-11-03", order(aFirst));
        const json::object& b1 = runOf(day1, kB);
        EXPECT_EQ(countOf(b1, "awaiting_transfer"), 1);
        EXPECT_EQ(countOf(b1, "create"), 0);
        EXPECT_EQ(countOf(runOf(day1, kA), "transfer") + countOf(b1, "transfer"), 0);
        bool warned = false;
        for (const auto& w : b1.at("warnings").as_array()) {
            warned = warned || str(w, "code") == "awaiting_transfer";
        }
        EXPECT_TRUE(warned) << json::serialize(b1.at("warnings"));
        json::array all = accounts();
        auto movers = accountsWithUpn(all, kMover);
        EXPECT_EQ(movers.size(), 1u);
        EXPECT_EQ(all.size(), 3u);
        if (!movers.empty()) {
            EXPECT_EQ(str(movers[0], "school"), kA);
            EXPECT_EQ(str(movers[0], "status"), "active");
        }
        // Every later run reports it again (R13).
        json::value again = runJson("2025-11-03", {"--school", kB});
        EXPECT_EQ(countOf(runOf(again, kB), "awaiting_transfer"), 1);
        EXPECT_EQ(accounts().size(), 3u);

        // Day 2: A records the leaver → one transfer from A to B.
        writeSchool(kA, byAbsence ? schoolA("", true) : schoolA("2025-11-03"));
        json::value day2 = runJson("2025-11-04", order(aFirst));
        std::vector<json::object> transfers;
        for (const char* s : {kA, kB}) {
            const json::object& run = runOf(day2, s);
            EXPECT_EQ(str(run, "outcome") == "failed", false);
            EXPECT_EQ(countOf(run, "deactivate"), 0) << s;
            EXPECT_EQ(countOf(run, "create"), 0) << s;
            for (auto& t : actionsOf(run, "transfer")) {
                transfers.push_back(t);
            }
        }
        EXPECT_EQ(countOf(runOf(day2, kA), "transfer") + countOf(runOf(day2, kB), "transfer"), 1);
        EXPECT_EQ(transfers.size(), 1u);
        if (!transfers.empty()) {
            EXPECT_EQ(str(transfers[0], "from_school"), kA);
            EXPECT_EQ(str(transfers[0], "username"), "reest");
            EXPECT_EQ(str(transfers[0], "upn"), kMover);
        }

        FinalState state{accounts(), groups()};
        movers = accountsWithUpn(state.accounts, kMover);
        EXPECT_EQ(movers.size(), 1u);
        if (!movers.empty()) {
            const auto& m = movers[0];
            EXPECT_EQ(str(m, "school"), kB);
            EXPECT_EQ(str(m, "status"), "active");
            EXPECT_EQ(str(m, "username"), "reest");
            EXPECT_EQ(str(m, "mis_id"), "7070");  // attributes from B
            EXPECT_EQ(str(m, "reg_group"), "8X");
        }
        // Same password, still visible, now in B's export (and no longer in A's).
        EXPECT_EQ(credentials(kB, "learner")["reest"]["Password"], password);
        EXPECT_EQ(credentials(kA, "learner").count("reest"), 0u);
        for (const auto& g : state.groups) {
            if (str(g, "school") == kA) {
                EXPECT_THAT(membersOf(g.as_object()), Not(Contains("reest"))) << str(g, "code");
            }
        }
        auto b8x = groupOf(state.groups, kB, "8X");
        auto by8 = groupOf(state.groups, kB, "Year 8");
        EXPECT_TRUE(b8x && by8);
        if (b8x && by8) {
            EXPECT_THAT(membersOf(*b8x), UnorderedElementsAre("bevano", "reest"));
            EXPECT_THAT(membersOf(*by8), UnorderedElementsAre("bevano", "reest"));
        }

        // Converged: running both schools again changes nothing.
        json::value day2again = runJson("2025-11-04", order(!aFirst));
        for (const char* s : {kA, kB}) {
            EXPECT_EQ(str(runOf(day2again, s), "outcome"), "no_change") << s;
            EXPECT_EQ(totalCounts(runOf(day2again, s)), 0) << s;
        }
        return state;
    }
};

TEST_F(TransferTest, LateLeaverConvergesInBothOrders) {
    FinalState ab = scenario(true, false);
    dropDirectory();
    FinalState ba = scenario(false, false);
    EXPECT_EQ(json::serialize(withoutTimes(ab.accounts)),
              json::serialize(withoutTimes(ba.accounts)));
    EXPECT_EQ(json::serialize(ab.groups), json::serialize(ba.groups));
}

TEST_F(TransferTest, LeaverByAbsenceConvergesInBothOrders) {
    FinalState ab = scenario(true, true);
    dropDirectory();
    FinalState ba = scenario(false, true);
    EXPECT_EQ(json::serialize(withoutTimes(ab.accounts)),
              json::serialize(withoutTimes(ba.accounts)));
    EXPECT_EQ(json::serialize(ab.groups), json::serialize(ba.groups));
}

// R7: an account A has already deactivated moves to B on B's first run that lists the learner,
// reactivated, with its username and password.
TEST_F(TransferTest, DeactivatedAccountMovesToTheNewSchool) {
    writeSchool(kA, schoolA(""));
    writeSchool(kB, schoolB(false));
    runJson("2025-09-01");
    const std::string password = credentials(kA, "learner")["reest"]["Password"];
    writeSchool(kA, schoolA("", true));
    const json::object left = runOf(runJson("2025-10-01"), kA);
    EXPECT_EQ(countOf(left, "deactivate"), 1);
    ASSERT_EQ(str(*byUpn(accounts(), kMover), "status"), "deactivated");

    writeSchool(kB, schoolB(true));
    json::value out = runJson("2025-11-03");
    const json::object b = runOf(out, kB);
    EXPECT_EQ(countOf(b, "create"), 0);
    EXPECT_EQ(countOf(b, "awaiting_transfer"), 0);
    auto transfers = actionsOf(b, "transfer");
    ASSERT_EQ(transfers.size(), 1u) << json::serialize(b);
    EXPECT_EQ(str(transfers[0], "from_school"), kA);
    EXPECT_EQ(str(transfers[0], "username"), "reest");
    EXPECT_EQ(countOf(runOf(out, kA), "transfer"), 0);
    json::array all = accounts();
    EXPECT_EQ(all.size(), 3u);
    auto mover = byUpn(all, kMover);
    ASSERT_TRUE(mover);
    EXPECT_EQ(str(*mover, "school"), kB);
    EXPECT_EQ(str(*mover, "status"), "active");
    EXPECT_EQ(str(*mover, "username"), "reest");
    EXPECT_EQ(credentials(kB, "learner")["reest"]["Password"], password);
    EXPECT_THAT(membersOf(*groupOf(groups(), kB, "8X")), UnorderedElementsAre("bevano", "reest"));
}

}  // namespace
}  // namespace misync::e2e
