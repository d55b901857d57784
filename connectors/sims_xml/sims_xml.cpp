#include "connectors/sims_xml/sims_xml.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <system_error>

#include "connectors/digest.h"
#include "connectors/sims_xml/sims_parser.h"
#include "core/date.h"
#include "core/errors.h"
#include "core/text.h"

namespace misync::connectors {

namespace {

namespace fs = std::filesystem;

constexpr SimsFileKind kKinds[] = {SimsFileKind::Students, SimsFileKind::Staff,
                                   SimsFileKind::Groups};

[[noreturn]] void cannotRead(const fs::path& path, const std::error_code& ec) {
    throw core::ConnectorError(path.string() + ": cannot read: " + ec.message(),
                               path.filename().string());
}

// Reads a whole file into `buffer`, reusing its capacity from the previous file so that a run
// over many schools does not grow and free a buffer per file. Returns the file's mtime.
fs::file_time_type readFile(const fs::path& path, std::string& buffer) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec) {
        cannotRead(path, ec);
    }
    if (!fs::is_regular_file(status)) {
        throw core::ConnectorError(path.string() + ": cannot read: not a regular file",
                                   path.filename().string());
    }
    const auto mtime = fs::last_write_time(path, ec);
    if (ec) {
        cannotRead(path, ec);
    }
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.string().c_str(), "rb"),
                                                         &std::fclose);
    if (!file) {
        cannotRead(path, std::error_code(errno, std::generic_category()));
    }
    // The size is only a hint. Asking for one byte more lets the usual short read end the loop
    // at once, without a reallocation; a file that grows while it is read is read to its end.
    const auto hint = fs::file_size(path, ec);
    buffer.resize((ec ? 0 : static_cast<std::size_t>(hint)) + 1);
    std::size_t used = std::fread(buffer.data(), 1, buffer.size(), file.get());
    while (used == buffer.size()) {
        buffer.resize(buffer.size() * 2);
        used += std::fread(buffer.data() + used, 1, buffer.size() - used, file.get());
    }
    if (std::ferror(file.get())) {
        cannotRead(path, std::error_code(errno, std::generic_category()));
    }
    buffer.resize(used);
    return mtime;
}

// S6 compares this with the run's time: ISO-8601 UTC to the second.
std::string isoUtc(fs::file_time_type time) {
    namespace chr = std::chrono;
    const auto sys = chr::floor<chr::seconds>(chr::file_clock::to_sys(time));
    const auto day = chr::floor<chr::days>(sys);
    const chr::hh_mm_ss hms{sys - day};
    const auto date = core::Date::fromDays(static_cast<int>(day.time_since_epoch().count()));
    char buf[40];
    std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", date.toString().c_str(),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

// The configured file name of each report, checking that `files` names only the three.
std::array<std::string, 3> fileNames(const std::map<std::string, std::string>& files) {
    std::array<std::string, 3> names;
    for (SimsFileKind kind : kKinds) {
        names[static_cast<std::size_t>(kind)] = defaultFileName(kind);
    }
    for (const auto& [key, name] : files) {
        bool matched = false;
        for (SimsFileKind kind : kKinds) {
            if (core::normalizeFieldName(key) == toString(kind)) {
                names[static_cast<std::size_t>(kind)] = name;
                matched = true;
            }
        }
        if (!matched) {
            throw core::ConfigError("files: '" + key +
                                    "' is not a sims-xml report (known: students, staff, groups)");
        }
        if (core::trim(name).empty()) {
            throw core::ConfigError("files: '" + key + "' has an empty file name");
        }
    }
    return names;
}

}  // namespace

core::Snapshot SimsXmlConnector::doRead(const SchoolSource& school) {
    const auto names = fileNames(school.files);
    SimsXmlParser parser(school.fields);
    core::Snapshot snapshot;
    snapshot.complete = school.complete.value_or(true);
    std::string buffer;
    fs::file_time_type newest = fs::file_time_type::min();
    for (SimsFileKind kind : kKinds) {
        const std::string& name = names[static_cast<std::size_t>(kind)];
        const fs::path path = fs::path(school.source) / name;
        newest = std::max(newest, readFile(path, buffer));
        parser.parse(kind, name, buffer, snapshot, path.string());
    }
    snapshot.extractedAt = isoUtc(newest);
    return snapshot;
}

std::optional<std::vector<core::SourceFile>> SimsXmlConnector::digests(
    const SchoolSource& school) const {
    std::array<std::string, 3> names;
    try {
        names = fileNames(school.files);
        std::vector<core::SourceFile> out;
        std::string buffer;
        for (const auto& name : names) {
            readFile(fs::path(school.source) / name, buffer);
            out.push_back({name, sha256Hex(buffer), 0});
        }
        return out;
    } catch (const core::Error&) {
        return std::nullopt;  // read() will say what is wrong
    }
}

std::optional<std::string> SimsXmlConnector::extractedAt(const SchoolSource& school) const {
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

std::optional<std::string> SimsXmlConnector::fingerprint(const SchoolSource& school) const {
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
