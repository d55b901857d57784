// The machine's parse limit for a generated SIMS dataset (issue 8, docs/performance.md "Limits
// and ratios"): every *.xml under a folder is read once into one reused buffer and parsed in
// place with pugixml (load_buffer_inplace), timed over all files. With --csv DIR it also writes
// the same data as CSV for the import limit (bench/import_limit.sh): accounts.csv,
// usernames.csv, groups.csv and memberships.csv with the columns of the directory's tables
// (schema/sqlite), one row per learner, staff member, group and membership of the dataset.
#include <CLI/CLI.hpp>
#include <pugixml.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fs = std::filesystem;

namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<fs::path> xmlFiles(const fs::path& root) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.is_regular_file() && entry.path().extension() == ".xml") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

// Reads a whole file into buffer (grown, never shrunk); returns its size.
std::size_t readInto(const fs::path& path, std::vector<char>& buffer) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
        throw std::runtime_error("cannot open " + path.string());
    }
    std::fseek(f, 0, SEEK_END);
    const long size = std::ftell(f);
    std::fseek(f, 0, SEEK_SET);
    if (buffer.size() < static_cast<std::size_t>(size) + 1) {
        buffer.resize(static_cast<std::size_t>(size) + 1);
    }
    const std::size_t got = std::fread(buffer.data(), 1, static_cast<std::size_t>(size), f);
    std::fclose(f);
    if (got != static_cast<std::size_t>(size)) {
        throw std::runtime_error("short read of " + path.string());
    }
    return got;
}

std::string csvField(std::string_view v) {
    if (v.find_first_of(",\"\n\r") == std::string_view::npos) {
        return std::string(v);
    }
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    out += '"';
    return out;
}

std::string lowerAscii(std::string_view v) {
    std::string out;
    for (unsigned char c : v) {
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            out += static_cast<char>(c);
        } else if (c >= 'A' && c <= 'Z') {
            out += static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

struct CsvOut {
    std::ofstream accounts, usernames, groups, memberships;
    long long accountCount = 0, groupCount = 0, membershipCount = 0;
};

// One account row with every column of `accounts` after schema version 3, in table order.
void writeAccount(CsvOut& out, long long id, const std::string& username, const char* role,
                  const std::string& school, const pugi::xml_node& r, bool pupil) {
    const auto t = [&](const char* name) { return csvField(r.child_value(name)); };
    const std::string forename = r.child_value("Legal_x0020_Forename");
    const std::string surname = r.child_value("Legal_x0020_Surname");
    const std::string now = "2026-09-10T06:00:00Z";
    std::ofstream& o = out.accounts;
    o << id << ',' << csvField(username) << ',' << role << ",sims-xml," << school << ',' << t("ID")
      << ',' << (pupil ? t("UPN") : "") << ',' << (pupil ? t("Adno") : "") << ','
      << (pupil ? "" : t("Staff_x0020_Code")) << ',' << (pupil ? "" : t("EWC_x0020_Number")) << ','
      << csvField(forename) << ',' << csvField(surname) << ','
      << (pupil ? t("Preferred_x0020_Forename") : "") << ','
      << (pupil ? t("Preferred_x0020_Surname") : "") << ',' << (pupil ? t("DOB") : "") << ','
      << (pupil ? t("Gender") : "") << ',' << (pupil ? t("Year") : "") << ','
      << (pupil ? t("Reg") : "") << ','
      << (pupil ? t("Admission_x0020_Date") : t("Start_x0020_Date")) << ','
      << (pupil ? t("Leaving_x0020_Date") : "") << ',' << (pupil ? t("Enrolment_x0020_Status") : "")
      << ',' << (pupil ? "" : t("Role")) << ',' << (pupil ? "" : t("Title")) << ','
      << csvField(forename + " " + surname)
      << ",active,1,0,0,0,"
      // password_sealed: the length of a sealed password (base64 of nonce + MAC + 12 chars)
      << "c2VhbGVkLXBhc3N3b3JkLXBsYWNlaG9sZGVyLWZvci1iZW5jaC1vbmx5LTAwMDAwMA" << ',' << now << ','
      << now << ",,0,0,\n";
    out.usernames << csvField(username) << ',' << id << ",0," << id << '\n';
}

void writeSchool(CsvOut& out, const fs::path& dir, pugi::xml_document& doc,
                 std::vector<char>& buf) {
    const std::string school = dir.filename().string();
    std::unordered_map<std::string, long long> byId;
    const auto load = [&](const char* name) -> bool {
        const fs::path p = dir / name;
        if (!fs::exists(p)) {
            return false;
        }
        const std::size_t size = readInto(p, buf);
        const auto result = doc.load_buffer_inplace(buf.data(), size);
        if (!result) {
            throw std::runtime_error(p.string() + ": " + result.description());
        }
        return true;
    };
    for (const char* file : {"students.xml", "staff.xml"}) {
        if (!load(file)) {
            continue;
        }
        const bool pupil = std::string_view(file) == "students.xml";
        for (const auto& r : doc.document_element().children("Record")) {
            const long long id = ++out.accountCount;
            const std::string username =
                lowerAscii(r.child_value("Legal_x0020_Surname")) +
                lowerAscii(std::string_view(r.child_value("Legal_x0020_Forename")).substr(0, 1)) +
                std::to_string(id);
            byId[std::string(pupil ? "P" : "S") + r.child_value("ID")] = id;
            writeAccount(out, id, username, pupil ? "learner" : "staff", school, r, pupil);
        }
    }
    if (!load("groups.xml")) {
        return;
    }
    std::string current;
    long long groupId = 0;
    for (const auto& r : doc.document_element().children("Record")) {
        const std::string code = r.child_value("Group");
        if (groupId == 0 || code != current) {
            current = code;
            groupId = ++out.groupCount;
            out.groups << groupId << ',' << school << ',' << csvField(code) << ','
                       << csvField(r.child_value("Group_x0020_Type")) << ','
                       << csvField(r.child_value("Subject")) << ','
                       << csvField(r.child_value("Year")) << ",0\n";
        }
        const std::string member = r.child_value("ID");
        if (member.empty()) {
            continue;
        }
        const bool pupil = std::string_view(r.child_value("Member_x0020_Type")) == "Pupil";
        const auto it = byId.find(std::string(pupil ? "P" : "S") + member);
        if (it == byId.end()) {
            continue;
        }
        out.memberships << groupId << ',' << it->second << '\n';
        ++out.membershipCount;
    }
}

}  // namespace

int main(int argc, char** argv) try {
    CLI::App app{"misync-bench-parse_limit: pugixml in-place parse of a generated SIMS dataset"};
    std::string data;
    std::string csv;
    int repeats = 1;
    app.add_option("data", data, "Dataset folder (e.g. bench/out/day0)")->required();
    app.add_option("--repeats", repeats, "Timed passes over all files")->check(CLI::Range(1, 100));
    app.add_option("--csv", csv, "Also write accounts/usernames/groups/memberships CSVs here");
    CLI11_PARSE(app, argc, argv);

    const auto files = xmlFiles(data);
    std::vector<char> buffer;
    pugi::xml_document doc;
    for (int pass = 1; pass <= repeats; ++pass) {
        std::size_t bytes = 0;
        std::size_t records = 0;
        double parseSeconds = 0;
        const auto start = std::chrono::steady_clock::now();
        for (const auto& f : files) {
            const std::size_t size = readInto(f, buffer);
            bytes += size;
            const auto parseStart = std::chrono::steady_clock::now();
            const auto result = doc.load_buffer_inplace(buffer.data(), size);
            parseSeconds += secondsSince(parseStart);
            if (!result) {
                std::cerr << f << ": " << result.description() << '\n';
                return 1;
            }
            records += static_cast<std::size_t>(
                std::distance(doc.document_element().begin(), doc.document_element().end()));
        }
        const double seconds = secondsSince(start);
        std::printf(
            "pass=%d files=%zu records=%zu MB=%.1f seconds=%.3f MB/s=%.1f "
            "parse_only_seconds=%.3f parse_only_MB/s=%.1f\n",
            pass, files.size(), records, static_cast<double>(bytes) / 1e6, seconds,
            static_cast<double>(bytes) / 1e6 / seconds, parseSeconds,
            static_cast<double>(bytes) / 1e6 / parseSeconds);
    }

    if (!csv.empty()) {
        const auto start = std::chrono::steady_clock::now();
        fs::create_directories(csv);
        CsvOut out;
        out.accounts.open(fs::path(csv) / "accounts.csv");
        out.usernames.open(fs::path(csv) / "usernames.csv");
        out.groups.open(fs::path(csv) / "groups.csv");
        out.memberships.open(fs::path(csv) / "memberships.csv");
        std::vector<fs::path> schools;
        for (const auto& entry : fs::directory_iterator(data)) {
            if (entry.is_directory()) {
                schools.push_back(entry.path());
            }
        }
        std::sort(schools.begin(), schools.end());
        for (const auto& s : schools) {
            writeSchool(out, s, doc, buffer);
        }
        std::printf(
            "csv: accounts=%lld groups=%lld memberships=%lld in %.2f s (untimed for the "
            "limit) -> %s\n",
            out.accountCount, out.groupCount, out.membershipCount, secondsSince(start),
            csv.c_str());
    }
    return 0;
} catch (const std::exception& e) {
    std::cerr << "misync-bench-parse_limit: " << e.what() << '\n';
    return 1;
}
