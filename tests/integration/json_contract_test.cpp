// Scenario 1: the machine-readable shapes of SPEC §8 (RUN object, accounts, groups) and the
// credential export, as the real binary prints them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cctype>
#include <fstream>
#include <regex>
#include <set>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

using testing::ElementsAre;
using testing::UnorderedElementsAre;

constexpr const char* kSchool = "6612001";
constexpr const char* kAsOf = "2025-10-01";

const char* const kCountKeys[] = {
    "create",         "update",           "rename",       "transfer",
    "deactivate",     "reactivate",       "purge",        "awaiting_transfer",
    "rejected",       "group_create",     "group_update", "group_archive",
    "membership_add", "membership_remove"};

bool isIsoDateTime(const std::string& s) {
    static const std::regex re(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}.*)");
    return std::regex_match(s, re);
}

class JsonContractTest : public E2eTest {
  protected:
    void SetUp() override {
        E2eTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        writeConfig({{kSchool, "Ysgol Gyfun Prawf", ""}});
        SchoolExtract x;
        x.students = {
            {.id = "1001",
             .upn = makeUpn(kSchool, 1),
             .forename = "Aled",
             .surname = "Jones",
             .year = "Year  7",
             .reg = "7A",
             .admissionDate = "2025-09-01",
             .dob = "2014-03-02"},
            {.id = "1002",
             .upn = makeUpn(kSchool, 2),
             .forename = "Bethan",
             .surname = "Evans",
             .year = "7",
             .reg = "7A",
             .admissionDate = "2025-09-01",
             .preferredForename = "Beth"},
        };
        x.staff = {{.id = "2001",
                    .forename = "Carys",
                    .surname = "Morgan",
                    .staffCode = "CMO",
                    .startDate = "2020-09-01"}};
        x.groups = {
            {.group = "7A", .type = "Registration", .year = "7", .id = "1001"},
            {.group = "7A", .type = "Registration", .year = "7", .id = "1002"},
            {.group = "7A",
             .type = "Registration",
             .year = "7",
             .id = "2001",
             .memberType = "Staff"},
            {.group = "Year 7", .type = "Year", .year = "7", .id = "1001"},
            {.group = "Year 7", .type = "Year", .year = "7", .id = "1002"},
            {.group = "7Ma1", .type = "Class", .year = "7", .id = "1001", .subject = "Ma"},
            {.group = "7Ma1",
             .type = "Class",
             .year = "7",
             .id = "2001",
             .memberType = "Staff",
             .subject = "Ma"},
        };
        writeSchool(kSchool, x);
    }
};

TEST_F(JsonContractTest, RunJsonHasEverySpecKey) {
    json::value out = runJson(kAsOf);
    ASSERT_TRUE(out.is_object());
    ASSERT_TRUE(out.as_object().contains("runs"));
    ASSERT_EQ(out.at("runs").as_array().size(), 1u);
    const json::object& run = runOf(out, kSchool);

    for (const char* key : {"run_id", "school", "outcome", "trigger", "as_of", "started_at",
                            "finished_at", "source", "counts", "actions", "warnings", "errors"}) {
        EXPECT_TRUE(run.contains(key)) << "RUN lacks " << key;
    }
    EXPECT_GT(num(run, "run_id"), 0);
    EXPECT_EQ(str(run, "outcome"), "applied");
    EXPECT_EQ(str(run, "trigger"), "manual");
    EXPECT_EQ(str(run, "as_of"), kAsOf);
    EXPECT_TRUE(isIsoDateTime(str(run, "started_at"))) << str(run, "started_at");
    EXPECT_TRUE(isIsoDateTime(str(run, "finished_at"))) << str(run, "finished_at");
    EXPECT_LE(str(run, "started_at"), str(run, "finished_at"));

    // source: the three reports with their digest and record counts.
    const json::value& source = run.at("source");
    EXPECT_EQ(str(source, "connector"), "sims-xml");
    std::map<std::string, json::object> files;
    for (const auto& f : source.at("files").as_array()) {
        files[str(f, "name")] = f.as_object();
    }
    ASSERT_EQ(files.size(), 3u);
    const std::map<std::string, std::int64_t> records{
        {"students.xml", 2}, {"staff.xml", 1}, {"groups.xml", 7}};
    for (const auto& [name, n] : records) {
        ASSERT_TRUE(files.count(name)) << name;
        EXPECT_EQ(num(files[name], "records"), n) << name;
        Result sum = execute("/usr/bin/sha256sum", {(schoolDir(kSchool) / name).string()});
        ASSERT_EQ(sum.status, 0);
        EXPECT_EQ(str(files[name], "sha256"), sum.out.substr(0, 64)) << name;
    }

    // counts: all 13 keys, whatever their value.
    const json::object& counts = run.at("counts").as_object();
    EXPECT_EQ(counts.size(), std::size(kCountKeys));
    for (const char* key : kCountKeys) {
        ASSERT_TRUE(counts.contains(key)) << key;
        EXPECT_TRUE(counts.at(key).is_number()) << key;
    }
    EXPECT_EQ(countOf(run, "create"), 3);
    EXPECT_EQ(countOf(run, "group_create"), 3);
    EXPECT_EQ(countOf(run, "membership_add"), 7);  // one per groups.xml record
    EXPECT_EQ(totalCounts(run), 3 + 3 + 7);

    // actions: U1 usernames (surname + first letter of the legal forename).
    auto creates = actionsOf(run, "create");
    ASSERT_EQ(creates.size(), 3u);
    std::map<std::string, json::object> byMis;
    for (const auto& a : creates) {
        for (const char* key : {"action", "role", "mis_id", "upn", "username", "reason"}) {
            EXPECT_TRUE(a.contains(key)) << "action lacks " << key << ": " << json::serialize(a);
        }
        EXPECT_FALSE(str(a, "reason").empty());
        byMis[str(a, "mis_id")] = a;
    }
    EXPECT_EQ(str(byMis["1001"], "username"), "jonesa");
    EXPECT_EQ(str(byMis["1001"], "role"), "learner");
    EXPECT_EQ(str(byMis["1001"], "upn"), makeUpn(kSchool, 1));
    EXPECT_EQ(str(byMis["1002"], "username"), "evansb");
    EXPECT_EQ(str(byMis["2001"], "username"), "morganc");
    EXPECT_EQ(str(byMis["2001"], "role"), "staff");
    EXPECT_TRUE(run.at("warnings").as_array().empty()) << json::serialize(run.at("warnings"));
    EXPECT_TRUE(run.at("errors").as_array().empty()) << json::serialize(run.at("errors"));

    // show-run N gives the same run, and history lists it.
    Result shown = misync({"show-run", std::to_string(num(run, "run_id")), "--json"});
    ASSERT_EQ(shown.status, 0) << shown.err;
    json::value again = parseJson(shown.out);
    EXPECT_EQ(again.at("counts"), run.at("counts"));
    EXPECT_EQ(again.at("actions"), run.at("actions"));
    EXPECT_EQ(again.at("source"), run.at("source"));
    EXPECT_EQ(str(again, "outcome"), "applied");
    json::array hist = history(kSchool);
    ASSERT_EQ(hist.size(), 1u);
    EXPECT_EQ(num(hist[0], "run_id"), num(run, "run_id"));
    EXPECT_EQ(hist[0].at("counts"), run.at("counts"));
}

TEST_F(JsonContractTest, AccountsListHasEverySpecField) {
    runJson(kAsOf);
    json::array all = accounts();
    ASSERT_EQ(all.size(), 3u);
    for (const auto& a : all) {
        for (const char* key :
             {"username", "email", "role", "source", "school", "mis_id", "upn", "legal_forename",
              "legal_surname", "display_name", "year_group", "reg_group", "status", "aliases",
              "consent", "digital_champion", "created_at", "password_available"}) {
            EXPECT_TRUE(a.as_object().contains(key)) << "account lacks " << key;
        }
        EXPECT_TRUE(a.at("aliases").is_array());
        EXPECT_TRUE(a.at("consent").is_bool());
        EXPECT_TRUE(a.at("digital_champion").is_bool());
        EXPECT_TRUE(a.at("password_available").is_bool());
        EXPECT_TRUE(isIsoDateTime(str(a, "created_at"))) << str(a, "created_at");
    }
    auto jonesa = byUsername(all, "jonesa");
    ASSERT_TRUE(jonesa);
    EXPECT_EQ(str(*jonesa, "email"), "jonesa@hwbcymru.net");  // U5 default domain
    EXPECT_EQ(str(*jonesa, "role"), "learner");
    EXPECT_EQ(str(*jonesa, "source"), "mis");
    EXPECT_EQ(str(*jonesa, "school"), kSchool);
    EXPECT_EQ(str(*jonesa, "mis_id"), "1001");
    EXPECT_EQ(str(*jonesa, "upn"), makeUpn(kSchool, 1));
    EXPECT_EQ(str(*jonesa, "legal_forename"), "Aled");
    EXPECT_EQ(str(*jonesa, "legal_surname"), "Jones");
    EXPECT_EQ(str(*jonesa, "display_name"), "Aled Jones");
    EXPECT_EQ(str(*jonesa, "year_group"), "7");  // "Year  7" normalised (SPEC §6)
    EXPECT_EQ(str(*jonesa, "reg_group"), "7A");
    EXPECT_EQ(str(*jonesa, "status"), "active");
    EXPECT_TRUE(jonesa->at("aliases").as_array().empty());
    EXPECT_FALSE(jonesa->at("consent").as_bool());
    EXPECT_FALSE(jonesa->at("digital_champion").as_bool());
    EXPECT_TRUE(jonesa->at("password_available").as_bool());
    // R3: the display name uses the preferred forename when there is one.
    auto evansb = byUsername(all, "evansb");
    ASSERT_TRUE(evansb);
    EXPECT_EQ(str(*evansb, "display_name"), "Beth Evans");
    EXPECT_EQ(str(*evansb, "legal_forename"), "Bethan");
    auto morganc = byUsername(all, "morganc");
    ASSERT_TRUE(morganc);
    EXPECT_EQ(str(*morganc, "role"), "staff");
    EXPECT_EQ(str(*morganc, "upn"), "");

    // The filters of `accounts list`.
    EXPECT_EQ(accounts({"--role", "learner"}).size(), 2u);
    EXPECT_EQ(accounts({"--role", "staff"}).size(), 1u);
    EXPECT_EQ(accounts({"--search", "Beth"}).size(), 1u);
    EXPECT_EQ(accounts({"--status", "deactivated"}).size(), 0u);
    EXPECT_EQ(accounts({"--school", "6612999"}).size(), 0u);

    // accounts show: the same account; no password unless asked for.
    json::object shown = showAccount("jonesa");
    EXPECT_EQ(str(shown, "upn"), makeUpn(kSchool, 1));
    EXPECT_FALSE(shown.contains("password"));
}

TEST_F(JsonContractTest, GroupsListHasEverySpecField) {
    runJson(kAsOf);
    json::array all = groups();
    ASSERT_EQ(all.size(), 3u);
    for (const auto& g : all) {
        for (const char* key :
             {"school", "code", "type", "subject", "year_group", "archived", "members"}) {
            EXPECT_TRUE(g.as_object().contains(key)) << "group lacks " << key;
        }
        EXPECT_FALSE(g.at("archived").as_bool());
    }
    auto reg = groupOf(all, kSchool, "7A");
    ASSERT_TRUE(reg);
    EXPECT_EQ(str(*reg, "type"), "registration");
    EXPECT_EQ(str(*reg, "year_group"), "7");
    EXPECT_THAT(membersOf(*reg), UnorderedElementsAre("jonesa", "evansb", "morganc"));
    auto year = groupOf(all, kSchool, "Year 7");
    ASSERT_TRUE(year);
    EXPECT_EQ(str(*year, "type"), "year");
    EXPECT_THAT(membersOf(*year), UnorderedElementsAre("jonesa", "evansb"));
    auto cls = groupOf(all, kSchool, "7Ma1");
    ASSERT_TRUE(cls);
    EXPECT_EQ(str(*cls, "type"), "class");
    EXPECT_EQ(str(*cls, "subject"), "Ma");
    EXPECT_THAT(membersOf(*cls), UnorderedElementsAre("jonesa", "morganc"));

    json::array classes = groups({"--type", "class"});
    ASSERT_EQ(classes.size(), 1u);
    EXPECT_EQ(str(classes[0], "code"), "7Ma1");
}

bool passesP1(const std::string& password, const std::string& username) {
    bool upper = false;
    bool lower = false;
    bool digit = false;
    for (char c : password) {
        upper = upper || (c >= 'A' && c <= 'Z');
        lower = lower || (c >= 'a' && c <= 'z');
        digit = digit || (c >= '0' && c <= '9');
    }
    std::string lowered;
    for (char c : password) {
        lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return password.size() >= 10 && upper && lower && digit &&
           lowered.find(username) == std::string::npos;
}

TEST_F(JsonContractTest, CredentialExportHasThePortalColumns) {
    runJson(kAsOf);
    json::array all = accounts();
    Result r = misync({"export", "credentials", "--school", kSchool, "--role", "learner"});
    ASSERT_EQ(r.status, 0) << r.err;
    auto rows = parseCsv(r.out);
    ASSERT_EQ(rows.size(), 3u) << r.out;  // header + two learners, no staff
    EXPECT_THAT(rows[0], ElementsAre("Forename", "Surname", "Username", "Password", "Date created",
                                     "Year", "Reg group", "Consent"));
    std::set<std::string> passwords;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        ASSERT_EQ(rows[i].size(), 8u);
        const std::string& username = rows[i][2];
        auto acc = byUsername(all, username);
        ASSERT_TRUE(acc) << username;
        EXPECT_TRUE(passesP1(rows[i][3], username)) << rows[i][3];
        passwords.insert(rows[i][3]);
        EXPECT_TRUE(std::regex_match(rows[i][4], std::regex(R"(\d{4}-\d{2}-\d{2})")));
        EXPECT_EQ(rows[i][4], str(*acc, "created_at").substr(0, 10));
        EXPECT_EQ(rows[i][5], "7");
        EXPECT_EQ(rows[i][6], "7A");
        EXPECT_EQ(rows[i][7], "No");
        if (username == "jonesa") {
            EXPECT_EQ(rows[i][0], "Aled");
            EXPECT_EQ(rows[i][1], "Jones");
        }
    }
    EXPECT_EQ(passwords.size(), 2u) << "each account has its own password";

    auto staff = credentials(kSchool, "staff");
    ASSERT_EQ(staff.size(), 1u);
    EXPECT_TRUE(passesP1(staff["morganc"]["Password"], "morganc"));

    // --out writes the same CSV, readable by the owner only.
    const fs::path file = dir() / "learners.csv";
    Result w = misync({"export", "credentials", "--school", kSchool, "--role", "learner", "--out",
                       file.string()});
    ASSERT_EQ(w.status, 0) << w.err;
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text, r.out);
}

}  // namespace
}  // namespace misync::e2e
