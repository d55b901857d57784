// Scenario 5: usernames (U1–U6) as the real binary gives them: many learners sharing one base
// across schools, Welsh and other diacritics, other scripts, empty transliterations and the
// maximum length.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <tuple>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

using testing::UnorderedElementsAre;

bool isPlainUsername(const std::string& u, std::size_t maxLength = 20) {
    static const std::regex re("[a-z0-9]+");
    return std::regex_match(u, re) && u.size() <= maxLength;
}

std::map<std::string, std::string> usernamesByMisId(const json::array& accounts) {
    std::map<std::string, std::string> out;
    for (const auto& a : accounts) {
        out[str(a, "school") + "/" + str(a, "mis_id")] = str(a, "username");
    }
    return out;
}

class UsernamesTest : public E2eTest {};

TEST_F(UsernamesTest, SixtyJonesesOverThreeSchoolsGetTheSmallestFreeSuffixes) {
    const std::vector<std::string> schools{"6612001", "6612002", "6612003"};
    const std::vector<std::string> forenames{"Aled",  "Alaw",    "Alun", "Angharad", "Anwen",
                                             "Arwel", "Aneurin", "Awen", "Aeron",    "Aled"};
    std::vector<SchoolConfig> config;
    // Per school, the learners in U6 order: legal forename, then MIS id.
    std::vector<std::vector<std::tuple<std::string, std::string>>> order(schools.size());
    for (std::size_t s = 0; s < schools.size(); ++s) {
        config.push_back({schools[s], "", ""});
        SchoolExtract x;
        for (int i = 0; i < 20; ++i) {
            // MIS ids run backwards against the forename list so that neither alone gives U6.
            const std::string id = std::to_string(4099 - i);
            const std::string& forename = forenames[static_cast<std::size_t>(i) % forenames.size()];
            x.students.push_back({.id = id,
                                  .upn = makeUpn(schools[s], i + 1),
                                  .forename = forename,
                                  .surname = "Jones",
                                  .year = "5",
                                  .reg = "5J",
                                  .admissionDate = "2024-09-01"});
            order[s].emplace_back(forename, id);
        }
        std::sort(order[s].begin(), order[s].end());
        writeSchool(schools[s], x);
    }
    writeConfig(config);

    json::value out = runJson("2025-01-15");
    for (const auto& s : schools) {
        EXPECT_EQ(countOf(runOf(out, s), "create"), 20) << s;
    }
    json::array all = accounts();
    ASSERT_EQ(all.size(), 60u);
    std::set<std::string> names;
    for (const auto& a : all) {
        names.insert(str(a, "username"));
    }
    std::set<std::string> expected{"jonesa"};
    for (int i = 1; i < 60; ++i) {
        expected.insert("jonesa" + std::to_string(i));
    }
    EXPECT_EQ(names, expected);

    // The schools run in configuration order; within a run, U6 order.
    auto first = usernamesByMisId(all);
    int n = 0;
    for (std::size_t s = 0; s < schools.size(); ++s) {
        for (const auto& [forename, id] : order[s]) {
            EXPECT_EQ(first[schools[s] + "/" + id],
                      n == 0 ? std::string("jonesa") : "jonesa" + std::to_string(n))
                << schools[s] << " " << forename << " " << id;
            ++n;
        }
    }

    // The same input in a fresh directory gives the same usernames.
    dropDirectory();
    runJson("2025-01-15");
    EXPECT_EQ(usernamesByMisId(accounts()), first);
}

// U3 across processes (issue 8): a later process does not load the directory's names; it asks
// the directory about each base it allocates from, and still gives the smallest free suffixes.
TEST_F(UsernamesTest, ALaterProcessContinuesACrowdedBaseWithoutHoldingTheDirectorysNames) {
    SchoolExtract x;
    for (int i = 0; i < 30; ++i) {
        x.students.push_back({.id = std::to_string(5000 + i),
                              .upn = makeUpn("6612001", i + 1),
                              .forename = "Aled",
                              .surname = "Jones",
                              .year = "5",
                              .reg = "5J",
                              .admissionDate = "2024-09-01"});
    }
    writeSchool("6612001", x);
    writeConfig({{"6612001", "", ""}, {"6612002", "", ""}});
    SchoolExtract other;
    other.students.push_back({.id = "7000",
                              .upn = makeUpn("6612002", 1),
                              .forename = "Bethan",
                              .surname = "Price",
                              .year = "5",
                              .reg = "5P",
                              .admissionDate = "2024-09-01"});
    writeSchool("6612002", other);
    runJson("2025-01-15");
    // Three more Joneses in the other school, and one more Price: a new process.
    for (int i = 0; i < 3; ++i) {
        other.students.push_back({.id = std::to_string(7001 + i),
                                  .upn = makeUpn("6612002", i + 2),
                                  .forename = "Alys",
                                  .surname = "Jones",
                                  .year = "5",
                                  .reg = "5P",
                                  .admissionDate = "2024-09-01"});
    }
    other.students.push_back({.id = "7010",
                              .upn = makeUpn("6612002", 9),
                              .forename = "Bryn",
                              .surname = "Price",
                              .year = "5",
                              .reg = "5P",
                              .admissionDate = "2024-09-01"});
    writeSchool("6612002", other);
    json::value out = runJson("2025-01-16");
    EXPECT_EQ(countOf(runOf(out, "6612002"), "create"), 4);
    const auto names = usernamesByMisId(accounts());
    EXPECT_EQ(names.at("6612002/7001"), "jonesa30");
    EXPECT_EQ(names.at("6612002/7002"), "jonesa31");
    EXPECT_EQ(names.at("6612002/7003"), "jonesa32");
    EXPECT_EQ(names.at("6612002/7000"), "priceb");
    EXPECT_EQ(names.at("6612002/7010"), "priceb1");
}

TEST_F(UsernamesTest, DiacriticsScriptsEmptyNamesAndMaximumLength) {
    const std::string school = "6612001";
    writeConfig({{school, "", ""}});
    struct Name {
        std::string id;
        std::string forename;
        std::string surname;
    };
    const std::vector<Name> names{
        {"6001", "Siân", "Llŷr-Hughes"},
        {"6002", "Seán", "O'Brien"},
        {"6003", "Jürgen", "Groß"},
        {"6004", "Øystein", "Sæther"},
        {"6005", "Łucja", "Wałęsa"},
        {"6006", "Dafydd", "ap Gwŷn"},
        {"6007", "ALED", "JONES"},
        {"6008", "Иван", "Петров"},
        {"6009", "Νίκος", "Παπαδόπουλος"},
        {"6010", "小明", "王"},
        {"6011", "-", "😀"},
        {"6012", "’", "'"},
        {"6013", "Hubert", "Wolfeschlegelsteinhausenbergerdorff"},
        {"6014", "Hubert", "Wolfeschlegelsteinhausenbergerdorff"},
    };
    SchoolExtract x;
    int serial = 1;
    for (const auto& n : names) {
        x.students.push_back({.id = n.id,
                              .upn = makeUpn(school, serial++),
                              .forename = n.forename,
                              .surname = n.surname,
                              .year = "9",
                              .admissionDate = "2023-09-01"});
    }
    writeSchool(school, x);
    json::value out = runJson("2025-01-15");
    const json::object run = runOf(out, school);
    EXPECT_EQ(countOf(run, "create"), static_cast<std::int64_t>(names.size()));
    EXPECT_EQ(countOf(run, "rejected"), 0) << json::serialize(run.at("errors"));

    auto u = usernamesByMisId(accounts());
    auto of = [&](const std::string& id) { return u[school + "/" + id]; };
    for (const auto& [key, name] : u) {
        EXPECT_TRUE(isPlainUsername(name)) << key << " → '" << name << "'";
    }
    // U1/U2: diacritics fold to plain letters; apostrophes, hyphens and spaces go.
    EXPECT_EQ(of("6001"), "llyrhughess");
    EXPECT_EQ(of("6002"), "obriens");
    EXPECT_EQ(of("6003"), "grossj");
    EXPECT_EQ(of("6004"), "saethero");
    EXPECT_EQ(of("6005"), "walesal");
    EXPECT_EQ(of("6006"), "apgwynd");
    EXPECT_EQ(of("6007"), "jonesa");  // lower case
    // Other scripts are romanised.
    EXPECT_EQ(of("6008").rfind("petrov", 0), 0u) << of("6008");
    EXPECT_EQ(of("6009").rfind("papadopoulos", 0), 0u) << of("6009");
    EXPECT_FALSE(of("6010").empty());
    // Names that yield nothing give `user` (and U3 suffixes after it).
    EXPECT_THAT((std::vector<std::string>{of("6011"), of("6012")}),
                UnorderedElementsAre("user", "user1"));
    // U4: 20 characters, the base cut short to make room for the suffix.
    EXPECT_EQ(of("6013"), "wolfeschlegelsteinha");
    EXPECT_EQ(of("6014"), "wolfeschlegelsteinh1");
    std::set<std::string> distinct;
    for (const auto& [key, name] : u) {
        distinct.insert(name);
    }
    EXPECT_EQ(distinct.size(), names.size());
}

TEST_F(UsernamesTest, PolicyMaximumLength) {
    const std::string school = "6612001";
    writeConfig({{school, "", ""}}, "username_max_length = 8");
    SchoolExtract x;
    for (int i = 1; i <= 12; ++i) {
        x.students.push_back({.id = std::to_string(7000 + i),
                              .upn = makeUpn(school, i),
                              .forename = "Rhys",
                              .surname = "Llewellyn",
                              .year = "9",
                              .admissionDate = "2023-09-01"});
    }
    writeSchool(school, x);
    runJson("2025-01-15");
    std::set<std::string> got;
    for (const auto& a : accounts()) {
        got.insert(str(a, "username"));
        EXPECT_TRUE(isPlainUsername(str(a, "username"), 8)) << str(a, "username");
    }
    // Base llewellynr → llewelly; suffixes 1–9 leave 7 letters, 10 and 11 leave 6.
    std::set<std::string> expected{"llewelly"};
    for (int i = 1; i <= 9; ++i) {
        expected.insert("llewell" + std::to_string(i));
    }
    expected.insert("llewel10");
    expected.insert("llewel11");
    EXPECT_EQ(got, expected);
}

}  // namespace
}  // namespace misync::e2e
