// misync-bench-oneroster_parse: throughput of the oneroster connector (SPEC §6.3) on one
// authority-wide OneRoster 1.1 CSV set at national scale (1,500 schools under 22 district orgs,
// 500,000 students, 39,000 teachers, about 100,000 homeroom and scheduled classes and 3,000,000
// enrollments by default), generated in memory deterministically from a seed, with every column
// of the standard's headers and real exports' corners: a BOM, CRLF, quoted names with commas and
// doubled quotes, a teacher in two schools ("o1,o2" in orgSourcedIds), parents (ignored), grades
// PK/KG/01…13, identifiers written "660 1234" or "660/1234". Three figures, measured separately:
//   parse    buildRosterSet() from the bytes in memory (MB/s of CSV);
//   extract  schoolSnapshot() for every school from the parsed set (per-school ms, persons/s);
//   e2e      with --out DIR: OneRosterConnector::read() of every school over DIR as written (and
//            over a zip of it when /usr/bin/zip exists), one RosterCache: seconds and how many
//            times the set was parsed (must be 1: once per run, not once per school).
// The counts are checked against the generator, so that the benchmark cannot time nothing.
// A benchmark, never a test: docs/performance.md.
#include <sys/resource.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "connectors/oneroster/oneroster.h"
#include "connectors/oneroster/roster_school.h"
#include "connectors/oneroster/roster_set.h"
#include "connectors/oneroster/roster_source.h"
#include "core/upn.h"

namespace misync::bench {
namespace {

namespace fs = std::filesystem;
namespace ors = connectors::oneroster;

// Names as people have them; csv() quotes the ones with a comma or a quote.
constexpr const char* kForenames[] = {"Aled",   "Bethan", "Carys",       "Dylan", "Efa",   "Ffion",
                                      "Gethin", "Huw",    "Iwan",        "Lowri", "Osian", "Rhys",
                                      "Seren",  "Tomos",  "Siân \"Si\"", "Zoë"};
constexpr const char* kSurnames[] = {
    "Jones", "Williams",    "Davies",    "Evans",     "Thomas",    "Roberts",     "Hughes",
    "Lewis", "O'Brien, Jr", "ap Dafydd", "Pritchard", "Griffiths", "Lloyd-Jones", "Morgan"};
constexpr const char* kSubjects[][2] = {{"Maths", "Ma"},   {"English", "En"}, {"Welsh", "Cy"},
                                        {"Science", "Sc"}, {"History", "Hi"}, {"Geography", "Gg"},
                                        {"Art", "Ar"},     {"Music", "Mu"},   {"PE", "PE"}};
constexpr const char* kModified = "2026-11-30T16:00:00.000Z";

// One CSV field as an export writes it: quoted when it holds a comma, a quote or a line break.
std::string csv(std::string_view v) {
    if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
        return std::string(v);
    }
    std::string out = "\"";
    for (char c : v) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    return out + '"';
}

struct Generated {
    std::string manifest, orgs, users, classes, enrollments;
    std::vector<std::string> dfes;
    std::uint64_t students = 0;
    std::uint64_t teachers = 0;
    std::uint64_t teacherMemberships = 0;  // (teacher, school) pairs: persons a school reports
    std::uint64_t parents = 0;
    std::uint64_t classCount = 0;
    std::uint64_t enrollmentCount = 0;
    std::uint64_t bytes() const {
        return manifest.size() + orgs.size() + users.size() + classes.size() + enrollments.size();
    }
};

struct Sizes {
    int schools = 1500;
    int districts = 22;
    int students = 500000;
    int teachers = 39000;
    int classes = 100000;
    int enrollments = 3000000;
    int parentEvery = 50;  // one parent user per this many students
    unsigned seed = 1;
    // Before every sourcedId: "" (short ids, "u123") or a GUID's first 24 characters, as
    // exports that use GUIDs have ids of 36 characters or more.
    std::string idPrefix;
};

int share(int total, int parts, int i) {
    return total / parts + (i < total % parts ? 1 : 0);
}

Generated generate(const Sizes& z) {
    Generated g;
    const std::string& P = z.idPrefix;
    std::mt19937 rng(z.seed);
    auto pick = [&](auto& list) {
        return list[std::uniform_int_distribution<std::size_t>(0, std::size(list) - 1)(rng)];
    };
    g.manifest =
        "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n"
        "file.academicSessions,absent\nfile.categories,absent\nfile.classes,bulk\n"
        "file.classResources,absent\nfile.courses,absent\nfile.courseResources,absent\n"
        "file.demographics,absent\nfile.enrollments,bulk\nfile.lineItems,absent\n"
        "file.orgs,bulk\nfile.resources,absent\nfile.results,absent\nfile.users,bulk\n"
        "source.systemName,misync-bench\nsource.systemCode,bench\n";
    // orgs.csv: a BOM, LF line ends.
    g.orgs = "\xEF\xBB\xBFsourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n";
    for (int d = 0; d < z.districts; ++d) {
        g.orgs += P + "la" + std::to_string(660 + d) + ",," + kModified + ",\"Cyngor " +
                  std::to_string(660 + d) + ", Sir\",district,LA" + std::to_string(660 + d) + ",\n";
    }
    // users.csv: a BOM, CRLF.
    g.users =
        "\xEF\xBB\xBFsourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,"
        "userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
        "password\r\n";
    g.classes =
        "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
        "location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\r\n";
    g.enrollments =
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
        "primary,beginDate,endDate\r\n";
    const int teacherEnrollments = z.classes;  // one teacher a class
    const int studentEnrollments = z.enrollments - teacherEnrollments;
    int studentSerial = 0;
    int teacherSerial = 0;
    std::uint64_t parentSerial = 0;
    auto enroll = [&](const std::string& cls, const std::string& org, const std::string& user,
                      bool teacher) {
        g.enrollments += P + "e" + std::to_string(++g.enrollmentCount) + ",," + kModified + "," +
                         cls + "," + org + "," + user +
                         (teacher ? ",teacher,true," : ",student,false,") +
                         "2025-09-01,2027-07-23\r\n";
    };
    for (int s = 0; s < z.schools; ++s) {
        const int lea = 660 + static_cast<int>(static_cast<long long>(s) * z.districts / z.schools);
        char dfes[32];
        std::snprintf(dfes, sizeof dfes, "%03d%04d", lea % 1000, 1000 + s % 9000);
        g.dfes.emplace_back(dfes);
        const std::string org = P + "o" + std::string(dfes);
        // The identifier as exports write it: mostly the bare number, sometimes spaced or slashed.
        const std::string identifier = s % 10 == 3   ? std::string(dfes, 3) + " " + (dfes + 3)
                                       : s % 10 == 7 ? std::string(dfes, 3) + "/" + (dfes + 3)
                                                     : std::string(dfes);
        const bool primary = s % 4 == 0;
        g.orgs +=
            org + ",," + kModified + "," +
            csv(std::string(primary ? "Ysgol Gynradd " : "Ysgol Uwchradd ") + pick(kSurnames)) +
            ",school," + identifier + "," + P + "la" + std::to_string(lea) + "\n";
        // Year groups: primary PK, KG, 01…06; secondary 07…13.
        std::vector<std::string> years;
        if (primary) {
            years = {"PK", "KG", "01", "02", "03", "04", "05", "06"};
        } else {
            years = {"07", "08", "09", "10", "11", "12", "13"};
        }
        const int ny = static_cast<int>(years.size());
        const int pupils = share(z.students, z.schools, s);
        const int staff = std::max(1, share(z.teachers, z.schools, s));
        const int classesHere = share(z.classes, z.schools, s);
        // Homerooms of about 30 a year group, the rest scheduled classes spread over the years.
        std::vector<std::vector<std::string>> homerooms(ny), scheduled(ny);
        std::vector<std::string> classIds;
        int made = 0;
        auto addClass = [&](int y, bool homeroom, int n) {
            const std::string id = P + "c" + std::string(dfes) + "-" + std::to_string(made++);
            const auto& subj = kSubjects[n % std::size(kSubjects)];
            const std::string yname = years[y];
            std::string code;
            std::string title;
            if (homeroom) {
                code = yname + static_cast<char>('A' + n % 26) +
                       (n >= 26 ? std::to_string(n / 26) : std::string());
                title = code;
            } else {
                code = yname + "/" + subj[1] + std::to_string(n);
                title = n % 5 == 0 ? yname + " " + subj[0] + ", Set " + std::to_string(n)
                                   : yname + " " + subj[0];
            }
            g.classes +=
                id + ",," + kModified + "," + csv(title) + "," + yname + ",crs-" + subj[1] + "-" +
                yname + "," + code + "," + (homeroom ? "homeroom" : "scheduled") + ",Room " +
                std::to_string(1 + n % 40) + "," + org + ",term-2025," +
                (homeroom ? std::string(",,") : std::string(subj[0]) + "," + subj[1] + ",") +
                (homeroom ? "" : "\"1,2\"") + "\r\n";
            (homeroom ? homerooms : scheduled)[y].push_back(id);
            classIds.push_back(id);
            ++g.classCount;
        };
        for (int y = 0; y < ny; ++y) {
            const int inYear = share(pupils, ny, y);
            for (int h = 0; h < std::max(1, (inYear + 29) / 30) && made < classesHere; ++h) {
                addClass(y, true, h);
            }
        }
        for (int n = 0; made < classesHere; ++n) {
            addClass(n % ny, false, n / ny);
        }
        // Teachers (each class has one, round robin); every 100th school's first teacher also
        // teaches at the next school: "o1,o2" in orgSourcedIds, and a class there.
        std::vector<std::string> staffIds;
        const bool shared = s % 100 == 1 && s + 1 < z.schools;
        for (int t = 0; t < staff; ++t) {
            const std::string id = P + "t" + std::to_string(++teacherSerial);
            staffIds.push_back(id);
            std::string orgs = org;
            if (t == 0 && shared) {
                char next[32];
                const int nextLea =
                    660 + static_cast<int>(static_cast<long long>(s + 1) * z.districts / z.schools);
                std::snprintf(next, sizeof next, "o%03d%04d", nextLea % 1000,
                              1000 + (s + 1) % 9000);
                orgs = csv(org + "," + P + next);
                g.teacherMemberships += 1;
                enroll(P + "c" + std::string(next + 1) + "-0", P + next, id, true);
            }
            const std::string f = pick(kForenames);
            const std::string l = pick(kSurnames);
            g.users += id + ",," + kModified + ",true," + orgs + ",teacher,staff" +
                       std::to_string(teacherSerial) +
                       ",{LA:" + std::to_string(900000 + teacherSerial) + "}," + csv(f) + "," +
                       csv(l) + ",,EWC" + std::to_string(500000 + teacherSerial) + ",staff" +
                       std::to_string(teacherSerial) + "@ysgol.cymru,,,,,\r\n";
        }
        g.teachers += staff;
        g.teacherMemberships += staff;
        for (std::size_t c = 0; c < classIds.size(); ++c) {
            enroll(classIds[c], org, staffIds[c % staffIds.size()], true);
        }
        // Students: a homeroom and scheduled classes of their year; some have a parent user.
        for (int p = 0; p < pupils; ++p) {
            const int y = p % ny;
            const std::string id = P + "u" + std::to_string(++studentSerial);
            char serial[8];
            std::snprintf(serial, sizeof serial, "%05d", p % 100000);
            const std::string body = std::string(dfes) + serial;
            const std::string upn = std::string(1, *core::upnCheckLetter(body)) + body;
            std::string agents;
            if (p % z.parentEvery == 0) {
                const std::string parent = P + "p" + std::to_string(++parentSerial);
                agents = parent;
                g.users += parent + ",," + kModified + ",true," + org + ",parent,,,Rhiant," +
                           csv(pick(kSurnames)) + ",,,rhiant" + std::to_string(parentSerial) +
                           "@example.cymru,,029 2000 0000," + id + ",,\r\n";
                ++g.parents;
            }
            const std::string f = pick(kForenames);
            const std::string l = pick(kSurnames);
            g.users += id + ",," + kModified + ",true," + org + ",student,pupil" +
                       std::to_string(studentSerial) + ",{MIS:" + std::to_string(100000 + p) +
                       "}," + csv(f) + "," + csv(l) + ",," + upn + ",,,," + agents + "," +
                       years[y] + ",\r\n";
            ++g.students;
            const auto& rooms = homerooms[y];
            if (!rooms.empty()) {
                enroll(rooms[(p / ny) % rooms.size()], org, id, false);
            }
            const int want = share(studentEnrollments, z.students, studentSerial - 1) - 1;
            const auto& sched = scheduled[y];
            const int n = std::min<int>(want, static_cast<int>(sched.size()));
            for (int k = 0; k < n; ++k) {
                enroll(sched[(p / ny + k) % sched.size()], org, id, false);
            }
        }
    }
    return g;
}

ors::RawSet rawSet(const Generated& g) {
    ors::RawSet raw;
    auto file = [](const char* name, const std::string& bytes) {
        return ors::RawFile{name, std::string("memory: ") + name, bytes};
    };
    raw.files[0] = file("manifest.csv", g.manifest);
    raw.files[1] = file("orgs.csv", g.orgs);
    raw.files[2] = file("users.csv", g.users);
    raw.files[3] = file("classes.csv", g.classes);
    raw.files[4] = file("enrollments.csv", g.enrollments);
    return raw;
}

double since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double peakRssMb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;  // kB on Linux
}

struct Totals {
    std::uint64_t persons = 0, learners = 0, staff = 0, memberships = 0, groups = 0, rejected = 0;
};

void add(Totals& t, const core::Snapshot& snap) {
    t.persons += snap.persons.size();
    for (const auto& p : snap.persons) {
        (p.role == core::Role::Learner ? t.learners : t.staff) += 1;
    }
    t.memberships += snap.memberships.size();
    t.groups += snap.groups.size();
    t.rejected += snap.rejected.size();
}

// The counts every pass must give; false (and a message) when they do not.
bool check(const char* what, const Totals& t, const Generated& g) {
    const bool ok = t.persons == g.students + g.teacherMemberships && t.learners == g.students &&
                    t.rejected == 0 && t.memberships == g.enrollmentCount &&
                    t.groups == g.classCount;
    if (!ok) {
        std::fprintf(stderr,
                     "%s: MISMATCH: persons %llu (want %llu), learners %llu (want %llu), "
                     "memberships %llu (want %llu), groups %llu (want %llu), rejected %llu\n",
                     what, static_cast<unsigned long long>(t.persons),
                     static_cast<unsigned long long>(g.students + g.teacherMemberships),
                     static_cast<unsigned long long>(t.learners),
                     static_cast<unsigned long long>(g.students),
                     static_cast<unsigned long long>(t.memberships),
                     static_cast<unsigned long long>(g.enrollmentCount),
                     static_cast<unsigned long long>(t.groups),
                     static_cast<unsigned long long>(g.classCount),
                     static_cast<unsigned long long>(t.rejected));
    }
    return ok;
}

// Every school read through the connector over `source` with one fresh cache.
bool endToEnd(const char* label, const fs::path& source, const Generated& g) {
    auto cache = std::make_shared<ors::RosterCache>();
    connectors::OneRosterConnector connector(cache);
    Totals t;
    const auto start = std::chrono::steady_clock::now();
    for (const auto& d : g.dfes) {
        connectors::SchoolSource src;
        src.dfes = d;
        src.source = source.string();
        add(t, connector.read(src));
    }
    const double seconds = since(start);
    const bool ok = check(label, t, g) && cache->parses() == 1;
    std::printf(
        "e2e %s: %zu schools in %.2f s (%.2f ms a school), %zu parse(s), %llu persons, "
        "%llu memberships%s\n",
        label, g.dfes.size(), seconds, seconds * 1e3 / static_cast<double>(g.dfes.size()),
        cache->parses(), static_cast<unsigned long long>(t.persons),
        static_cast<unsigned long long>(t.memberships), ok ? "" : "  ** CHECK FAILED **");
    return ok;
}

int run(int argc, char** argv) {
    CLI::App app{"OneRoster CSV parsing and per-school extraction (docs/performance.md)"};
    Sizes z;
    int repeats = 3;
    std::string out;
    app.add_option("--schools", z.schools);
    app.add_option("--districts", z.districts);
    app.add_option("--students", z.students);
    app.add_option("--teachers", z.teachers);
    app.add_option("--classes", z.classes, "homeroom and scheduled classes in all");
    app.add_option("--enrollments", z.enrollments,
                   "in all (one teacher a class, the rest students)");
    app.add_option("--parent-every", z.parentEvery, "a parent user per this many students");
    app.add_option("--repeats", repeats);
    app.add_option("--seed", z.seed);
    bool longIds = false;
    app.add_flag("--long-ids", longIds, "GUID-length sourcedIds (default: short ids, \"u123\")");
    bool e2eOnly = false;
    app.add_option("--out", out, "also write the set here and read it back through the connector");
    app.add_flag("--e2e-only", e2eOnly,
                 "with --out: write the set, let the generated bytes go and time only the "
                 "connector over DIR (then peak RSS is about the connector's own)");
    CLI11_PARSE(app, argc, argv);
    if (longIds) {
        z.idPrefix = "5b0e3c1a-7d2f-4e6b-9a41-";
    }
    if (z.schools < 1 || z.districts < 1 || z.classes < z.schools || z.parentEvery < 1 ||
        z.students < 1 || z.enrollments < z.classes) {
        std::fprintf(stderr,
                     "need schools, districts, students >= 1, classes >= schools, "
                     "enrollments >= classes\n");
        return 2;
    }

    auto start = std::chrono::steady_clock::now();
    Generated g = generate(z);
    const double mb = static_cast<double>(g.bytes()) / 1e6;
    std::printf(
        "generated in %.1f s: %d schools, %llu students, %llu teachers (%llu teacher "
        "memberships), %llu parents, %llu classes, %llu enrollments; %.1f MB of CSV "
        "(users %.1f, classes %.1f, enrollments %.1f)\n",
        since(start), z.schools, static_cast<unsigned long long>(g.students),
        static_cast<unsigned long long>(g.teachers),
        static_cast<unsigned long long>(g.teacherMemberships),
        static_cast<unsigned long long>(g.parents), static_cast<unsigned long long>(g.classCount),
        static_cast<unsigned long long>(g.enrollmentCount), mb, g.users.size() / 1e6,
        g.classes.size() / 1e6, g.enrollments.size() / 1e6);
    bool ok = true;
    if (!out.empty()) {
        fs::create_directories(out);
        const std::pair<const char*, const std::string*> files[] = {
            {"manifest.csv", &g.manifest},
            {"orgs.csv", &g.orgs},
            {"users.csv", &g.users},
            {"classes.csv", &g.classes},
            {"enrollments.csv", &g.enrollments}};
        for (const auto& [name, bytes] : files) {
            std::ofstream(fs::path(out) / name, std::ios::binary) << *bytes;
        }
    }

    if (e2eOnly && out.empty()) {
        std::fprintf(stderr, "--e2e-only needs --out\n");
        return 2;
    }
    if (e2eOnly) {
        for (auto* bytes : {&g.manifest, &g.orgs, &g.users, &g.classes, &g.enrollments}) {
            std::string().swap(*bytes);
        }
    }
    std::unique_ptr<ors::RosterSet> set;
    for (int r = 1; r <= (e2eOnly ? 0 : repeats); ++r) {
        ors::RawSet raw = rawSet(g);  // copied outside the timing: buildRosterSet takes it
        start = std::chrono::steady_clock::now();
        auto built = std::make_unique<ors::RosterSet>(ors::buildRosterSet(std::move(raw)));
        const double seconds = since(start);
        std::printf(
            "parse %d: %.1f MB in %.2f s, %.1f MB/s (%zu users, %zu classes, %zu "
            "enrollments)\n",
            r, mb, seconds, mb / seconds, built->table(ors::FileKind::Users).rows(),
            built->table(ors::FileKind::Classes).rows(),
            built->table(ors::FileKind::Enrollments).rows());
        if (built->table(ors::FileKind::Enrollments).rows() != g.enrollmentCount) {
            std::fprintf(stderr, "parse: MISMATCH in the enrollments' rows\n");
            ok = false;
        }
        set = std::move(built);
    }
    std::printf("peak RSS after %s: %.0f MB\n", e2eOnly ? "generating" : "parsing", peakRssMb());

    for (int r = 1; r <= (e2eOnly ? 0 : repeats); ++r) {
        Totals t;
        start = std::chrono::steady_clock::now();
        for (const auto& d : g.dfes) {
            connectors::SchoolSource src;
            src.dfes = d;
            add(t, ors::schoolSnapshot(*set, src));
        }
        const double seconds = since(start);
        ok = check("extract", t, g) && ok;
        std::printf(
            "extract %d: %zu schools in %.2f s, %.2f ms a school, %.0f persons/s (%llu "
            "persons, %llu memberships, %llu groups, %llu rejected)\n",
            r, g.dfes.size(), seconds, seconds * 1e3 / static_cast<double>(g.dfes.size()),
            static_cast<double>(t.persons) / seconds, static_cast<unsigned long long>(t.persons),
            static_cast<unsigned long long>(t.memberships),
            static_cast<unsigned long long>(t.groups), static_cast<unsigned long long>(t.rejected));
    }
    set.reset();

    if (!out.empty()) {
        const fs::path dir = fs::absolute(out);
        fs::path zip;
        if (fs::exists("/usr/bin/zip")) {
            zip = dir.parent_path() / (dir.filename().string() + ".zip");
            fs::remove(zip);
            const std::string cmd =
                "/usr/bin/zip -q -j '" + zip.string() + "' '" + (dir / "manifest.csv").string() +
                "' '" + (dir / "orgs.csv").string() + "' '" + (dir / "users.csv").string() + "' '" +
                (dir / "classes.csv").string() + "' '" + (dir / "enrollments.csv").string() + "'";
            if (std::system(cmd.c_str()) != 0) {
                std::fprintf(stderr, "zip failed: %s\n", cmd.c_str());
                zip.clear();
            } else {
                std::printf("zip: %.1f MB\n", static_cast<double>(fs::file_size(zip)) / 1e6);
            }
        }
        for (int r = 1; r <= repeats; ++r) {
            ok = endToEnd("folder", dir, g) && ok;
            if (!zip.empty()) {
                ok = endToEnd("zip", zip, g) && ok;
            }
        }
    }
    std::printf("peak RSS: %.0f MB\n", peakRssMb());
    if (!ok) {
        std::fprintf(stderr, "a check failed: the figures above do not measure what they say\n");
        return 1;
    }
    return 0;
}

}  // namespace
}  // namespace misync::bench

int main(int argc, char** argv) {
    return misync::bench::run(argc, argv);
}
