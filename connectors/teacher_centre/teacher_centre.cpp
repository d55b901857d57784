#include "connectors/teacher_centre/teacher_centre.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>

#include "connectors/source_file.h"
#include "connectors/teacher_centre/tc_parser.h"
#include "core/errors.h"

namespace misync::connectors {

namespace {

namespace fs = std::filesystem;

constexpr TcFileKind kKinds[] = {TcFileKind::Pupils, TcFileKind::Staff, TcFileKind::Groups};

// The configured name of each file (SPEC §6.4), checking that `files` names only the three.
FileNames fileNames(const std::map<std::string, std::string>& files) {
    const FileSet set{
        {toString(kKinds[0]), toString(kKinds[1]), toString(kKinds[2])},
        {defaultFileName(kKinds[0]), defaultFileName(kKinds[1]), defaultFileName(kKinds[2])},
        "a teacher-centre file"};
    return configuredFileNames(set, files);
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
        return folderDigests(school.source, fileNames(school.files));
    } catch (const core::Error&) {
        return std::nullopt;  // read() will say what is wrong
    }
}

std::optional<std::string> TeacherCentreConnector::extractedAt(const SchoolSource& school) const {
    try {
        return folderExtractedAt(school.source, fileNames(school.files));
    } catch (const core::Error&) {
        return std::nullopt;  // read() will say what is wrong
    }
}

std::optional<std::string> TeacherCentreConnector::fingerprint(const SchoolSource& school) const {
    try {
        return folderFingerprint(school.source, fileNames(school.files));
    } catch (const core::Error&) {
        return std::nullopt;
    }
}

}  // namespace misync::connectors
