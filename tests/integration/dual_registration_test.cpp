// R7 dual registration through the real binary: a learner with a main registration at A and a
// subsidiary one at B has one account, A's, and is a guest member of B's groups — in either run
// order (R13) — and the account moves to B when A lets the learner go.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

using testing::UnorderedElementsAre;

constexpr const char* kA = "6612001";  // main registration
constexpr const char* kB = "6612002";  // subsidiary registration

const std::string kLearner = makeUpn(kA, 60, 13);

Student pupil(std::string id, std::string upn, std::string forename, std::string surname,
              std::string reg, std::string status) {
    return Student{.id = std::move(id),
                   .upn = std::move(upn),
                   .forename = std::move(forename),
                   .surname = std::move(surname),
                   .year = "Year 9",
                   .reg = std::move(reg),
                   .admissionDate = "2024-09-01",
                   .enrolmentStatus = std::move(status)};
}

GroupRow in(std::string group, std::string type, std::string id) {
    return GroupRow{.group = std::move(group), .type = std::move(type), .year = "9", .id = id};
}

class DualRegistrationTest : public E2eTest {
  protected:
    void SetUp() override {
        E2eTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        writeConfig({{kA, "Ysgol A", ""}, {kB, "Ysgol B", ""}});
    }

    // A: the learner (main) and a classmate.
    static SchoolExtract schoolA(bool withLearner = true) {
        SchoolExtract x;
        x.students = {pupil("A1", makeUpn(kA, 1, 13), "Nia", "Bowen", "9A", "C")};
        x.groups = {in("9A", "Registration", "A1")};
        if (withLearner) {
            x.students.push_back(pupil("A60", kLearner, "Tomos", "Rees", "9A", "M"));
            x.groups.push_back(in("9A", "Registration", "A60"));
        }
        return x;
    }
    // B: the learner as subsidiary (e.g. a specialist unit) in two of B's groups.
    static SchoolExtract schoolB() {
        SchoolExtract x;
        x.students = {pupil("B1", makeUpn(kB, 1, 13), "Osian", "Bevan", "9X", "C"),
                      pupil("B60", kLearner, "Tomos", "Rees", "9U", "Subsidiary")};
        x.groups = {in("9X", "Registration", "B1"), in("9U", "Registration", "B60"),
                    in("9Sc", "Class", "B60")};
        return x;
    }

    json::object state() {
        json::object o;
        o["accounts"] = withoutTimes(accounts());
        o["groups"] = groups();
        return o;
    }

    json::object runBoth(bool aFirst, const std::string& asOf) {
        return runJson(asOf, aFirst ? std::vector<std::string>{"--school", kA, "--school", kB}
                                    : std::vector<std::string>{"--school", kB, "--school", kA})
            .as_object();
    }
};

TEST_F(DualRegistrationTest, OneAccountAtTheMainSchoolAGuestOfTheOtherInEitherOrder) {
    std::optional<json::object> first;
    for (bool aFirst : {true, false}) {
        SCOPED_TRACE(aFirst ? "A first" : "B first");
        writeSchool(kA, schoolA());
        writeSchool(kB, schoolB());
        runBoth(aFirst, "2025-10-01");
        // After both schools ran once: one account, owned by A, in A's and B's groups.
        json::array all = accounts();
        std::vector<json::object> mine;
        for (const auto& a : all) {
            if (str(a, "upn") == kLearner) {
                mine.push_back(a.as_object());
            }
        }
        ASSERT_EQ(mine.size(), 1u) << json::serialize(all);
        EXPECT_EQ(str(mine[0], "school"), kA);
        EXPECT_EQ(str(mine[0], "mis_id"), "A60");
        EXPECT_EQ(str(mine[0], "status"), "active");
        const std::string username = str(mine[0], "username");
        json::array gs = groups();
        EXPECT_THAT(membersOf(*groupOf(gs, kA, "9A")), testing::Contains(username));
        EXPECT_THAT(membersOf(*groupOf(gs, kB, "9U")), UnorderedElementsAre(username));
        EXPECT_THAT(membersOf(*groupOf(gs, kB, "9Sc")), UnorderedElementsAre(username));

        // R12: both schools again change nothing, and no warning repeats every run.
        const json::object again = runBoth(!aFirst, "2025-10-01");
        for (const char* s : {kA, kB}) {
            const json::object run = runOf(again, s);
            EXPECT_EQ(str(run, "outcome"), "no_change") << s << json::serialize(run);
            EXPECT_EQ(countOf(run, "awaiting_transfer"), 0) << s;
        }
        json::object st = state();
        if (!first) {
            first = st;
        } else {
            EXPECT_EQ(json::serialize(st), json::serialize(*first)) << "R13: the same directory";
        }

        // A lets the learner go: the account moves to B with B's data, in B's groups only.
        writeSchool(kA, schoolA(false));
        const json::object moved = runOf(runBoth(aFirst, "2025-10-02"), kA);
        ASSERT_EQ(actionsOf(moved, "transfer").size(), 1u) << json::serialize(moved);
        EXPECT_EQ(countOf(moved, "deactivate"), 0);
        auto after = byUpn(accounts(), kLearner);
        ASSERT_TRUE(after);
        EXPECT_EQ(str(*after, "school"), kB);
        EXPECT_EQ(str(*after, "username"), username) << "same account";
        EXPECT_EQ(str(*after, "mis_id"), "B60");
        EXPECT_EQ(str(*after, "status"), "active");
        gs = groups();
        EXPECT_THAT(membersOf(*groupOf(gs, kA, "9A")), testing::Not(testing::Contains(username)));
        EXPECT_THAT(membersOf(*groupOf(gs, kB, "9U")), UnorderedElementsAre(username));

        // Start again for the other order.
        dropDirectory();
    }
}

TEST_F(DualRegistrationTest, TheSubsidiarySchoolLettingGoLeavesTheAccountAtTheMainSchool) {
    writeSchool(kA, schoolA());
    writeSchool(kB, schoolB());
    runBoth(true, "2025-10-01");
    const std::string username = str(*byUpn(accounts(), kLearner), "username");
    SchoolExtract b = schoolB();
    b.students.pop_back();
    b.groups = {in("9X", "Registration", "B1"), in("9U", "Registration", ""),
                in("9Sc", "Class", "")};
    writeSchool(kB, b);
    const json::object run = runOf(runJson("2025-10-02", {"--school", kB}), kB);
    EXPECT_EQ(countOf(run, "deactivate"), 0) << "not B's account to deactivate";
    EXPECT_EQ(countOf(run, "membership_remove"), 2);
    auto acc = byUpn(accounts(), kLearner);
    EXPECT_EQ(str(*acc, "school"), kA);
    EXPECT_EQ(str(*acc, "status"), "active");
    json::array gs = groups();
    EXPECT_TRUE(membersOf(*groupOf(gs, kB, "9U")).empty());
    EXPECT_THAT(membersOf(*groupOf(gs, kA, "9A")), testing::Contains(username));
}

}  // namespace
}  // namespace misync::e2e
