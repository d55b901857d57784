// Scenarios 2 and 3: one school's extracts over several days (joiners, leavers by date and by
// absence, year, name and registration group changes, a rejoin) and summer leavers (R5).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

using testing::UnorderedElementsAre;

constexpr const char* kSchool = "6612001";

Student learner(std::string id, int serial, std::string forename, std::string surname,
                std::string year, std::string reg) {
    return Student{.id = std::move(id),
                   .upn = makeUpn(kSchool, serial),
                   .forename = std::move(forename),
                   .surname = std::move(surname),
                   .year = std::move(year),
                   .reg = std::move(reg),
                   .admissionDate = "2025-09-01"};
}

GroupRow member(std::string group, std::string type, std::string year, std::string id,
                std::string memberType = "Pupil") {
    return GroupRow{.group = std::move(group),
                    .type = std::move(type),
                    .year = std::move(year),
                    .id = std::move(id),
                    .memberType = std::move(memberType)};
}

std::string misIdOf(const json::object& action) {
    return str(action, "mis_id");
}

class MultiDayTest : public E2eTest {
  protected:
    void SetUp() override {
        E2eTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        writeConfig({{kSchool, "", ""}});
    }

    // Day 1: five learners in 7A (7B exists, empty), one teacher.
    static SchoolExtract day1() {
        SchoolExtract x;
        x.students = {learner("1001", 1, "Aled", "Jones", "Year 7", "7A"),
                      learner("1002", 2, "Bethan", "Evans", "Year 7", "7A"),
                      learner("1003", 3, "Carwyn", "Hughes", "Year 7", "7A"),
                      learner("1004", 4, "Dylan", "Price", "Year 7", "7A"),
                      learner("1005", 5, "Efa", "Roberts", "Year 7", "7A")};
        x.staff = {
            {.id = "2001", .forename = "Gwen", .surname = "Owen", .startDate = "2019-09-01"}};
        for (const char* id : {"1001", "1002", "1003", "1004", "1005"}) {
            x.groups.push_back(member("7A", "Registration", "7", id));
            x.groups.push_back(member("Year 7", "Year", "7", id));
        }
        x.groups.push_back(member("7A", "Registration", "7", "2001", "Staff"));
        x.groups.push_back(GroupRow{.group = "7B", .type = "Registration", .year = "7"});
        return x;
    }

    // Day 2: 1001 leaves by date (SIMS still lists it in its groups), 1002 is gone, 1003 moves
    // to year 8, 1004's legal surname changes, 1005 moves to 7B, 1006 joins 7B.
    static SchoolExtract day2() {
        SchoolExtract x = day1();
        x.students[0].leavingDate = "2025-09-11";
        x.students.erase(x.students.begin() + 1);  // 1002
        x.students[1].year = "Year 8";             // 1003
        x.students[2].surname = "Price-Williams";  // 1004
        x.students[3].reg = "7B";                  // 1005
        x.students.push_back(learner("1006", 6, "Ffion", "Lloyd", "Year 7", "7B"));
        x.groups = {member("7A", "Registration", "7", "1001"),
                    member("7A", "Registration", "7", "1003"),
                    member("7A", "Registration", "7", "1004"),
                    member("7A", "Registration", "7", "2001", "Staff"),
                    member("7B", "Registration", "7", "1005"),
                    member("7B", "Registration", "7", "1006"),
                    member("Year 7", "Year", "7", "1001"),
                    member("Year 7", "Year", "7", "1004"),
                    member("Year 7", "Year", "7", "1005"),
                    member("Year 7", "Year", "7", "1006"),
                    member("Year 8", "Year", "8", "1003")};
        return x;
    }

    // Day 3: 1001 is back (no leaving date); Bethany Evans joins (her base is evansb's); the
    // Year 8 group is no longer in the extract.
    static SchoolExtract day3() {
        SchoolExtract x = day2();
        x.students[0].leavingDate.clear();
        x.groups.pop_back();  // Year 8
        x.students.push_back(learner("1007", 7, "Bethany", "Evans", "Year 7", "7B"));
        x.groups.push_back(member("7B", "Registration", "7", "1007"));
        x.groups.push_back(member("Year 7", "Year", "7", "1007"));
        return x;
    }
};

TEST_F(MultiDayTest, JoinersLeaversChangesAndRejoin) {
    // ---- day 1 ----
    writeSchool(kSchool, day1());
    const json::object d1 = runOf(runJson("2025-09-10"), kSchool);
    EXPECT_EQ(str(d1, "outcome"), "applied");
    EXPECT_EQ(countOf(d1, "create"), 6);
    EXPECT_EQ(countOf(d1, "group_create"), 3);
    EXPECT_EQ(countOf(d1, "membership_add"), 11);
    auto day1Passwords = credentials(kSchool, "learner");
    ASSERT_EQ(day1Passwords.size(), 5u);
    const std::string jonesPassword = day1Passwords["jonesa"]["Password"];
    ASSERT_NE(jonesPassword, "-");
    json::array before = accounts();

    // ---- day 2 ----
    writeSchool(kSchool, day2());
    const json::object d2 = runOf(runJson("2025-09-11"), kSchool);
    EXPECT_EQ(str(d2, "outcome"), "applied");
    EXPECT_EQ(countOf(d2, "create"), 1);
    EXPECT_EQ(countOf(d2, "deactivate"), 2);
    EXPECT_EQ(countOf(d2, "update"), 2);
    EXPECT_EQ(countOf(d2, "rename"), 1);
    EXPECT_EQ(countOf(d2, "reactivate"), 0);
    EXPECT_EQ(countOf(d2, "group_create"), 1);  // Year 8
    EXPECT_EQ(countOf(d2, "group_archive"), 0);
    // Removed: 1001 (a leaver, even though listed) and 1002 from 7A and Year 7, 1005 from 7A,
    // 1003 from Year 7. Added: 1005 and 1006 to 7B, 1006 to Year 7, 1003 to Year 8.
    EXPECT_EQ(countOf(d2, "membership_remove"), 6);
    EXPECT_EQ(countOf(d2, "membership_add"), 4);
    std::set<std::string> deactivated;
    for (const auto& a : actionsOf(d2, "deactivate")) {
        deactivated.insert(misIdOf(a));
    }
    EXPECT_THAT(deactivated, UnorderedElementsAre("1001", "1002"));
    auto renames = actionsOf(d2, "rename");
    ASSERT_EQ(renames.size(), 1u);
    EXPECT_EQ(misIdOf(renames[0]), "1004");
    EXPECT_EQ(str(renames[0], "username"), "priced");
    std::set<std::string> updated;
    for (const auto& a : actionsOf(d2, "update")) {
        updated.insert(misIdOf(a));
    }
    EXPECT_THAT(updated, UnorderedElementsAre("1003", "1005"));
    auto creates = actionsOf(d2, "create");
    ASSERT_EQ(creates.size(), 1u);
    EXPECT_EQ(str(creates[0], "username"), "lloydf");

    json::array after2 = accounts();
    EXPECT_EQ(after2.size(), 7u);  // never deleted (R5)
    auto jones = byMisId(after2, kSchool, "1001");
    ASSERT_TRUE(jones);
    EXPECT_EQ(str(*jones, "status"), "deactivated");
    EXPECT_EQ(str(*jones, "username"), "jonesa");
    auto evans = byMisId(after2, kSchool, "1002");
    ASSERT_TRUE(evans);
    EXPECT_EQ(str(*evans, "status"), "deactivated");
    EXPECT_EQ(str(*evans, "username"), "evansb");
    auto hughes = byMisId(after2, kSchool, "1003");
    ASSERT_TRUE(hughes);
    EXPECT_EQ(str(*hughes, "year_group"), "8");
    EXPECT_EQ(str(*hughes, "status"), "active");
    // R4: legal name change → new names, same username, no alias.
    auto price = byMisId(after2, kSchool, "1004");
    ASSERT_TRUE(price);
    EXPECT_EQ(str(*price, "username"), "priced");
    EXPECT_EQ(str(*price, "legal_surname"), "Price-Williams");
    EXPECT_EQ(str(*price, "display_name"), "Dylan Price-Williams");
    EXPECT_TRUE(price->at("aliases").as_array().empty());
    EXPECT_EQ(str(*byMisId(before, kSchool, "1004"), "created_at"), str(*price, "created_at"));
    auto roberts = byMisId(after2, kSchool, "1005");
    ASSERT_TRUE(roberts);
    EXPECT_EQ(str(*roberts, "reg_group"), "7B");

    json::array g2 = groups();
    auto g7a = groupOf(g2, kSchool, "7A");
    auto g7b = groupOf(g2, kSchool, "7B");
    auto gy7 = groupOf(g2, kSchool, "Year 7");
    auto gy8 = groupOf(g2, kSchool, "Year 8");
    ASSERT_TRUE(g7a && g7b && gy7 && gy8);
    EXPECT_THAT(membersOf(*g7a), UnorderedElementsAre("hughesc", "priced", "oweng"));
    EXPECT_THAT(membersOf(*g7b), UnorderedElementsAre("robertse", "lloydf"));
    EXPECT_THAT(membersOf(*gy7), UnorderedElementsAre("priced", "robertse", "lloydf"));
    EXPECT_THAT(membersOf(*gy8), UnorderedElementsAre("hughesc"));
    EXPECT_EQ(credentials(kSchool, "learner").count("jonesa"), 0u) << "only active accounts";

    // ---- day 3 ----
    writeSchool(kSchool, day3());
    const json::object d3 = runOf(runJson("2025-09-12"), kSchool);
    EXPECT_EQ(str(d3, "outcome"), "applied");
    EXPECT_EQ(countOf(d3, "reactivate"), 1);
    EXPECT_EQ(countOf(d3, "create"), 1);
    EXPECT_EQ(countOf(d3, "deactivate"), 0);
    EXPECT_EQ(countOf(d3, "membership_add"), 4);
    EXPECT_EQ(countOf(d3, "membership_remove"), 1);  // hughesc from the archived Year 8
    EXPECT_EQ(countOf(d3, "group_archive"), 1);
    auto reactivated = actionsOf(d3, "reactivate");
    ASSERT_EQ(reactivated.size(), 1u);
    EXPECT_EQ(str(reactivated[0], "username"), "jonesa");
    // U3: evansb is held by a deactivated account and is never reused.
    auto created = actionsOf(d3, "create");
    ASSERT_EQ(created.size(), 1u);
    EXPECT_EQ(str(created[0], "username"), "evansb1");

    json::array after3 = accounts();
    jones = byMisId(after3, kSchool, "1001");
    ASSERT_TRUE(jones);
    EXPECT_EQ(str(*jones, "status"), "active");
    EXPECT_EQ(str(*jones, "username"), "jonesa");
    // R6: the password is unchanged and still visible.
    auto day3Passwords = credentials(kSchool, "learner");
    ASSERT_TRUE(day3Passwords.count("jonesa"));
    EXPECT_EQ(day3Passwords["jonesa"]["Password"], jonesPassword);
    EXPECT_EQ(str(showAccount("jonesa", true), "password"), jonesPassword);
    json::array g3 = groups();
    EXPECT_THAT(membersOf(*groupOf(g3, kSchool, "7A")),
                UnorderedElementsAre("jonesa", "hughesc", "priced", "oweng"));
    EXPECT_THAT(membersOf(*groupOf(g3, kSchool, "7B")),
                UnorderedElementsAre("robertse", "lloydf", "evansb1"));
    // R11: a group absent from a complete snapshot is archived: kept, marked, no members.
    EXPECT_FALSE(groupOf(g3, kSchool, "Year 8"));
    auto archived = groupOf(groups({"--archived"}), kSchool, "Year 8");
    ASSERT_TRUE(archived);
    EXPECT_TRUE(archived->at("archived").as_bool());
    EXPECT_TRUE(membersOf(*archived).empty());

    // History: three applied runs, newest first.
    json::array hist = history(kSchool);
    ASSERT_EQ(hist.size(), 3u);
    EXPECT_EQ(str(hist[0], "as_of"), "2025-09-12");
    EXPECT_EQ(str(hist[1], "as_of"), "2025-09-11");
    EXPECT_EQ(str(hist[2], "as_of"), "2025-09-10");
    for (const auto& h : hist) {
        EXPECT_EQ(str(h, "outcome"), "applied");
    }
    EXPECT_EQ(num(hist[1], "run_id"), num(d2, "run_id"));
}

// ---- Scenario 3: summer leavers (R5) ----

class SummerLeaverTest : public E2eTest {
  protected:
    static constexpr const char* kSecondary = "6612002";

    void SetUp() override {
        E2eTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        auto pupil = [](std::string id, int serial, std::string surname, std::string year,
                        std::string left) {
            return Student{.id = std::move(id),
                           .upn = makeUpn(kSecondary, serial, 10),
                           .forename = "Haf",
                           .surname = std::move(surname),
                           .year = std::move(year),
                           .reg = "R1",
                           .admissionDate = "2020-09-01",
                           .leavingDate = std::move(left)};
        };
        SchoolExtract x;
        x.students = {pupil("3001", 1, "Eleven", "Year 11", "2026-07-17"),
                      pupil("3002", 2, "Ten", "Year 10", "2026-07-17"),
                      pupil("3003", 3, "Thirteen", "Year 13", "2026-06-01"),
                      pupil("3004", 4, "Twelve", "Year 12", "2026-05-31")};
        writeSchool(kSecondary, x);
    }

    std::map<std::string, std::string> statusByMisId() {
        std::map<std::string, std::string> out;
        for (const auto& a : accounts()) {
            out[str(a, "mis_id")] = str(a, "status");
        }
        return out;
    }
    std::set<std::string> deactivatedBy(const json::value& out) {
        std::set<std::string> ids;
        for (const auto& a : actionsOf(runOf(out, kSecondary), "deactivate")) {
            ids.insert(str(a, "mis_id"));
        }
        return ids;
    }
};

TEST_F(SummerLeaverTest, ExamYearsKeepTheirAccountsUntilTheEndOfAugust) {
    writeConfig({{kSecondary, "", ""}});
    EXPECT_EQ(countOf(runOf(runJson("2026-05-30"), kSecondary), "create"), 4);

    // Year 10 leaves on its leaving date; year 12 left on 31 May, before the summer window.
    EXPECT_THAT(deactivatedBy(runJson("2026-07-17")), UnorderedElementsAre("3002", "3004"));
    auto s = statusByMisId();
    EXPECT_EQ(s["3001"], "active");
    EXPECT_EQ(s["3003"], "active");

    const json::object& lastDay = runOf(runJson("2026-08-30"), kSecondary);
    EXPECT_EQ(str(lastDay, "outcome"), "no_change");
    EXPECT_EQ(countOf(lastDay, "deactivate"), 0);

    EXPECT_THAT(deactivatedBy(runJson("2026-08-31")), UnorderedElementsAre("3001", "3003"));
    s = statusByMisId();
    for (const char* id : {"3001", "3002", "3003", "3004"}) {
        EXPECT_EQ(s[id], "deactivated") << id;
    }
}

TEST_F(SummerLeaverTest, PolicyMovesTheSummerBoundary) {
    writeConfig({{kSecondary, "", ""}}, "summer_leaver_until = \"07-31\"");
    runJson("2026-05-30");
    EXPECT_THAT(deactivatedBy(runJson("2026-07-31")), UnorderedElementsAre("3002", "3004"));
    EXPECT_THAT(deactivatedBy(runJson("2026-08-01")), UnorderedElementsAre("3001", "3003"));
}

}  // namespace
}  // namespace misync::e2e
