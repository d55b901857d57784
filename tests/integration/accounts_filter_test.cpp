// `accounts list` filters as the portal's lists do (SPEC §8): school, role, status, year (any
// accepted spelling), registration group, consent, creation date and a search over names,
// username and UPN.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

using ::testing::UnorderedElementsAre;

constexpr const char* kSchool = "6612030";

std::vector<std::string> usernames(const json::array& accounts) {
    std::vector<std::string> out;
    for (const auto& a : accounts) {
        out.push_back(str(a, "username"));
    }
    return out;
}

class AccountsFilterTest : public E2eTest {
  protected:
    void SetUp() override {
        E2eTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        writeConfig({{kSchool, "", ""}});
        SchoolExtract x;
        x.students = {
            Student{.id = "1",
                    .upn = makeUpn(kSchool, 1),
                    .forename = "Aled",
                    .surname = "Jones",
                    .year = "Year  7",
                    .reg = "7A",
                    .admissionDate = "2024-09-01"},
            Student{.id = "2",
                    .upn = makeUpn(kSchool, 2),
                    .forename = "Bethan",
                    .surname = "Evans",
                    .year = "Year 8",
                    .reg = "8B",
                    .admissionDate = "2024-09-01"},
            Student{.id = "3",
                    .upn = makeUpn(kSchool, 3),
                    .forename = "Cerys",
                    .surname = "Jones",
                    .year = "Y7",
                    .reg = "7B",
                    .admissionDate = "2024-09-01",
                    .leavingDate = "2025-01-01"},
        };
        x.staff = {StaffMember{
            .id = "9", .forename = "Dafydd", .surname = "Price", .startDate = "2020-09-01"}};
        writeSchool(kSchool, x);
        runJson("2024-10-01");
        runJson("2025-02-01");  // Cerys has left by then
    }
};

TEST_F(AccountsFilterTest, FiltersCombine) {
    EXPECT_THAT(usernames(accounts({"--role", "staff"})), UnorderedElementsAre("priced"));
    EXPECT_THAT(usernames(accounts({"--year", "7"})), UnorderedElementsAre("jonesa", "jonesc"));
    EXPECT_THAT(usernames(accounts({"--year", "Year 7", "--status", "active"})),
                UnorderedElementsAre("jonesa"));
    EXPECT_THAT(usernames(accounts({"--status", "deactivated"})), UnorderedElementsAre("jonesc"));
    EXPECT_THAT(usernames(accounts({"--reg-group", "8B"})), UnorderedElementsAre("evansb"));
    EXPECT_THAT(usernames(accounts({"--search", "jones"})),
                UnorderedElementsAre("jonesa", "jonesc"));
    EXPECT_THAT(usernames(accounts({"--search", makeUpn(kSchool, 2)})),
                UnorderedElementsAre("evansb"));
    EXPECT_THAT(usernames(accounts({"--search", "Aled Jones"})), UnorderedElementsAre("jonesa"));
    EXPECT_EQ(accounts({"--consent", "yes"}).size(), 0u);
    EXPECT_EQ(accounts({"--consent", "no", "--school", kSchool}).size(), 4u);
    EXPECT_EQ(accounts({"--created-since", "2199-01-01"}).size(), 0u);
    EXPECT_EQ(accounts({"--created-since", "2000-01-01"}).size(), 4u);
    EXPECT_EQ(accounts({"--school", "6612999"}).size(), 0u);
    // A search with LIKE wildcards is taken literally.
    EXPECT_EQ(accounts({"--search", "%"}).size(), 0u);
}

}  // namespace
}  // namespace misync::e2e
