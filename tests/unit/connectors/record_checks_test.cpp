// connectors/record_checks.h (SPEC §6 "Text is UTF-8", R15, issue 7): records with text that is
// not valid UTF-8, holds a control character or is too long are rejected naming file, record
// and field, and a rejected person still counts as in the extract.
#include "connectors/record_checks.h"

#include <gtest/gtest.h>

namespace misync::connectors {
namespace {

core::Person learner(std::string id, std::string forename, std::uint32_t record) {
    core::Person p;
    p.role = core::Role::Learner;
    p.misId = std::move(id);
    p.upn = "A123456789012";
    p.legalForename = std::move(forename);
    p.legalSurname = "Jones";
    p.source = {"students.xml", record};
    return p;
}

TEST(RecordChecks, TextProblemsAreNamed) {
    EXPECT_FALSE(textProblem("Siân"));
    EXPECT_FALSE(textProblem("Zoë 민준 O'Connor"));
    EXPECT_FALSE(textProblem(""));
    EXPECT_FALSE(textProblem(std::string(kMaxFieldBytes, 'a')));
    EXPECT_EQ(*textProblem("Si\xE2n"), "is not valid UTF-8 (byte 0xE2 at offset 2)");
    EXPECT_EQ(*textProblem("\xFFJones"), "is not valid UTF-8 (byte 0xFF at offset 0)");
    EXPECT_EQ(*textProblem("\xC0\xAF"), "is not valid UTF-8 (byte 0xC0 at offset 0)");  // overlong
    EXPECT_EQ(*textProblem("\xED\xA0\x80"),
              "is not valid UTF-8 (byte 0xED at offset 0)");  // surrogate
    EXPECT_EQ(*textProblem(std::string("A\0B", 3)),
              "holds a control character (U+0000 at offset 1)");
    EXPECT_EQ(*textProblem("A\x01"
                           "B"),
              "holds a control character (U+0001 at offset 1)");
    EXPECT_EQ(*textProblem(std::string(kMaxFieldBytes + 1, 'a')),
              "is " + std::to_string(kMaxFieldBytes + 1) + " bytes long; at most " +
                  std::to_string(kMaxFieldBytes));
}

TEST(RecordChecks, BadPersonsAreRejectedAndStillCountAsInTheExtract) {
    core::Snapshot s;
    s.persons = {learner("1", "Siân", 1), learner("2", "Si\xE2n", 2),
                 learner("3", std::string(20 << 20, 'x'), 3)};
    rejectUnusableText(s);
    ASSERT_EQ(s.persons.size(), 1u);
    EXPECT_EQ(s.persons[0].misId, "1");
    ASSERT_EQ(s.rejected.size(), 2u);
    EXPECT_EQ(s.rejected[0].code, "invalid_text");
    EXPECT_EQ(s.rejected[0].file, "students.xml");
    EXPECT_EQ(s.rejected[0].record, 2u);
    EXPECT_EQ(s.rejected[0].message,
              "field 'legal_forename' is not valid UTF-8 (byte 0xE2 at offset 2)");
    EXPECT_EQ(s.rejected[0].misId, "2");  // R15: in the extract, not a leaver
    EXPECT_EQ(s.rejected[0].upn, "A123456789012");
    EXPECT_EQ(s.rejected[0].role, core::Role::Learner);
    EXPECT_EQ(s.rejected[1].code, "field_too_long");
    EXPECT_EQ(s.rejected[1].record, 3u);
    EXPECT_LT(s.rejected[1].message.size(), 100u);  // never the value itself
}

TEST(RecordChecks, LineBreaksAndTabsInsideAValueBecomeOneSpace) {
    core::Snapshot s;
    s.persons = {learner("1", "Ffion\t", 1)};
    s.persons[0].legalSurname = "Lloyd\r\nJones";
    s.persons[0].regGroup = " 7 \n G ";
    rejectUnusableText(s);
    ASSERT_EQ(s.persons.size(), 1u);
    EXPECT_TRUE(s.rejected.empty());
    EXPECT_EQ(s.persons[0].legalForename, "Ffion");
    EXPECT_EQ(s.persons[0].legalSurname, "Lloyd Jones");
    EXPECT_EQ(s.persons[0].regGroup, "7 G");
}

TEST(RecordChecks, AnUnusableIdIsNotKeptInTheRejection) {
    core::Snapshot s;
    s.persons = {learner("\xFF", "Ann", 4)};
    rejectUnusableText(s);
    ASSERT_EQ(s.rejected.size(), 1u);
    EXPECT_EQ(s.rejected[0].misId, "");
    EXPECT_EQ(s.rejected[0].upn, "A123456789012");  // still known by UPN
    EXPECT_NE(s.rejected[0].message.find("'mis_id'"), std::string::npos);
}

TEST(RecordChecks, ABadGroupTakesItsMembershipsWithIt) {
    core::Snapshot s;
    s.groups = {{"10A", core::GroupType::Registration, "", "10", {"groups.xml", 1}},
                {"10B", core::GroupType::Class, "Ma\xFF", "10", {"groups.xml", 2}}};
    s.memberships = {{"10A", "1", core::Role::Learner, {"groups.xml", 1}},
                     {"10B", "1", core::Role::Learner, {"groups.xml", 2}},
                     {"10A", "\x01", core::Role::Learner, {"groups.xml", 3}}};
    rejectUnusableText(s);
    ASSERT_EQ(s.groups.size(), 1u);
    EXPECT_EQ(s.groups[0].code, "10A");
    ASSERT_EQ(s.memberships.size(), 1u);
    EXPECT_EQ(s.memberships[0].memberMisId, "1");
    ASSERT_EQ(s.rejected.size(), 2u);
    EXPECT_EQ(s.rejected[0].message, "field 'subject' is not valid UTF-8 (byte 0xFF at offset 2)");
    EXPECT_EQ(s.rejected[1].record, 3u);
}

// Records are dropped in place (issue 8): those kept stay in their order, values untouched.
TEST(RecordChecks, KeptRecordsStayInOrderWhenSomeBetweenThemAreDropped) {
    core::Snapshot s;
    s.persons = {learner("1", "Ann", 1), learner("2", "B\x01", 2), learner("3", "Cai", 3),
                 learner("4", "D\xFF", 4), learner("5", "Ela\tWyn", 5)};
    s.groups = {{"7A", core::GroupType::Registration, "", "7", {"groups.xml", 1}},
                {"7B", core::GroupType::Registration, "", "7\x7f", {"groups.xml", 2}},
                {"7C", core::GroupType::Registration, "", "7", {"groups.xml", 3}}};
    s.memberships = {{"7A", "1", core::Role::Learner, {"groups.xml", 1}},
                     {"7B", "3", core::Role::Learner, {"groups.xml", 2}},
                     {"7C", "3", core::Role::Learner, {"groups.xml", 3}},
                     {"7A", "5", core::Role::Learner, {"groups.xml", 4}}};
    rejectUnusableText(s);
    ASSERT_EQ(s.persons.size(), 3u);
    EXPECT_EQ(s.persons[0].misId, "1");
    EXPECT_EQ(s.persons[0].legalForename, "Ann");
    EXPECT_EQ(s.persons[1].misId, "3");
    EXPECT_EQ(s.persons[1].legalForename, "Cai");
    EXPECT_EQ(s.persons[2].misId, "5");
    EXPECT_EQ(s.persons[2].legalForename, "Ela Wyn");
    ASSERT_EQ(s.groups.size(), 2u);
    EXPECT_EQ(s.groups[0].code, "7A");
    EXPECT_EQ(s.groups[1].code, "7C");
    ASSERT_EQ(s.memberships.size(), 3u);
    EXPECT_EQ(s.memberships[0].source.record, 1u);
    EXPECT_EQ(s.memberships[1].source.record, 3u);
    EXPECT_EQ(s.memberships[2].source.record, 4u);
    ASSERT_EQ(s.rejected.size(), 3u);
    EXPECT_EQ(s.rejected[0].record, 2u);
    EXPECT_EQ(s.rejected[1].record, 4u);
    EXPECT_EQ(s.rejected[2].message,
              "field 'year_group' holds a control character (U+007F at offset 1)");
}

}  // namespace
}  // namespace misync::connectors
