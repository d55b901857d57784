// The configuration loader (SPEC §7, DESIGN.md pattern 6): values, defaults, merging, and
// errors that name the file, the line and the full key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/errors.h"
#include "daemon/config.h"

namespace fs = std::filesystem;
using misync::connectors::ConnectorRegistry;
using misync::core::ConfigError;
using misync::daemon::Config;
using misync::daemon::loadConfig;
using misync::daemon::parseConfig;
using misync::reconcile::StaffTransfer;
using testing::HasSubstr;
using testing::Not;

namespace {

// The five SPEC §6 connector names; the factories are never called by the loader.
ConnectorRegistry fakeRegistry() {
    ConnectorRegistry registry;
    for (const char* name : {"sims-xml", "ctf", "oneroster", "teacher-centre", "odbc"}) {
        registry.registerFactory(name, [] { return nullptr; });
    }
    return registry;
}

constexpr const char* kConfigFile = "/etc/misync/misync.toml";

Config parse(std::string_view text, const fs::path& name = kConfigFile) {
    return parseConfig(text, name, fakeRegistry());
}

// The message of the ConfigError that `text` must raise.
std::string errorOf(std::string_view text, const fs::path& name = kConfigFile) {
    try {
        parse(text, name);
    } catch (const ConfigError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no ConfigError for:\n" << text;
    return {};
}

// A fresh folder under the system temporary folder, removed at the end of the test.
class TempDir {
  public:
    TempDir() {
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        path_ = fs::temp_directory_path() /
                (std::string("misync-config-") + info->test_suite_name() + "-" + info->name());
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const { return path_; }
    fs::path write(const std::string& name, const std::string& content) const {
        fs::path file = path_ / name;
        fs::create_directories(file.parent_path());
        std::ofstream(file, std::ios::binary) << content;
        return file;
    }

  private:
    fs::path path_;
};

constexpr std::string_view kFullConfig = R"(# every key of SPEC §7
[directory]
backend = "sqlite"
path = "/srv/misync/directory.db"

[secrets]
key_file = "/srv/misync/secret.key"

[status]
listen = "0.0.0.0:9000"
tokens_file = "/etc/misync/tokens.toml"
tls_certificate = "/etc/misync/cert.pem"
tls_private_key = "/etc/misync/key.pem"

[policy]
email_domain = "example.org.uk"
username_max_length = 24
regenerate_username_on_rename = true
staff_transfer = "automatic"
retention_days = 90
max_deactivate_percent = 12.5
min_deactivate_guard = 3
max_deactivate_count = 250
min_roll_percent = 60
stale_after_hours = 24
summer_leaver_until = "09-15"

[[school]]
dfes = "6612345"
name = "Ysgol Enghraifft"
connector = "sims-xml"
source = "/srv/mis/6612345"
schedule = "daily 06:30"
complete = false
[school.fields]
reg_group = "Form"
[school.files]
students = "pupils.xml"
[school.policy]
retention_days = 30

[[school]]
dfes = "6615678"
connector = "ctf"
source = "/srv/mis/6615678"
incoming = true
schedule = "every 2h"

[[school]]
dfes = "6620001"
connector = "oneroster"
source = "/srv/mis/la-oneroster.zip"
org = "org-42"
schedule = "30 6 * * 1-5"

[[school]]
dfes = "6630002"
connector = "teacher-centre"
source = "/srv/mis/6630002"

[[school]]
dfes = "6640003"
connector = "odbc"
source = "DSN=sims6640003"
[school.queries]
learners = "SELECT id AS mis_id FROM learners WHERE dfes = ?"
staff = "SELECT id AS mis_id FROM staff WHERE dfes = ?"
memberships = "SELECT code AS group_code FROM m WHERE dfes = ?"
)";

TEST(Config, FullConfigParsesWithEveryValue) {
    Config c = parse(kFullConfig);
    EXPECT_EQ(c.file, fs::path(kConfigFile));
    EXPECT_EQ(c.directory.backend, "sqlite");
    EXPECT_EQ(c.directory.path, "/srv/misync/directory.db");
    EXPECT_EQ(c.directory.connection, "");
    EXPECT_EQ(c.secrets.keyFile, "/srv/misync/secret.key");
    EXPECT_EQ(c.status.listen, "0.0.0.0:9000");
    EXPECT_EQ(c.status.tokensFile, "/etc/misync/tokens.toml");
    EXPECT_EQ(c.status.tlsCertificate, "/etc/misync/cert.pem");
    EXPECT_EQ(c.status.tlsPrivateKey, "/etc/misync/key.pem");

    const auto& p = c.policy;
    EXPECT_EQ(p.emailDomain, "example.org.uk");
    EXPECT_EQ(p.usernameMaxLength, 24u);
    EXPECT_TRUE(p.regenerateUsernameOnRename);
    EXPECT_EQ(p.staffTransfer, StaffTransfer::Automatic);
    EXPECT_EQ(p.retentionDays, 90u);
    EXPECT_DOUBLE_EQ(p.maxDeactivatePercent, 12.5);
    EXPECT_EQ(p.minDeactivateGuard, 3u);
    EXPECT_EQ(p.maxDeactivateCount, 250u);
    EXPECT_DOUBLE_EQ(p.minRollPercent, 60);
    EXPECT_EQ(p.staleAfterHours, 24u);
    EXPECT_EQ(p.summerLeaverUntil.month, 9u);
    EXPECT_EQ(p.summerLeaverUntil.day, 15u);

    ASSERT_EQ(c.schools.size(), 5u);
    const auto& sims = c.schools[0];
    EXPECT_EQ(sims.dfes, "6612345");
    EXPECT_EQ(sims.name, "Ysgol Enghraifft");
    EXPECT_EQ(sims.connector, "sims-xml");
    EXPECT_EQ(sims.source, "/srv/mis/6612345");
    EXPECT_EQ(sims.schedule, "daily 06:30");
    EXPECT_EQ(sims.complete, std::optional<bool>(false));
    EXPECT_EQ(sims.fields, (std::map<std::string, std::string>{{"reg_group", "Form"}}));
    EXPECT_EQ(sims.files, (std::map<std::string, std::string>{{"students", "pupils.xml"}}));
    EXPECT_EQ(sims.policy.retentionDays, 30u);

    const auto& ctf = c.schools[1];
    EXPECT_EQ(ctf.connector, "ctf");
    EXPECT_TRUE(ctf.incoming);
    EXPECT_EQ(ctf.schedule, "every 2h");
    EXPECT_FALSE(ctf.complete.has_value());
    EXPECT_EQ(ctf.name, "");

    EXPECT_EQ(c.schools[2].org, "org-42");
    EXPECT_EQ(c.schools[2].schedule, "30 6 * * 1-5");
    EXPECT_EQ(c.schools[3].connector, "teacher-centre");
    EXPECT_EQ(c.schools[3].schedule, "");

    const auto& odbc = c.schools[4];
    EXPECT_EQ(odbc.source, "DSN=sims6640003");
    EXPECT_EQ(odbc.queries.size(), 3u);
    EXPECT_EQ(odbc.queries.at("staff"), "SELECT id AS mis_id FROM staff WHERE dfes = ?");

    ASSERT_NE(c.findSchool("6620001"), nullptr);
    EXPECT_EQ(c.findSchool("6620001")->connector, "oneroster");
    EXPECT_EQ(c.findSchool("6699999"), nullptr);
}

TEST(Config, DefaultsWhenSectionsAreAbsent) {
    Config c = parse("");
    misync::daemon::DirectoryConfig directory;
    misync::reconcile::Policy policy;
    EXPECT_EQ(c.directory.backend, "sqlite");
    EXPECT_EQ(c.directory.path, directory.path);
    EXPECT_EQ(c.secrets.keyFile, "/var/lib/misync/secret.key");
    EXPECT_EQ(c.status.listen, "127.0.0.1:8750");
    EXPECT_EQ(c.status.tokensFile, "");
    EXPECT_EQ(c.policy.emailDomain, policy.emailDomain);
    EXPECT_EQ(c.policy.usernameMaxLength, 20u);
    EXPECT_EQ(c.policy.staffTransfer, StaffTransfer::Manual);
    EXPECT_EQ(c.policy.summerLeaverUntil.month, 8u);
    EXPECT_EQ(c.policy.summerLeaverUntil.day, 30u);
    EXPECT_TRUE(c.schools.empty());

    // An explicitly empty school list is allowed too.
    EXPECT_TRUE(parse("school = []\n").schools.empty());
}

TEST(Config, SchoolPolicyMergesOverGlobalPolicy) {
    Config c = parse(R"([policy]
email_domain = "la.example.net"
retention_days = 200
max_deactivate_percent = 30

[[school]]
dfes = "6612345"
connector = "sims-xml"
source = "/srv/a"
[school.policy]
retention_days = 10
staff_transfer = "automatic"

[[school]]
dfes = "6612346"
connector = "sims-xml"
source = "/srv/b"
)");
    ASSERT_EQ(c.schools.size(), 2u);
    const auto& a = c.schools[0].policy;
    EXPECT_EQ(a.retentionDays, 10u);                       // school's own
    EXPECT_EQ(a.staffTransfer, StaffTransfer::Automatic);  // school's own
    EXPECT_EQ(a.emailDomain, "la.example.net");            // from [policy]
    EXPECT_DOUBLE_EQ(a.maxDeactivatePercent, 30);          // from [policy]
    EXPECT_EQ(a.staleAfterHours, 48u);                     // built-in default
    const auto& b = c.schools[1].policy;
    EXPECT_EQ(b.retentionDays, 200u);
    EXPECT_EQ(b.staffTransfer, StaffTransfer::Manual);
    EXPECT_EQ(c.policy.retentionDays, 200u);  // the global one is untouched
}

// ---- errors: each names the file, the line and the full dotted key ------------------------

TEST(ConfigErrors, UnknownTopLevelKey) {
    auto m = errorOf("# misync\n\nlog_level = \"debug\"\n[directory]\nbackend = \"sqlite\"\n");
    EXPECT_THAT(m, HasSubstr("/etc/misync/misync.toml:3:1: key 'log_level': unknown key"));
    EXPECT_THAT(m, HasSubstr("directory, secrets, status, daemon, notify, policy, school"));
}

TEST(ConfigErrors, UnknownKeyInPolicy) {
    auto m = errorOf("[policy]\nretention_days = 5\nretention = 5\n");
    EXPECT_THAT(m, HasSubstr(":3:1: key 'policy.retention': unknown key"));
    EXPECT_THAT(m, HasSubstr("retention_days"));
}

TEST(ConfigErrors, UnknownKeyInOtherSections) {
    EXPECT_THAT(errorOf("[directory]\nfile = \"x\"\n"), HasSubstr(":2:1: key 'directory.file'"));
    EXPECT_THAT(errorOf("[secrets]\nkey = \"x\"\n"), HasSubstr(":2:1: key 'secrets.key'"));
    EXPECT_THAT(errorOf("[status]\nport = 1\n"), HasSubstr(":2:1: key 'status.port'"));
}

constexpr std::string_view kSchool = R"([[school]]
dfes = "6612345"
connector = "sims-xml"
source = "/srv/mis/6612345"
)";

TEST(ConfigErrors, UnknownKeyInSchool) {
    std::string text = std::string(kSchool) + "[[school]]\ndfes = \"6612346\"\n" +
                       "connector = \"ctf\"\nsource = \"/srv/x\"\nshedule = \"daily 06:00\"\n";
    auto m = errorOf(text);
    EXPECT_THAT(m, HasSubstr(":9:1: key 'school[2].shedule': unknown key"));
}

TEST(ConfigErrors, UnknownKeyInSchoolPolicy) {
    std::string text = std::string(kSchool) + "[school.policy]\nretention_dayz = 3\n";
    EXPECT_THAT(errorOf(text), HasSubstr(":6:1: key 'school[1].policy.retention_dayz': unknown"));
}

TEST(ConfigErrors, UnknownQueryName) {
    std::string text =
        "[[school]]\ndfes = \"6640003\"\nconnector = \"odbc\"\nsource = \"DSN=x\"\n"
        "[school.queries]\nlearners = \"a\"\nstaff = \"b\"\nmemberships = \"c\"\nguardians = "
        "\"d\"\n";
    auto m = errorOf(text);
    EXPECT_THAT(m, HasSubstr(":9:1: key 'school[1].queries.guardians': unknown key"));
    EXPECT_THAT(m, HasSubstr("learners, staff, memberships"));
}

TEST(ConfigErrors, WrongTypeNamesExpectedType) {
    auto m = errorOf("[policy]\n\nretention_days = \"x\"\n");
    EXPECT_THAT(m, HasSubstr(":3:18: key 'policy.retention_days': expected an integer, found a "
                             "string"));
    EXPECT_THAT(errorOf("[policy]\nusername_max_length = 20.0\n"),
                HasSubstr("key 'policy.username_max_length': expected an integer, found a float"));
    EXPECT_THAT(errorOf("[policy]\nregenerate_username_on_rename = \"yes\"\n"),
                HasSubstr("expected a boolean"));
    EXPECT_THAT(errorOf("policy = 3\n"), HasSubstr(":1:10: key 'policy': expected a table"));
    EXPECT_THAT(errorOf("[school]\ndfes = \"6612345\"\n"),
                HasSubstr("key 'school': expected an array of tables, found a table; write each "
                          "school as a [[school]] block"));
    EXPECT_THAT(errorOf(std::string(kSchool) + "[school.fields]\nreg_group = 3\n"),
                HasSubstr(":6:13: key 'school[1].fields.reg_group': expected a string"));
}

TEST(ConfigErrors, BadDfes) {
    auto m = errorOf("[[school]]\ndfes = \"661234\"\nconnector = \"ctf\"\nsource = \"/x\"\n");
    EXPECT_THAT(m, HasSubstr(":2:8: key 'school[1].dfes': '661234' is not a DfES number"));
    EXPECT_THAT(errorOf("[[school]]\ndfes = \"66123A5\"\nconnector = \"ctf\"\nsource = \"/x\"\n"),
                HasSubstr("key 'school[1].dfes': '66123A5' is not a DfES number"));
    // A bare integer is refused with a hint to quote it.
    EXPECT_THAT(errorOf("[[school]]\ndfes = 6612345\nconnector = \"ctf\"\nsource = \"/x\"\n"),
                HasSubstr(":2:8: key 'school[1].dfes': expected a string, found an integer; "
                          "write it in quotes"));
}

TEST(ConfigErrors, DuplicateDfes) {
    std::string text = std::string(kSchool) + "\n" + std::string(kSchool);
    auto m = errorOf(text);
    EXPECT_THAT(m, HasSubstr(":7:8: key 'school[2].dfes': school 6612345 is already configured "
                             "at line 1"));
}

TEST(ConfigErrors, UnknownConnectorListsKnownOnes) {
    auto m = errorOf("[[school]]\ndfes = \"6612345\"\nconnector = \"sims\"\nsource = \"/x\"\n");
    EXPECT_THAT(m, HasSubstr(":3:13: key 'school[1].connector': unknown connector 'sims' (known: "
                             "ctf, odbc, oneroster, sims-xml, teacher-centre)"));
}

TEST(ConfigErrors, MissingRequiredSchoolKeys) {
    auto m = errorOf("[[school]]\nname = \"Ysgol\"\n");
    EXPECT_THAT(m, HasSubstr(":1:1: key 'school[1].dfes': is required"));
    EXPECT_THAT(m, HasSubstr(":1:1: key 'school[1].connector': is required"));
    EXPECT_THAT(m, HasSubstr(":1:1: key 'school[1].source': is required"));
    EXPECT_THAT(errorOf("[[school]]\ndfes = \"6612345\"\nconnector = \"ctf\"\nsource = \"\"\n"),
                HasSubstr(":4:10: key 'school[1].source': must not be empty"));
}

std::string withSchedule(std::string_view schedule) {
    return std::string(kSchool) + "schedule = \"" + std::string(schedule) + "\"\n";
}

TEST(ConfigErrors, BadSchedule) {
    for (const char* bad :
         {"daily 25:00", "daily 6:5", "daily", "every 0m", "every 2d", "every h", "hourly",
          "* * * *", "61 * * * *", "0 24 * * *", "0 6 0 * *", "0 6 * 13 *", "0 6 * * 8",
          "0 6 * * 5-1", "*/0 * * * *", "a * * * *", "1,,2 * * * *", ""}) {
        auto m = errorOf(withSchedule(bad));
        EXPECT_THAT(m, HasSubstr(":5:12: key 'school[1].schedule': '" + std::string(bad) + "'"))
            << bad;
    }
    EXPECT_THAT(errorOf(withSchedule("0 25 * * *")), HasSubstr("cron hour field '25'"));
}

TEST(Config, GoodSchedulesAreKept) {
    for (const char* good : {"daily 06:30", "daily 6:30", "daily 23:59", "every 1m", "every 90m",
                             "every 2h", "30 6 * * 1-5", "*/15 * * * *", "0 6,12,18 1-7 * 0",
                             "0 0 1 1-12/3 7", "5-55/10 */2 * * *"}) {
        EXPECT_EQ(parse(withSchedule(good)).schools.at(0).schedule, good) << good;
    }
}

TEST(ConfigErrors, BadSummerLeaverUntil) {
    for (const char* bad : {"02-30", "02-29", "04-31", "13-01", "00-10", "8-30", "08/30", "0830"}) {
        auto m = errorOf(std::string("[policy]\nsummer_leaver_until = \"") + bad + "\"\n");
        EXPECT_THAT(m, HasSubstr(":2:23: key 'policy.summer_leaver_until': must be \"MM-DD\""))
            << bad;
    }
    auto c = parse("[policy]\nsummer_leaver_until = \"12-31\"\n");
    EXPECT_EQ(c.policy.summerLeaverUntil.month, 12u);
    EXPECT_EQ(c.policy.summerLeaverUntil.day, 31u);
}

TEST(ConfigErrors, OutOfRangeNumbers) {
    EXPECT_THAT(errorOf("[policy]\nmax_deactivate_percent = 150\n"),
                HasSubstr(":2:26: key 'policy.max_deactivate_percent': must be a percentage "
                          "between 0 and 100"));
    EXPECT_THAT(errorOf("[policy]\nmin_roll_percent = -0.5\n"),
                HasSubstr("key 'policy.min_roll_percent': must be a percentage"));
    EXPECT_THAT(errorOf("[policy]\nmin_roll_percent = nan\n"),
                HasSubstr("key 'policy.min_roll_percent': must be a percentage"));
    EXPECT_THAT(errorOf("[policy]\nusername_max_length = 7\n"),
                HasSubstr(":2:23: key 'policy.username_max_length': must be between 8 and 64 "
                          "(found 7)"));
    EXPECT_THAT(errorOf("[policy]\nusername_max_length = 65\n"), HasSubstr("between 8 and 64"));
    EXPECT_THAT(errorOf("[policy]\nretention_days = 0\n"),
                HasSubstr("key 'policy.retention_days': must be at least 1 (found 0)"));
    EXPECT_THAT(errorOf("[policy]\nstale_after_hours = 0\n"), HasSubstr("must be at least 1"));
    EXPECT_THAT(errorOf("[policy]\nmin_deactivate_guard = -1\n"),
                HasSubstr("key 'policy.min_deactivate_guard': must not be negative"));
    EXPECT_THAT(errorOf("[policy]\nmax_deactivate_count = 99999999999\n"),
                HasSubstr("key 'policy.max_deactivate_count': must be at most 4294967295"));
    // Edges are accepted.
    auto c = parse(
        "[policy]\nmax_deactivate_percent = 0\nmin_roll_percent = 100.0\n"
        "username_max_length = 64\nmin_deactivate_guard = 0\n");
    EXPECT_DOUBLE_EQ(c.policy.maxDeactivatePercent, 0);
    EXPECT_DOUBLE_EQ(c.policy.minRollPercent, 100);
    EXPECT_EQ(c.policy.usernameMaxLength, 64u);
}

TEST(ConfigErrors, BadPolicyWords) {
    for (const char* bad : {"", "hwbcymru", "user@hwbcymru.net", "hwb cymru.net", ".net", "a..b"}) {
        EXPECT_THAT(errorOf(std::string("[policy]\nemail_domain = \"") + bad + "\"\n"),
                    HasSubstr(":2:16: key 'policy.email_domain': must be a mail domain"))
            << bad;
    }
    EXPECT_THAT(errorOf("[policy]\nstaff_transfer = \"Auto\"\n"),
                HasSubstr("key 'policy.staff_transfer': must be \"manual\" or \"automatic\""));
}

TEST(ConfigErrors, PostgresqlNeedsConnection) {
    auto m = errorOf("[directory]\nbackend = \"postgresql\"\n");
    EXPECT_THAT(m, HasSubstr(":2:11: key 'directory.connection': backend \"postgresql\" needs "
                             "'connection' or 'connection_file'"));
    EXPECT_THAT(errorOf("[directory]\nbackend = \"mysql\"\n"),
                HasSubstr("key 'directory.backend': must be \"sqlite\" or \"postgresql\""));
    auto c = parse("[directory]\nbackend = \"postgresql\"\nconnection = \"host=db dbname=m\"\n");
    EXPECT_EQ(c.directory.connection, "host=db dbname=m");
}

TEST(ConfigErrors, KeysThatDoNotApplyAreErrorsWithoutSecretValues) {
    auto m = errorOf("[directory]\nconnection = \"password=hunter2\"\n");
    EXPECT_THAT(m, HasSubstr(":2:14: key 'directory.connection': applies only to backend = "
                             "\"postgresql\""));
    EXPECT_THAT(m, Not(HasSubstr("hunter2")));
    EXPECT_THAT(
        errorOf("[directory]\nbackend = \"postgresql\"\nconnection = \"x\"\npath = \"/d\"\n"),
        HasSubstr(":4:8: key 'directory.path': applies only to backend = \"sqlite\""));
    EXPECT_THAT(errorOf(std::string(kSchool) + "incoming = true\n"),
                HasSubstr(":5:12: key 'school[1].incoming': applies only to connector \"ctf\""));
    EXPECT_THAT(errorOf(std::string(kSchool) + "org = \"o\"\n"),
                HasSubstr("key 'school[1].org': applies only to connector \"oneroster\""));
    EXPECT_THAT(errorOf(std::string(kSchool) + "[school.queries]\nlearners = \"q\"\n"),
                HasSubstr("key 'school[1].queries': applies only to connector \"odbc\""));
    EXPECT_THAT(errorOf("[status]\ntls_certificate = \"/c.pem\"\n"),
                HasSubstr(":2:19: key 'status.tls_certificate': TLS needs both"));
    EXPECT_THAT(errorOf("[status]\nlisten = \"8750\"\n"),
                HasSubstr("key 'status.listen': must be HOST:PORT"));
    EXPECT_THAT(errorOf("[status]\nlisten = \"localhost:70000\"\n"),
                HasSubstr("must be HOST:PORT"));
    EXPECT_EQ(parse("[status]\nlisten = \"[::1]:8750\"\n").status.listen, "[::1]:8750");
}

TEST(ConfigErrors, OdbcNeedsAllThreeQueries) {
    auto m = errorOf(
        "[[school]]\ndfes = \"6640003\"\nconnector = \"odbc\"\nsource = \"DSN=x;PWD=s3cret\"\n"
        "[school.queries]\nlearners = \"q\"\n");
    EXPECT_THAT(m, HasSubstr(":5:1: key 'school[1].queries.staff': is required for connector "
                             "\"odbc\""));
    EXPECT_THAT(m, HasSubstr("key 'school[1].queries.memberships': is required"));
    EXPECT_THAT(m, Not(HasSubstr("learners':")));
    EXPECT_THAT(m, Not(HasSubstr("s3cret")));
}

TEST(ConfigErrors, TomlSyntaxErrorHasLineAndColumn) {
    auto m = errorOf("[policy]\nretention_days = 5\nemail_domain = \n");
    EXPECT_THAT(m, HasSubstr("/etc/misync/misync.toml:3:16: "));
    EXPECT_THAT(m, HasSubstr("expected value"));
    EXPECT_THAT(errorOf("[policy]\nretention_days = 1\nretention_days = 2\n"),
                HasSubstr("/etc/misync/misync.toml:3:"));
}

TEST(ConfigErrors, EveryProblemIsReportedInFileOrder) {
    auto m = errorOf("[status]\nlisten = \"x\"\n[policy]\nretention_days = 0\nzzz = 1\n");
    auto listen = m.find(":2:10: key 'status.listen'");
    auto retention = m.find(":4:18: key 'policy.retention_days'");
    auto unknown = m.find(":5:1: key 'policy.zzz'");
    ASSERT_NE(listen, std::string::npos) << m;
    ASSERT_NE(retention, std::string::npos) << m;
    ASSERT_NE(unknown, std::string::npos) << m;
    EXPECT_LT(listen, retention);
    EXPECT_LT(retention, unknown);
    EXPECT_EQ(std::count(m.begin(), m.end(), '\n'), 2);
}

TEST(ConfigErrors, SchoolTablesHoldNonEmptyStrings) {
    EXPECT_THAT(errorOf(std::string(kSchool) + "[school.files]\nstudents = \"\"\n"),
                HasSubstr(":6:12: key 'school[1].files.students': must not be empty"));
    EXPECT_THAT(errorOf(std::string(kSchool) + "[school.files]\nstaff = [\"a\"]\n"),
                HasSubstr("key 'school[1].files.staff': expected a string (a file name), found an "
                          "array"));
    EXPECT_THAT(errorOf("[[school]]\ndfes = \"6640003\"\nconnector = \"odbc\"\nsource = \"DSN=x\"\n"
                        "[school.files]\nstudents = \"s.xml\"\n[school.queries]\nlearners = \"a\"\n"
                        "staff = \"b\"\nmemberships = \"c\"\n"),
                HasSubstr(":5:1: key 'school[1].files': connector \"odbc\" reads no files"));
    EXPECT_THAT(
        errorOf("[[school]]\ndfes = \"6620001\"\nconnector = \"oneroster\"\n"
                "source = \"/srv/la.zip\"\n[school.files]\nusers = \"u.csv\"\n"),
        HasSubstr("key 'school[1].files': connector \"oneroster\" finds its files by name"));
}

// The value rules are public for the scheduler; these pin the boundaries.
TEST(ConfigValues, RulesAtTheirEdges) {
    EXPECT_FALSE(misync::daemon::scheduleProblem("daily 00:00"));
    EXPECT_FALSE(misync::daemon::scheduleProblem("  every   5m "));
    EXPECT_FALSE(misync::daemon::scheduleProblem("59 23 31 12 7"));
    EXPECT_TRUE(misync::daemon::scheduleProblem("daily 24:00"));
    EXPECT_TRUE(misync::daemon::scheduleProblem("every 99999999999h"));
    EXPECT_TRUE(misync::daemon::scheduleProblem("0 0 * * * *"));

    auto day = misync::daemon::parseMonthDay("02-28");
    ASSERT_TRUE(day);
    EXPECT_EQ(day->month, 2u);
    EXPECT_EQ(day->day, 28u);
    EXPECT_FALSE(misync::daemon::parseMonthDay("02-29"));
    EXPECT_FALSE(misync::daemon::parseMonthDay("+8-30"));

    EXPECT_TRUE(misync::daemon::isListenAddress("localhost:65535"));
    EXPECT_FALSE(misync::daemon::isListenAddress("localhost:65536"));
    EXPECT_TRUE(misync::daemon::isListenAddress("127.0.0.1:0"));  // any free port, logged
    EXPECT_FALSE(misync::daemon::isListenAddress("127.0.0.1:"));
    EXPECT_FALSE(misync::daemon::isListenAddress("127.0.0.1:-1"));
    EXPECT_FALSE(misync::daemon::isListenAddress("[::1:8750"));
    EXPECT_FALSE(misync::daemon::isListenAddress("[]:8750"));

    EXPECT_TRUE(misync::daemon::isEmailDomain("ysgol.cymru"));
    EXPECT_FALSE(misync::daemon::isEmailDomain("ysgol.cymru."));
}

// ---- files and paths ------------------------------------------------------------------------

TEST(Config, RelativePathsAreResolvedAgainstTheConfigFolder) {
    Config c = parse(R"([directory]
path = "data/directory.db"
[secrets]
key_file = "../keys/secret.key"
[status]
tokens_file = "tokens.toml"
tls_certificate = "tls/cert.pem"
tls_private_key = "/etc/ssl/key.pem"
[[school]]
dfes = "6612345"
connector = "sims-xml"
source = "drop/6612345"
[[school]]
dfes = "6640003"
connector = "odbc"
source = "DSN=sims"
[school.queries]
learners = "a"
staff = "b"
memberships = "c"
)",
                     "/opt/la/conf/misync.toml");
    EXPECT_EQ(c.directory.path, "/opt/la/conf/data/directory.db");
    EXPECT_EQ(c.secrets.keyFile, "/opt/la/keys/secret.key");
    EXPECT_EQ(c.status.tokensFile, "/opt/la/conf/tokens.toml");
    EXPECT_EQ(c.status.tlsCertificate, "/opt/la/conf/tls/cert.pem");
    EXPECT_EQ(c.status.tlsPrivateKey, "/etc/ssl/key.pem");
    EXPECT_EQ(c.schools.at(0).source, "/opt/la/conf/drop/6612345");
    EXPECT_EQ(c.schools.at(1).source, "DSN=sims");  // a connection string, kept as written
}

// Context::resolve() joins plain relative names without fs::path's normalisation (issue 8);
// anything else still goes through lexically_normal(). Both give the same paths.
TEST(Config, SchoolSourcesResolveAsLexicallyNormalPathsWhateverTheirShape) {
    const std::vector<std::string> sources{
        "6612345", "drop/6612345", "./drop/6612345", "drop//a", "drop/../b",
        "drop/a/", "/abs/x/../y",  "drop/.hidden",   "..",      "drop/a.b/c"};
    for (const fs::path config : {fs::path("/opt/la/conf/misync.toml"), fs::path("/misync.toml"),
                                  fs::path("/opt/./la/../la/conf/misync.toml")}) {
        std::string text;
        for (std::size_t i = 0; i < sources.size(); ++i) {
            text += "[[school]]\ndfes = \"66" + std::to_string(10000 + i) +
                    "\"\nconnector = \"sims-xml\"\nsource = \"" + sources[i] + "\"\n";
        }
        Config c = parse(text, config);
        ASSERT_EQ(c.schools.size(), sources.size());
        const fs::path base = config.lexically_normal().parent_path();
        for (std::size_t i = 0; i < sources.size(); ++i) {
            const fs::path given(sources[i]);
            const std::string expected =
                (given.is_absolute() ? given : base / given).lexically_normal().string();
            EXPECT_EQ(c.schools[i].source, expected) << sources[i] << " from " << config;
        }
    }
}

TEST(Config, LoadConfigFromRelativeNameUsesItsFolder) {
    TempDir dir;
    dir.write("conf/misync.toml", "[directory]\npath = \"directory.db\"\n");
    struct RestoreCurrentPath {
        fs::path saved = fs::current_path();
        ~RestoreCurrentPath() { fs::current_path(saved); }
    } restore;
    fs::current_path(dir.path());
    Config c = loadConfig("conf/misync.toml", fakeRegistry());
    EXPECT_EQ(c.file, (dir.path() / "conf/misync.toml").lexically_normal());
    EXPECT_EQ(c.directory.path, (dir.path() / "conf/directory.db").lexically_normal().string());
}

TEST(Config, LoadConfigReportsUnreadableFile) {
    TempDir dir;
    try {
        loadConfig(dir.path() / "missing.toml", fakeRegistry());
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr("missing.toml: cannot read the configuration: No such"));
    }
    auto file = dir.write("bad.toml", "[policy]\nretention_days = -3\n");
    try {
        loadConfig(file, fakeRegistry());
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr(file.string() + ":2:18: key 'policy.retention_days'"));
    }
}

TEST(Config, ConnectionFileIsReadAndNeverQuoted) {
    TempDir dir;
    dir.write("db.conn", "host=db dbname=misync password=s3cret\r\n\n");
    auto config = dir.write(
        "misync.toml", "[directory]\nbackend = \"postgresql\"\nconnection_file = \"db.conn\"\n");
    Config c = loadConfig(config, fakeRegistry());
    EXPECT_EQ(c.directory.connection, "host=db dbname=misync password=s3cret");

    auto missing = errorOf("[directory]\nbackend = \"postgresql\"\nconnection_file = \"nope\"\n",
                           dir.path() / "other.toml");
    EXPECT_THAT(missing, HasSubstr(":3:19: key 'directory.connection_file': cannot read '" +
                                   (dir.path() / "nope").string() + "'"));
    dir.write("empty.conn", "\n");
    EXPECT_THAT(errorOf("[directory]\nbackend = \"postgresql\"\nconnection_file = \"empty.conn\"\n",
                        dir.path() / "other.toml"),
                HasSubstr("key 'directory.connection_file': file '"));

    auto both = errorOf(
        "[directory]\nbackend = \"postgresql\"\nconnection = \"password=x1y2\"\n"
        "connection_file = \"db.conn\"\n",
        dir.path() / "other.toml");
    EXPECT_THAT(both, HasSubstr(":4:19: key 'directory.connection_file': give either"));
    EXPECT_THAT(both, Not(HasSubstr("s3cret")));
    EXPECT_THAT(both, Not(HasSubstr("x1y2")));
}

TEST(Config, OdbcSourceFileIsRead) {
    TempDir dir;
    dir.write("sims.dsn", "DSN=sims;UID=reader;PWD=s3cret\n");
    std::string school =
        "[[school]]\ndfes = \"6640003\"\nconnector = \"odbc\"\n"
        "source_file = \"sims.dsn\"\n[school.queries]\nlearners = \"a\"\n"
        "staff = \"b\"\nmemberships = \"c\"\n";
    Config c = parse(school, dir.path() / "misync.toml");
    EXPECT_EQ(c.schools.at(0).source, "DSN=sims;UID=reader;PWD=s3cret");

    auto m =
        errorOf(std::string(kSchool) + "source_file = \"sims.dsn\"\n", dir.path() / "misync.toml");
    EXPECT_THAT(m, HasSubstr(":5:15: key 'school[1].source_file': applies only to connector "
                             "\"odbc\""));
    EXPECT_THAT(m, HasSubstr("key 'school[1].source_file': give either 'source' or"));
    EXPECT_THAT(m, Not(HasSubstr("s3cret")));
}

// ---- shipped examples (DESIGN.md pattern 6) -------------------------------------------------

TEST(Config, EveryShippedExampleIsValid) {
    fs::path folder = fs::path(MISYNC_SOURCE_DIR) / "docs" / "examples";
    ASSERT_TRUE(fs::is_directory(folder)) << folder;
    std::vector<fs::path> examples;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (entry.path().extension() == ".toml") {
            examples.push_back(entry.path());
        }
    }
    ASSERT_GE(examples.size(), 2u) << folder;
    for (const auto& file : examples) {
        try {
            Config c = loadConfig(file, fakeRegistry());
            EXPECT_FALSE(c.schools.empty()) << file;
        } catch (const ConfigError& e) {
            ADD_FAILURE() << e.what();
        }
    }
}

}  // namespace
