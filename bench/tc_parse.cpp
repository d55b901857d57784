// misync-bench-tc_parse: parsing throughput of the teacher-centre connector (SPEC §6.4) on a
// synthetic country of Teacher Centre CSV exports at national scale (1,500 schools, 500,000
// pupils, 3,000,000 memberships by default), generated in memory deterministically from a seed,
// with the CSV rules' corners (a BOM, CRLF, quoted names with commas and doubled quotes, D/M/YYYY
// dates). Each school is parsed with a fresh TeacherCentreParser, exactly as the connector does
// after reading its files; the time covers parsing and hashing only. --out DIR also writes the
// files (DIR/<dfes>/{pupils,staff,groups}.csv). A benchmark, never a test: docs/performance.md.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "connectors/teacher_centre/tc_parser.h"

namespace misync::bench {
namespace {

struct SchoolFiles {
    std::string dfes;
    std::string pupils;
    std::string staff;
    std::string groups;
};

constexpr const char* kForenames[] = {
    "Aled", "Bethan", "Carys",           "Dylan", "Efa",  "Ffion", "Gethin", "Huw",
    "Iwan", "Lowri",  "Siân \"\"Si\"\"", "Osian", "Rhys", "Seren", "Tomos",  "Zoë"};
constexpr const char* kSurnames[] = {
    "Jones", "Williams",        "Davies",    "Evans",     "Thomas",    "Roberts",     "Hughes",
    "Lewis", "\"O'Brien, Jr\"", "ap Dafydd", "Pritchard", "Griffiths", "Lloyd-Jones", "Morgan"};

char upnCheck(const std::string& body) {
    static constexpr const char* kLetters = "ABCDEFGHJKLMNPQRTUVWXYZ";
    int sum = 0;
    for (std::size_t i = 0; i < body.size(); ++i) {
        sum += (body[i] - '0') * static_cast<int>(i + 2);
    }
    return kLetters[sum % 23];
}

SchoolFiles makeSchool(int index, int pupils, int staff, int classesPerPupil, std::mt19937& rng) {
    SchoolFiles s;
    char dfes[16];
    std::snprintf(dfes, sizeof dfes, "%03d%04d", 660 + index / 5000, 1000 + index % 5000);
    s.dfes = dfes;
    auto pick = [&](auto& list) {
        return list[std::uniform_int_distribution<std::size_t>(0, std::size(list) - 1)(rng)];
    };
    // A name with doubled quotes is written quoted (the lists hold them already doubled).
    auto name = [&](auto& list) {
        std::string n = pick(list);
        return n.find("\"\"") != std::string::npos && n.front() != '"' ? "\"" + n + "\"" : n;
    };
    s.pupils =
        "\xEF\xBB\xBFUPN,Pupil ID,Admission Number,Legal Forename,Legal Surname,Preferred "
        "Forename,Preferred Surname,Date of Birth,Gender,Year Group,Registration Group,Admission "
        "Date,Leaving Date,Enrolment Status\r\n";
    s.groups = "Group Code,Group Type,Subject Code,Year Group,Member ID,Member Type\r\n";
    for (int p = 0; p < pupils; ++p) {
        const int year = 7 + p % 7;
        std::string body = s.dfes + std::to_string(10 + year) + std::to_string(100 + p % 900);
        body.resize(12, '0');
        const std::string id = "P" + std::to_string(p + 1);
        const std::string reg = std::to_string(year) + static_cast<char>('A' + p % 6);
        const std::string f = name(kForenames);
        s.pupils += (p < 900 ? std::string(1, upnCheck(body)) + body : std::string()) + "," + id +
                    "," + std::to_string(100000 + p) + "," + f + "," + name(kSurnames) + ",,," +
                    std::to_string(1 + p % 28) + "/" + std::to_string(1 + p % 12) + "/" +
                    std::to_string(2019 - year) + "," + (p % 2 ? "F" : "M") + ",Year " +
                    std::to_string(year) + "," + reg + ",1/9/2025,,Single Registration\r\n";
        s.groups += reg + ",Registration,," + std::to_string(year) + "," + id + ",Pupil\r\n";
        for (int c = 0; c < classesPerPupil; ++c) {
            s.groups += std::to_string(year) + "S" + std::to_string(c) + "/" +
                        std::to_string(p % 4) + ",Class,S" + std::to_string(c) + "," +
                        std::to_string(year) + "," + id + ",Pupil\r\n";
        }
    }
    s.staff =
        "Staff ID,Staff Code,Title,Legal Forename,Legal Surname,Preferred Forename,Preferred "
        "Surname,Start Date,Leaving Date,Role,EWC Number\r\n";
    for (int t = 0; t < staff; ++t) {
        s.staff += "T" + std::to_string(t + 1) + ",S" + std::to_string(t) + ",Mx," +
                   name(kForenames) + "," + name(kSurnames) + ",,,01/09/2010,,Teacher," +
                   std::to_string(500000 + t) + "\r\n";
    }
    return s;
}

int run(int argc, char** argv) {
    CLI::App app{"Teacher Centre CSV parsing throughput (docs/performance.md)"};
    int schools = 1500;
    int learners = 500000;
    int staffPerSchool = 25;
    int classes = 5;
    int repeats = 3;
    unsigned seed = 1;
    std::string out;
    app.add_option("--schools", schools);
    app.add_option("--learners", learners);
    app.add_option("--staff-per-school", staffPerSchool);
    app.add_option("--classes-per-pupil", classes);
    app.add_option("--repeats", repeats);
    app.add_option("--seed", seed);
    app.add_option("--out", out, "also write the files here");
    CLI11_PARSE(app, argc, argv);

    std::mt19937 rng(seed);
    std::vector<SchoolFiles> country;
    std::uint64_t bytes = 0;
    for (int i = 0; i < schools; ++i) {
        const int pupils = learners / schools + (i < learners % schools ? 1 : 0);
        country.push_back(makeSchool(i, pupils, staffPerSchool, classes, rng));
        const auto& s = country.back();
        bytes += s.pupils.size() + s.staff.size() + s.groups.size();
        if (!out.empty()) {
            const auto dir = std::filesystem::path(out) / s.dfes;
            std::filesystem::create_directories(dir);
            std::ofstream(dir / "pupils.csv", std::ios::binary) << s.pupils;
            std::ofstream(dir / "staff.csv", std::ios::binary) << s.staff;
            std::ofstream(dir / "groups.csv", std::ios::binary) << s.groups;
        }
    }
    std::printf("generated %d schools, %.1f MB\n", schools, static_cast<double>(bytes) / 1e6);
    for (int r = 0; r < repeats; ++r) {
        std::uint64_t persons = 0;
        std::uint64_t memberships = 0;
        std::uint64_t rejected = 0;
        const auto start = std::chrono::steady_clock::now();
        for (const auto& s : country) {
            connectors::TeacherCentreParser parser;
            core::Snapshot snapshot;
            parser.parse(connectors::TcFileKind::Pupils, "pupils.csv", s.pupils, snapshot);
            parser.parse(connectors::TcFileKind::Staff, "staff.csv", s.staff, snapshot);
            parser.parse(connectors::TcFileKind::Groups, "groups.csv", s.groups, snapshot);
            persons += snapshot.persons.size();
            memberships += snapshot.memberships.size();
            rejected += snapshot.rejected.size();
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("run %d: %.2f s, %.1f MB/s (%llu persons, %llu memberships, %llu rejected)\n",
                    r + 1, seconds, static_cast<double>(bytes) / 1e6 / seconds,
                    static_cast<unsigned long long>(persons),
                    static_cast<unsigned long long>(memberships),
                    static_cast<unsigned long long>(rejected));
    }
    return 0;
}

}  // namespace
}  // namespace misync::bench

int main(int argc, char** argv) {
    return misync::bench::run(argc, argv);
}
