#include "e2e_fixture.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <utility>

namespace misync::e2e {

namespace {

std::string xmlEscape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string tomlString(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

using Row = std::vector<std::pair<std::string, std::string>>;

}  // namespace

std::string xmlColumnName(std::string_view column) {
    std::string out;
    for (char c : column) {
        if (c == ' ') {
            out += "_x0020_";
        } else {
            out += c;
        }
    }
    return out;
}

std::string superStarReport(const std::vector<Row>& rows) {
    std::string out = "<?xml version=\"1.0\" standalone=\"yes\"?>\n<SuperStarReport>\n";
    for (const auto& row : rows) {
        out += "<Record>";
        for (const auto& [column, value] : row) {
            if (value.empty()) {
                continue;  // CommandReporter leaves an empty column out
            }
            const std::string name = xmlColumnName(column);
            out += "<" + name + ">" + xmlEscape(value) + "</" + name + ">";
        }
        out += "</Record>\n";
    }
    return out + "</SuperStarReport>\n";
}

std::string studentsXml(const std::vector<Student>& students) {
    std::vector<Row> rows;
    for (const auto& s : students) {
        rows.push_back({{"ID", s.id},
                        {"UPN", s.upn},
                        {"Adno", s.adno},
                        {"Legal Forename", s.forename},
                        {"Legal Surname", s.surname},
                        {"Preferred Forename", s.preferredForename},
                        {"Preferred Surname", s.preferredSurname},
                        {"DOB", s.dob},
                        {"Gender", s.gender},
                        {"Year", s.year},
                        {"Reg", s.reg},
                        {"Admission Date", s.admissionDate},
                        {"Leaving Date", s.leavingDate},
                        {"Enrolment Status", s.enrolmentStatus}});
    }
    return superStarReport(rows);
}

std::string staffXml(const std::vector<StaffMember>& staff) {
    std::vector<Row> rows;
    for (const auto& s : staff) {
        rows.push_back({{"ID", s.id},
                        {"Staff Code", s.staffCode},
                        {"Title", s.title},
                        {"Legal Forename", s.forename},
                        {"Legal Surname", s.surname},
                        {"Start Date", s.startDate},
                        {"Leaving Date", s.leavingDate},
                        {"Role", s.role},
                        {"EWC Number", s.ewc}});
    }
    return superStarReport(rows);
}

std::string groupsXml(const std::vector<GroupRow>& groups) {
    std::vector<Row> rows;
    for (const auto& g : groups) {
        rows.push_back({{"Group", g.group},
                        {"Group Type", g.type},
                        {"Subject", g.subject},
                        {"Year", g.year},
                        {"ID", g.id},
                        {"Member Type", g.id.empty() ? "" : g.memberType}});
    }
    return superStarReport(rows);
}

// SPEC §1: value(c) is the digit, or a letter's index in L; S = Σ i·value(c_i), i = 2..13.
char upnCheckLetter(std::string_view body) {
    static constexpr std::string_view kL = "ABCDEFGHJKLMNPQRTUVWXYZ";
    if (body.size() != 12) {
        throw std::invalid_argument("a UPN body has 12 characters");
    }
    int sum = 0;
    for (std::size_t k = 0; k < body.size(); ++k) {
        const char c = body[k];
        int value = 0;
        if (c >= '0' && c <= '9') {
            value = c - '0';
        } else if (auto pos = kL.find(c); pos != std::string_view::npos) {
            value = static_cast<int>(pos);
        } else {
            throw std::invalid_argument("not a UPN character");
        }
        sum += static_cast<int>(k + 2) * value;
    }
    return kL[static_cast<std::size_t>(sum % 23)];
}

std::int64_t markRunningRow(storage::Directory& directory, const std::string& school) {
    storage::RunRecord rec;
    rec.school = school;
    rec.connector = "sims-xml";
    rec.asOf = "2025-01-16";
    rec.startedAt = "2025-01-16T06:30:00Z";
    directory.markRunning({&rec});
    return rec.id;
}

std::string makeUpn(std::string_view dfes, int serial, int year) {
    char tail[8];
    std::snprintf(tail, sizeof tail, "%02d%03d", year % 100, serial % 1000);
    const std::string body = std::string(dfes) + tail;
    return std::string(1, upnCheckLetter(body)) + body;
}

std::string withWrongCheckLetter(const std::string& upn) {
    std::string out = upn;
    out[0] = upn[0] == 'A' ? 'B' : 'A';
    return out;
}

json::value parseJson(const std::string& text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec) {
        ADD_FAILURE() << "not JSON (" << ec.message() << "):\n" << text;
        return nullptr;
    }
    return v;
}

std::string str(const json::value& v, std::string_view key) {
    const auto* o = v.if_object();
    const json::value* p = o != nullptr ? o->if_contains(key) : nullptr;
    if (p == nullptr || !p->is_string()) {
        return {};
    }
    return std::string(p->as_string());
}

std::int64_t num(const json::value& v, std::string_view key) {
    const auto* o = v.if_object();
    const json::value* p = o != nullptr ? o->if_contains(key) : nullptr;
    if (p == nullptr || !p->is_number()) {
        ADD_FAILURE() << "no number '" << key << "' in " << json::serialize(v);
        return -1;
    }
    return p->to_number<std::int64_t>();
}

json::object runOf(const json::value& runs, std::string_view school) {
    const auto* o = runs.if_object();
    const json::value* list = o != nullptr ? o->if_contains("runs") : nullptr;
    if (list != nullptr && list->is_array()) {
        for (const auto& r : list->as_array()) {
            if (r.is_object() && str(r, "school") == school) {
                return r.as_object();
            }
        }
    }
    ADD_FAILURE() << "no run of school " << school << " in " << json::serialize(runs);
    return {};
}

std::int64_t countOf(const json::object& run, std::string_view key) {
    const json::value* counts = run.if_contains("counts");
    if (counts == nullptr) {
        ADD_FAILURE() << "run without counts: " << json::serialize(run);
        return -1;
    }
    return num(*counts, key);
}

std::vector<json::object> actionsOf(const json::object& run, std::string_view kind) {
    std::vector<json::object> out;
    if (const json::value* a = run.if_contains("actions"); a != nullptr && a->is_array()) {
        for (const auto& x : a->as_array()) {
            if (str(x, "action") == kind) {
                out.push_back(x.as_object());
            }
        }
    }
    return out;
}

std::int64_t totalCounts(const json::object& run) {
    std::int64_t sum = 0;
    if (const json::value* c = run.if_contains("counts"); c != nullptr && c->is_object()) {
        for (const auto& kv : c->as_object()) {
            sum += kv.value().to_number<std::int64_t>();
        }
    }
    return sum;
}

namespace {
std::optional<json::object> findIf(const json::array& a, auto pred) {
    for (const auto& x : a) {
        if (x.is_object() && pred(x)) {
            return x.as_object();
        }
    }
    return std::nullopt;
}
}  // namespace

std::optional<json::object> byUpn(const json::array& accounts, std::string_view upn) {
    return findIf(accounts, [&](const json::value& x) { return str(x, "upn") == upn; });
}

std::optional<json::object> byUsername(const json::array& accounts, std::string_view username) {
    return findIf(accounts, [&](const json::value& x) { return str(x, "username") == username; });
}

std::optional<json::object> byMisId(const json::array& accounts, std::string_view school,
                                    std::string_view misId) {
    return findIf(accounts, [&](const json::value& x) {
        return str(x, "school") == school && str(x, "mis_id") == misId;
    });
}

std::optional<json::object> groupOf(const json::array& groups, std::string_view school,
                                    std::string_view code) {
    return findIf(groups, [&](const json::value& x) {
        return str(x, "school") == school && str(x, "code") == code;
    });
}

std::vector<std::string> membersOf(const json::object& group) {
    std::vector<std::string> out;
    if (const json::value* m = group.if_contains("members"); m != nullptr && m->is_array()) {
        for (const auto& x : m->as_array()) {
            out.emplace_back(x.as_string());
        }
    }
    return out;
}

json::array withoutTimes(json::array accounts) {
    for (auto& a : accounts) {
        if (auto* o = a.if_object()) {
            o->erase("created_at");
            o->erase("updated_at");
            o->erase("deactivated_at");
        }
    }
    return accounts;
}

std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false;
    bool any = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        any = true;
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            row.push_back(std::move(field));
            field.clear();
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
                ++i;
            }
            row.push_back(std::move(field));
            field.clear();
            rows.push_back(std::move(row));
            row.clear();
            any = false;
        } else {
            field += c;
        }
    }
    if (any) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
    }
    return rows;
}

// ---- fixture ----

testsupport::Backend E2eTest::backend() {
    const char* b = std::getenv("MISYNC_TEST_BACKEND");
    return b != nullptr && std::string_view(b) == "postgresql" ? testsupport::Backend::Postgresql
                                                               : testsupport::Backend::Sqlite;
}

void E2eTest::SetUp() {
    std::string pattern = (fs::temp_directory_path() / "misync-e2e-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        FAIL() << "mkdtemp: " << std::strerror(errno);
    }
    dir_ = pattern;
    directory_ = std::make_unique<testsupport::TestDirectory>(backend(), database());
    if (!directory_->skipReason().empty()) {
        GTEST_SKIP() << directory_->skipReason();
    }
    ASSERT_EQ(directory_->error(), "") << "cannot make the test's directory";
}

void E2eTest::TearDown() {
    if (std::getenv("MISYNC_E2E_KEEP") != nullptr) {
        std::cerr << "kept " << dir_
                  << (directory_ && onPostgresql() ? " and database " + directory_->pgDatabase()
                                                   : "")
                  << "\n";
        // The database stays too (until the server goes with the binary).
        static_cast<void>(directory_.release());
        return;
    }
    directory_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

HeldSchool::HeldSchool(HeldSchool&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      directory_(std::move(other.directory_)),
      lease_(std::move(other.lease_)) {}

HeldSchool& HeldSchool::operator=(HeldSchool&& other) noexcept {
    if (this != &other) {
        release();
        fd_ = std::exchange(other.fd_, -1);
        directory_ = std::move(other.directory_);
        lease_ = std::move(other.lease_);
    }
    return *this;
}

void HeldSchool::release() {
    lease_.release();
    directory_.reset();
    if (fd_ >= 0) {
        ::close(std::exchange(fd_, -1));
    }
}

HeldSchool E2eTest::holdSchool(const std::string& dfes) {
    HeldSchool held;
    if (onPostgresql()) {
        held.directory_ = directory_->open();
        std::optional<storage::SchoolLease> lease = held.directory_->tryLockSchool(dfes);
        EXPECT_TRUE(lease.has_value()) << "the school is held already";
        if (lease) {
            held.lease_ = std::move(*lease);
        }
        return held;
    }
    const std::string path = database().string() + ".lock";
    held.fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    EXPECT_GE(held.fd_, 0) << path;
    struct flock l {};
    l.l_type = F_WRLCK;
    l.l_whence = SEEK_SET;
    l.l_start = std::stol(dfes);
    l.l_len = 1;
    EXPECT_EQ(::fcntl(held.fd_, F_OFD_SETLK, &l), 0) << "the school is held already";
    return held;
}

std::string E2eTest::directoryToml() const {
    if (onPostgresql()) {
        return "[directory]\nbackend = \"postgresql\"\nconnection = " +
               tomlString(directory_->conninfo()) + "\n";
    }
    return "[directory]\nbackend = \"sqlite\"\npath = " + tomlString(database().string()) + "\n";
}

void E2eTest::writeFile(const fs::path& path, std::string_view text) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    ASSERT_TRUE(out.good()) << "cannot write " << path;
}

void E2eTest::writeSchool(std::string_view dfes, const SchoolExtract& extract) {
    writeFile(schoolDir(dfes) / "students.xml", studentsXml(extract.students));
    writeFile(schoolDir(dfes) / "staff.xml", staffXml(extract.staff));
    writeFile(schoolDir(dfes) / "groups.xml", groupsXml(extract.groups));
}

void E2eTest::writeConfig(const std::vector<SchoolConfig>& schools, std::string_view policyToml) {
    std::string t;
    t += directoryToml() + "\n";
    t += "[secrets]\nkey_file = " + tomlString((dir_ / "secret.key").string()) + "\n\n";
    if (!policyToml.empty()) {
        t += "[policy]\n" + std::string(policyToml) + "\n\n";
    }
    for (const auto& s : schools) {
        t += "[[school]]\ndfes = " + tomlString(s.dfes) + "\n";
        t += "name = " + tomlString(s.name.empty() ? "Ysgol " + s.dfes : s.name) + "\n";
        t += "connector = " + tomlString(s.connector) + "\n";
        t += "source = " + tomlString(s.source.empty() ? schoolDir(s.dfes).string() : s.source) +
             "\n";
        t += s.extraToml + "\n";
    }
    writeFile(config(), t);
}

Result E2eTest::misync(std::vector<std::string> args,
                       const std::map<std::string, std::string>& env) {
    args.insert(args.begin(), {"--config", config().string()});
    return execute(MISYNC_BINARY, args, env);
}

Background E2eTest::misyncInBackground(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", config().string()});
    return startInBackground(MISYNC_BINARY, args,
                             dir_ / ("background-" + std::to_string(++backgroundStarted_)));
}

json::value E2eTest::runJson(std::string_view asOf, std::vector<std::string> args, int status) {
    std::vector<std::string> all{"run", "--json", "--as-of", std::string(asOf)};
    all.insert(all.end(), args.begin(), args.end());
    Result r = misync(all);
    EXPECT_EQ(r.status, status) << "misync run --as-of " << asOf << "\nstdout: " << r.out
                                << "\nstderr: " << r.err;
    return parseJson(r.out);
}

json::array E2eTest::accounts(std::vector<std::string> args) {
    args.insert(args.begin(), {"accounts", "list", "--json"});
    Result r = misync(args);
    EXPECT_EQ(r.status, 0) << r.err;
    json::value v = parseJson(r.out);
    EXPECT_TRUE(v.is_array()) << r.out;
    return v.is_array() ? v.as_array() : json::array{};
}

json::object E2eTest::showAccount(const std::string& username, bool showPassword) {
    std::vector<std::string> args{"accounts", "show", username, "--json"};
    if (showPassword) {
        args.emplace_back("--show-password");
    }
    Result r = misync(args);
    EXPECT_EQ(r.status, 0) << r.err;
    json::value v = parseJson(r.out);
    EXPECT_TRUE(v.is_object()) << r.out;
    return v.is_object() ? v.as_object() : json::object{};
}

json::array E2eTest::groups(std::vector<std::string> args) {
    args.insert(args.begin(), {"groups", "list", "--json"});
    Result r = misync(args);
    EXPECT_EQ(r.status, 0) << r.err;
    json::value v = parseJson(r.out);
    EXPECT_TRUE(v.is_array()) << r.out;
    return v.is_array() ? v.as_array() : json::array{};
}

json::array E2eTest::history(std::string_view school) {
    Result r = misync({"history", "--school", std::string(school), "--json"});
    EXPECT_EQ(r.status, 0) << r.err;
    json::value v = parseJson(r.out);
    const json::value* runs = v.is_object() ? v.as_object().if_contains("runs") : nullptr;
    EXPECT_TRUE(runs != nullptr && runs->is_array()) << r.out;
    return runs != nullptr && runs->is_array() ? runs->as_array() : json::array{};
}

std::map<std::string, std::map<std::string, std::string>> E2eTest::credentials(
    std::string_view school, std::string_view role) {
    Result r = misync(
        {"export", "credentials", "--school", std::string(school), "--role", std::string(role)});
    EXPECT_EQ(r.status, 0) << r.err;
    auto rows = parseCsv(r.out);
    std::map<std::string, std::map<std::string, std::string>> out;
    if (rows.empty()) {
        ADD_FAILURE() << "empty credential export";
        return out;
    }
    const auto& header = rows.front();
    for (std::size_t i = 1; i < rows.size(); ++i) {
        std::map<std::string, std::string> row;
        for (std::size_t c = 0; c < header.size() && c < rows[i].size(); ++c) {
            row[header[c]] = rows[i][c];
        }
        out[row["Username"]] = row;
    }
    return out;
}

}  // namespace misync::e2e
