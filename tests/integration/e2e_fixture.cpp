#include "e2e_fixture.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>

extern char** environ;

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

namespace {

// The argument and environment vectors of a child process: this process's environment without
// MISYNC_CONFIG (so that only --config counts), with `env` added or replacing.
struct ChildCommand {
    std::vector<std::string> envStrings;
    std::vector<std::string> argStrings;
    std::vector<char*> envp;
    std::vector<char*> argv;

    ChildCommand(const std::string& program, const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env) {
        for (char** e = environ; *e != nullptr; ++e) {
            std::string_view kv(*e);
            std::string key(kv.substr(0, kv.find('=')));
            if (key != "MISYNC_CONFIG" && env.count(key) == 0) {
                envStrings.emplace_back(kv);
            }
        }
        for (const auto& [k, v] : env) {
            envStrings.push_back(k + "=" + v);
        }
        for (auto& s : envStrings) {
            envp.push_back(s.data());
        }
        envp.push_back(nullptr);
        argStrings.push_back(program);
        argStrings.insert(argStrings.end(), args.begin(), args.end());
        for (auto& s : argStrings) {
            argv.push_back(s.data());
        }
        argv.push_back(nullptr);
    }
    ChildCommand(const ChildCommand&) = delete;
    ChildCommand& operator=(const ChildCommand&) = delete;
};

}  // namespace

Result execute(const std::string& program, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& env) {
    ChildCommand child(program, args, env);

    int outPipe[2];
    int errPipe[2];
    if (::pipe2(outPipe, O_CLOEXEC) != 0 || ::pipe2(errPipe, O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2);
    pid_t pid = 0;
    const int rc =
        posix_spawn(&pid, program.c_str(), &actions, nullptr, child.argv.data(), child.envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(outPipe[1]);
    ::close(errPipe[1]);
    if (rc != 0) {
        ::close(outPipe[0]);
        ::close(errPipe[0]);
        throw std::runtime_error("cannot start " + program + ": " + std::strerror(rc));
    }
    Result result;
    std::array<pollfd, 2> fds{pollfd{outPipe[0], POLLIN, 0}, pollfd{errPipe[0], POLLIN, 0}};
    std::array<std::string*, 2> sinks{&result.out, &result.err};
    int open = 2;
    std::array<char, 65536> buffer{};
    while (open > 0) {
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) {
                continue;
            }
            const ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
            if (n > 0) {
                sinks[i]->append(buffer.data(), static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            }
        }
    }
    int wstatus = 0;
    while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(wstatus)) {
        result.status = WEXITSTATUS(wstatus);
    } else if (WIFSIGNALED(wstatus)) {
        result.status = 128 + WTERMSIG(wstatus);
    }
    return result;
}

Background startInBackground(const std::string& program, const std::vector<std::string>& args,
                             const fs::path& outputStem,
                             const std::map<std::string, std::string>& env) {
    ChildCommand child(program, args, env);

    Background b;
    b.out = outputStem.string() + ".out";
    b.err = outputStem.string() + ".err";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, b.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&actions, 2, b.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    const int rc = posix_spawn(&b.pid, program.c_str(), &actions, nullptr, child.argv.data(),
                               child.envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        throw std::runtime_error("cannot start " + program + ": " + std::strerror(rc));
    }
    return b;
}

namespace {
int decodeStatus(int wstatus) {
    if (WIFEXITED(wstatus)) {
        return WEXITSTATUS(wstatus);
    }
    return WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : -1;
}

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
}  // namespace

bool hasEnded(Background& b) {
    if (b.status) {
        return true;
    }
    int wstatus = 0;
    pid_t r = 0;
    while ((r = ::waitpid(b.pid, &wstatus, WNOHANG)) < 0 && errno == EINTR) {
    }
    if (r == b.pid) {
        b.status = decodeStatus(wstatus);
    }
    return b.status.has_value();
}

Result finish(Background& b, std::chrono::seconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (!hasEnded(b)) {
        if (std::chrono::steady_clock::now() > until) {
            ADD_FAILURE() << "pid " << b.pid << " still running after " << timeout.count()
                          << " s: killed";
            ::kill(b.pid, SIGKILL);
            int wstatus = 0;
            while (::waitpid(b.pid, &wstatus, 0) < 0 && errno == EINTR) {
            }
            b.status = decodeStatus(wstatus);
            break;
        }
        ::usleep(10'000);
    }
    return Result{*b.status, slurp(b.out), slurp(b.err)};
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

void E2eTest::SetUp() {
    std::string pattern = (fs::temp_directory_path() / "misync-e2e-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        FAIL() << "mkdtemp: " << std::strerror(errno);
    }
    dir_ = pattern;
}

void E2eTest::TearDown() {
    if (std::getenv("MISYNC_E2E_KEEP") != nullptr) {
        std::cerr << "kept " << dir_ << "\n";
        return;
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
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
    t += "[directory]\nbackend = \"sqlite\"\npath = " + tomlString(database().string()) + "\n\n";
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
