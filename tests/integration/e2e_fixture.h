// End-to-end fixture: runs the real misync binary over SIMS CommandReporter extracts written by
// the test, with a real SQLite directory in a temporary folder per test.
#pragma once

#include <gtest/gtest.h>

#include <sys/types.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace misync::e2e {

namespace fs = std::filesystem;
namespace json = boost::json;

// ---- SIMS XML extracts (SPEC §6.1). An empty string is an absent column. ----

struct Student {
    std::string id{};
    std::string upn{};
    std::string forename{};
    std::string surname{};
    std::string year{};  // as SIMS writes it, e.g. "Year  7" or "7"
    std::string reg{};
    std::string admissionDate{};
    std::string leavingDate{};
    std::string enrolmentStatus = "C";
    std::string preferredForename{};
    std::string preferredSurname{};
    std::string dob{};
    std::string adno{};
    std::string gender{};
};

struct StaffMember {
    std::string id{};
    std::string forename{};
    std::string surname{};
    std::string staffCode{};
    std::string startDate{};
    std::string leavingDate{};
    std::string role = "Teacher";
    std::string title{};
    std::string ewc{};
};

// One row of groups.xml: a membership, or a group without members when `id` is empty.
struct GroupRow {
    std::string group{};
    std::string type{};  // Registration, Year, Class, House
    std::string year{};
    std::string id{};
    std::string memberType = "Pupil";
    std::string subject{};
};

struct SchoolExtract {
    std::vector<Student> students;
    std::vector<StaffMember> staff;
    std::vector<GroupRow> groups;
};

// A column name as CommandReporter writes it: spaces become _x0020_.
std::string xmlColumnName(std::string_view column);
// <SuperStarReport> with one <Record> per row; empty values are left out.
std::string superStarReport(
    const std::vector<std::vector<std::pair<std::string, std::string>>>& rows);
std::string studentsXml(const std::vector<Student>& students);
std::string staffXml(const std::vector<StaffMember>& staff);
std::string groupsXml(const std::vector<GroupRow>& groups);

// ---- UPNs (SPEC §1) ----

// The check letter for the 12 characters after it.
char upnCheckLetter(std::string_view body);
// A valid UPN: LA + establishment of `dfes`, a two-digit year and a three-digit serial.
std::string makeUpn(std::string_view dfes, int serial, int year = 12);
// The same UPN with a check letter that is not the right one.
std::string withWrongCheckLetter(const std::string& upn);

// ---- running the binary ----

struct Result {
    int status = -1;  // exit status; 128 + signal when killed
    std::string out;
    std::string err;
};

// Runs `program` with `args` (no shell), stdin from /dev/null; `env` adds or replaces
// environment variables (MISYNC_CONFIG is always removed so that only --config counts).
Result execute(const std::string& program, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& env = {});

// A program started in the background (S7 tests run two at once); its stdout and stderr go to
// files, so that it never blocks on a full pipe while nobody reads it.
struct Background {
    pid_t pid = -1;
    fs::path out;
    fs::path err;
    std::optional<int> status;  // set once it has ended (as Result::status)
};
// Starts `program` like execute() does, without waiting; output to `outputStem`.out / .err.
Background startInBackground(const std::string& program, const std::vector<std::string>& args,
                             const fs::path& outputStem,
                             const std::map<std::string, std::string>& env = {});
// Whether it has ended, without waiting.
bool hasEnded(Background& b);
// Waits for it to end — killing it after `timeout`, which fails the test — and collects its output.
Result finish(Background& b, std::chrono::seconds timeout = std::chrono::seconds(300));

// ---- JSON helpers ----

json::value parseJson(const std::string& text);
std::string str(const json::value& v, std::string_view key);
std::int64_t num(const json::value& v, std::string_view key);
// The RUN object of `school` in a `run --json` output ({"runs": [...]}); fails the test if absent.
json::object runOf(const json::value& runs, std::string_view school);
std::int64_t countOf(const json::object& run, std::string_view key);
// Account actions of one kind (e.g. "create"), in order.
std::vector<json::object> actionsOf(const json::object& run, std::string_view kind);
// Sum of every count of a RUN.
std::int64_t totalCounts(const json::object& run);
// An account of `accounts list --json` by UPN / by username / by (school, MIS id).
std::optional<json::object> byUpn(const json::array& accounts, std::string_view upn);
std::optional<json::object> byUsername(const json::array& accounts, std::string_view username);
std::optional<json::object> byMisId(const json::array& accounts, std::string_view school,
                                    std::string_view misId);
// A group of `groups list --json` by school and code.
std::optional<json::object> groupOf(const json::array& groups, std::string_view school,
                                    std::string_view code);
std::vector<std::string> membersOf(const json::object& group);
// Drops keys that depend on the clock (created_at, updated_at, deactivated_at) so that two
// directories built at different times can be compared.
json::array withoutTimes(json::array accounts);

// CSV rows (RFC 4180 quoting), the header first.
std::vector<std::vector<std::string>> parseCsv(const std::string& text);

// ---- the fixture ----

struct SchoolConfig {
    std::string dfes;
    std::string name;
    std::string extraToml;  // more lines for this [[school]] table
    std::string connector = "sims-xml";
    std::string source{};  // "" → schoolDir(dfes)
};

class E2eTest : public ::testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override;

    const fs::path& dir() const { return dir_; }
    fs::path config() const { return dir_ / "misync.toml"; }
    fs::path database() const { return dir_ / "directory.db"; }
    fs::path schoolDir(std::string_view dfes) const { return dir_ / "mis" / std::string(dfes); }

    // Writes the three files of a school's drop folder (replacing what was there).
    void writeSchool(std::string_view dfes, const SchoolExtract& extract);
    void writeFile(const fs::path& path, std::string_view text);
    // Writes misync.toml: [directory], [secrets], optional [policy] lines, one [[school]] each.
    void writeConfig(const std::vector<SchoolConfig>& schools, std::string_view policyToml = "");

    // misync --config <config> args…
    Result misync(std::vector<std::string> args,
                  const std::map<std::string, std::string>& env = {});
    // misync --config <config> args… in the background (see finish()).
    Background misyncInBackground(std::vector<std::string> args);
    // `run --json --as-of asOf` + args; expects `status` and returns the parsed output.
    json::value runJson(std::string_view asOf, std::vector<std::string> args = {}, int status = 0);
    json::array accounts(std::vector<std::string> args = {});
    json::object showAccount(const std::string& username, bool showPassword = false);
    json::array groups(std::vector<std::string> args = {});
    json::array history(std::string_view school);
    // export credentials --school D --role R, parsed: username → row (header names as keys).
    std::map<std::string, std::map<std::string, std::string>> credentials(std::string_view school,
                                                                          std::string_view role);

  private:
    fs::path dir_;
    int backgroundStarted_ = 0;  // names the output files of misyncInBackground()
};

}  // namespace misync::e2e
