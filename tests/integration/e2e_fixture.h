// End-to-end fixture: runs the real misync binary over SIMS CommandReporter extracts written by
// the test, with a real directory per test: SQLite in the test's temporary folder, or, when the
// environment says MISYNC_TEST_BACKEND=postgresql, a database of its own on the test binary's
// one PostgreSQL server (tests/support/pg_server.h). While this build has no PostgreSQL backend,
// every test of such a run skips with the reason.
#pragma once

#include <gtest/gtest.h>

#include <sys/types.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/test_directory.h"

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

// ---- runs in flight (docs/reliability.md) ----

// Writes a `running` row of `school` through `directory`, as a process that has started a run
// of it (storage::RunMarkers): the row stays a live process's while `directory` is open (its
// owner lock) and is a dead process's once `directory` is destroyed. Returns the run's id.
std::int64_t markRunningRow(storage::Directory& directory, const std::string& school);

// ---- running the binary ----

// Child processes: tests/support/process.h.
using testsupport::Background;
using testsupport::execute;
using testsupport::finish;
using testsupport::hasEnded;
using testsupport::Result;
using testsupport::startInBackground;

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

// S7 from the test's side: a school's lease held as a run holds it, so that a run of the school
// waits; let go by release() or the destructor. SQLite: an open file description lock on the
// school's byte of the lock file. PostgreSQL: a lease taken through the store's own API
// (SchoolLocks::tryLockSchool) on a connection of the test's.
class HeldSchool {
  public:
    HeldSchool() = default;
    HeldSchool(HeldSchool&& other) noexcept;
    HeldSchool& operator=(HeldSchool&& other) noexcept;
    ~HeldSchool() { release(); }
    bool held() const { return fd_ >= 0 || lease_.held(); }
    void release();

  private:
    friend class E2eTest;
    int fd_ = -1;
    std::unique_ptr<storage::Directory> directory_;
    storage::SchoolLease lease_;
};

class E2eTest : public ::testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override;

    const fs::path& dir() const { return dir_; }
    fs::path config() const { return dir_ / "misync.toml"; }
    // SQLite only: the directory's database file (tests that read or break it run on SQLite
    // only; tests/CMakeLists.txt lists them).
    fs::path database() const { return dir_ / "directory.db"; }

    // The directory backend of this run of the suite (MISYNC_TEST_BACKEND).
    static testsupport::Backend backend();
    static bool onPostgresql() { return backend() == testsupport::Backend::Postgresql; }
    // The [directory] table of the configuration, its header included: the SQLite path or the
    // PostgreSQL connection (its password in a password_file, never in the configuration).
    std::string directoryToml() const;
    // The test's directory database, whatever its backend (SQL behind misync's back, S7
    // waiters).
    testsupport::TestDirectory& directory() { return *directory_; }
    // Empties the directory: the next command starts on a new one.
    void dropDirectory() { directory_->reset(); }
    // Holds `dfes`'s lease (see HeldSchool); fails the test when it is held already.
    HeldSchool holdSchool(const std::string& dfes);
    // Whether `count` runs come to wait for the school's lease within `timeout`
    // (TestDirectory::awaitLeaseWaiters).
    bool awaitLeaseWaiters(const std::string& dfes, int count,
                           std::chrono::seconds timeout = std::chrono::seconds(60)) {
        return directory_->awaitLeaseWaiters(dfes, count, timeout);
    }
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
    std::unique_ptr<testsupport::TestDirectory> directory_;
    int backgroundStarted_ = 0;  // names the output files of misyncInBackground()
};

}  // namespace misync::e2e
