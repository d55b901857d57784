// Helpers shared by the sims-xml connector tests: building reports in memory and on disk.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <string_view>

#include "connectors/sims_xml/sims_parser.h"
#include "core/model.h"

namespace misync::connectors::testing {

inline std::string report(std::string_view records) {
    return "<?xml version=\"1.0\" standalone=\"yes\"?>\n<SuperStarReport>\n" +
           std::string(records) + "</SuperStarReport>\n";
}

// One <Record> from (element name, text) pairs, in order; names are written as given.
inline std::string record(
    std::initializer_list<std::pair<std::string_view, std::string_view>> cols) {
    std::string out = "<Record>";
    for (const auto& [name, value] : cols) {
        out += "<" + std::string(name) + ">" + std::string(value) + "</" + std::string(name) + ">";
    }
    return out + "</Record>\n";
}

inline std::string learner(std::string_view id, std::string_view forename = "Ann",
                           std::string_view surname = "Jones") {
    return record(
        {{"ID", id}, {"Legal_x0020_Forename", forename}, {"Legal_x0020_Surname", surname}});
}

inline std::string member(std::string_view group, std::string_view id,
                          std::string_view type = "Pupil", std::string_view groupType = "Class") {
    return record({{"Group", group},
                   {"Group_x0020_Type", groupType},
                   {"ID", id},
                   {"Member_x0020_Type", type}});
}

// Parses one report from a string with a fresh parser; throws what the parser throws.
inline core::Snapshot parseOne(SimsFileKind kind, std::string bytes,
                               const std::map<std::string, std::string>& fields = {}) {
    SimsXmlParser parser(fields);
    core::Snapshot snapshot;
    parser.parse(kind, defaultFileName(kind), bytes, snapshot);
    return snapshot;
}

// A drop folder under the system temp directory, removed when the test ends.
class TempDir {
  public:
    TempDir() {
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() /
                ("misync-sims-test-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::string str() const { return path_.string(); }

    void write(const std::string& name, std::string_view bytes) const {
        std::ofstream out(path_ / name, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        ASSERT_TRUE(out.good()) << name;
    }

  private:
    std::filesystem::path path_;
};

}  // namespace misync::connectors::testing
