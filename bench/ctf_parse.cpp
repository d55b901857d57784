// misync-bench-ctf_parse: CTF parsing throughput (SPEC §6.2) at national scale. Writes one
// school's own CTF per school (deterministic; pupils carry contacts, an address, assessments
// and a SchoolHistory, as real files do), then reads every school with the ctf connector
// `--repeat` times and prints MB/s and learners/s per pass. A benchmark, never a test: see
// docs/formats-ctf.md for figures.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "connectors/ctf/ctf.h"
#include "core/upn.h"

namespace misync::bench {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSurnames[] = {"Jones",   "Williams", "Davies", "Evans",  "Thomas",
                                     "Roberts", "Hughes",   "Lewis",  "Morgan", "Llŷr-Hughes"};
constexpr const char* kForenames[] = {"Alys",  "Bryn",   "Ceri", "Dafydd", "Elin",
                                      "Ffion", "Gethin", "Siân", "Osian",  "Nia"};

std::string upnFor(const std::string& dfes, unsigned serial) {
    char body[13];
    std::snprintf(body, sizeof body, "%s%02u%03u", dfes.c_str(), 14 + serial / 1000 % 80,
                  serial % 1000);
    return std::string(1, *core::upnCheckLetter(body)) + body;
}

void writeSchool(const fs::path& dir, const std::string& dfes, unsigned first, unsigned count) {
    fs::create_directories(dir);
    std::string x =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CTfile>\n<Header>"
        "<DocumentName>Common Transfer File</DocumentName><CTFversion>22.0</CTFversion>"
        "<DateTime>2026-11-30T16:00:00</DateTime><DocumentQualifier>full"
        "</DocumentQualifier><SupplierID>bench</SupplierID><SourceSchool><LEA>" +
        dfes.substr(0, 3) + "</LEA><Estab>" + dfes.substr(3) +
        "</Estab><SchoolName>Ysgol</SchoolName><AcademicYear>2026</AcademicYear>"
        "</SourceSchool><DestSchool><LEA>MMM</LEA><Estab>MMMM</Estab></DestSchool>"
        "</Header>\n<CTFpupilData>\n";
    for (unsigned i = 0; i < count; ++i) {
        const unsigned n = first + i;
        const std::string sur = kSurnames[n % 10];
        const std::string fore = kForenames[n / 10 % 10];
        x += "<Pupil><UPN>" + upnFor(dfes, i) + "</UPN><Surname>" + sur + "</Surname><Forename>" +
             fore + "</Forename><DOB>2013-05-11</DOB><Sex>" + (n % 2 ? "M" : "F") +
             "</Sex><BasicDetails><PreferredForename>" + fore +
             "</PreferredForename><NCyearActual>" + std::to_string(7 + n % 5) +
             "</NCyearActual><EnrolStatus>C</EnrolStatus><Ethnicity>WBRI</Ethnicity>"
             "</BasicDetails><Addresses><Address><BS7666Address><PAON>" +
             std::to_string(n % 200) +
             "</PAON><Street>Stryd Fawr</Street><Town>Caerdydd</Town><PostCode>CF10 1AA"
             "</PostCode></BS7666Address></Address></Addresses><Contacts>";
        for (int c = 0; c < 2; ++c) {
            x += "<Contact><Order>" + std::to_string(c + 1) + "</Order><Surname>" + sur +
                 "</Surname><Forename>Rhiant</Forename><Relationship>PAR</Relationship>"
                 "<Telephones><Telephone><TelephoneType>H</TelephoneType><TelephoneNumber>"
                 "029 2000 0000</TelephoneNumber></Telephone></Telephones></Contact>";
        }
        x += "</Contacts><StageAssessments><KeyStage><Stage>KS2</Stage><Subject>MAT</Subject>"
             "<Method>TT</Method><Component>TA</Component><ResultStatus>F</ResultStatus>"
             "<ResultQualifier>NV</ResultQualifier><Result>4</Result><ResultDate>2024-07-01"
             "</ResultDate></KeyStage></StageAssessments><SchoolHistory><School><LEA>" +
             dfes.substr(0, 3) + "</LEA><Estab>" + dfes.substr(3) +
             "</Estab><EntryDate>2023-09-04</EntryDate></School></SchoolHistory>"
             "<NAWdetails><SpeakWelsh>Y</SpeakWelsh></NAWdetails></Pupil>\n";
    }
    x += "</CTFpupilData>\n</CTfile>\n";
    std::ofstream(dir / (dfes + "_CTF_MMMMMMM_001.xml"), std::ios::binary) << x;
}

}  // namespace
}  // namespace misync::bench

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    using namespace misync;
    CLI::App app{"CTF parsing throughput (docs/formats-ctf.md)"};
    std::string out;
    unsigned schools = 1500;
    unsigned learners = 500000;
    int repeat = 3;
    app.add_option("--out", out, "folder for the generated CTFs (reused when present)")->required();
    app.add_option("--schools", schools);
    app.add_option("--learners", learners);
    app.add_option("--repeat", repeat);
    CLI11_PARSE(app, argc, argv);

    std::vector<std::string> dfes;
    for (unsigned s = 0; s < schools; ++s) {
        char d[8];
        std::snprintf(d, sizeof d, "%03u%04u", 660 + s % 22, 1000 + s);
        dfes.emplace_back(d);
    }
    std::uintmax_t bytes = 0;
    for (unsigned s = 0; s < schools; ++s) {
        const fs::path dir = fs::path(out) / dfes[s];
        const unsigned count = learners / schools + (s < learners % schools ? 1 : 0);
        if (!fs::exists(dir)) {
            bench::writeSchool(dir, dfes[s], s * 1000, count);
        }
        for (const auto& e : fs::directory_iterator(dir)) {
            bytes += e.file_size();
        }
    }
    connectors::CtfConnector connector;
    for (int pass = 1; pass <= repeat; ++pass) {
        std::size_t persons = 0;
        const auto start = std::chrono::steady_clock::now();
        for (const auto& d : dfes) {
            connectors::SchoolSource src{d, (fs::path(out) / d).string(), {}, {}, {}, false};
            persons += connector.read(src).persons.size();
        }
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("pass %d: %zu learners, %.1f MB in %.2f s: %.1f MB/s, %.0f learners/s\n", pass,
                    persons, static_cast<double>(bytes) / 1e6, s,
                    static_cast<double>(bytes) / 1e6 / s, static_cast<double>(persons) / s);
    }
    return 0;
}
