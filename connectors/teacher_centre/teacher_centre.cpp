#include "connectors/teacher_centre/teacher_centre.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>

#include "connectors/digest.h"
#include "connectors/source_file.h"
#include "connectors/teacher_centre/tc_parser.h"
#include "core/errors.h"
#include "core/text.h"

namespace misync::connectors {

namespace {

namespace fs = std::filesystem;

constexpr TcFileKind kKinds[] = {TcFileKind::Pupils, TcFileKind::Staff, TcFileKind::Groups};

// The configured file name of each file, checking that `files` names only the three.
std::array<std::string, 3> fileNames(const std::map<std::string, std::string>& files) {
    std::array<std::string, 3> names;
    for (TcFileKind kind : kKinds) {
        names[static_cast<std::size_t>(kind)] = defaultFileName(kind);
    }
    for (const auto& [key, name] : files) {
        bool matched = false;
        for (TcFileKind kind : kKinds) {
            if (core::normalizeFieldName(key) == toString(kind)) {
                names[static_cast<std::size_t>(kind)] = name;
                matched = true;
            }
        }
        if (!matched) {
            throw core::ConfigError(
                "files: '" + key + "' is not a teacher-centre file (known: pupils, staff, groups)");
        }
        if (core::trim(name).empty()) {
            throw core::ConfigError("files: '" + key + "' has an empty file name");
        }
    }
    return names;
}

}  // namespace

core::Snapshot TeacherCentreConnector::doRead(const SchoolSource& school) {
    const auto names = fileNames(school.files);
    TeacherCentreParser parser(school.fields);
    core::Snapshot snapshot;
    snapshot.complete = school.complete.value_or(true);  // SPEC §6: a complete roll by default
    std::string buffer;
    fs::file_time_type newest = fs::file_time_type::min();
    for (TcFileKind kind : kKinds) {
        const std::string& name = names[static_cast<std::size_t>(kind)];
        const fs::path path = fs::path(school.source) / name;
        newest = std::max(newest, readSourceFile(path, buffer));
        parser.parse(kind, name, buffer, snapshot, path.string());
    }
    snapshot.extractedAt = isoUtc(newest);
    return snapshot;
}

std::optional<std::vector<core::SourceFile>> TeacherCentreConnector::digests(
    const SchoolSource& school) const {
    try {
        const auto names = fileNames(school.files);
        std::vector<core::SourceFile> out;
        std::string buffer;
        for (const auto& name : names) {
            readSourceFile(fs::path(school.source) / name, buffer);
            out.push_back({name, sha256Hex(buffer), 0});
        }
        return out;
    } catch (const core::Error&) {
        return std::nullopt;  // read() will say what is wrong
    }
}

std::optional<std::string> TeacherCentreConnector::extractedAt(const SchoolSource& school) const {
    try {
        fs::file_time_type newest = fs::file_time_type::min();
        for (const auto& name : fileNames(school.files)) {
            newest = std::max(newest, fs::last_write_time(fs::path(school.source) / name));
        }
        return isoUtc(newest);
    } catch (const std::exception&) {
        return std::nullopt;  // read() will say what is wrong
    }
}

std::optional<std::string> TeacherCentreConnector::fingerprint(const SchoolSource& school) const {
    std::array<std::string, 3> names;
    try {
        names = fileNames(school.files);
    } catch (const core::Error&) {
        return std::nullopt;
    }
    std::string out;
    for (const auto& name : names) {
        const fs::path path = fs::path(school.source) / name;
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
            return std::nullopt;
        }
        out += name + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) +
               "." + std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_ino) + ";";
    }
    return out;
}

}  // namespace misync::connectors
