#include "connectors/source_file.h"

#ifndef _WIN32
#include <sys/stat.h>
#endif

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <memory>
#include <system_error>

#include "connectors/digest.h"
#include "core/date.h"
#include "core/errors.h"
#include "core/text.h"

namespace misync::connectors {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void cannotRead(const fs::path& path, const std::error_code& ec) {
    throw core::ConnectorError(path.string() + ": cannot read: " + ec.message(),
                               path.filename().string());
}

[[noreturn]] void tooBig(const fs::path& path, std::uintmax_t limit) {
    const std::string size = limit >= (1u << 20) ? std::to_string(limit >> 20) + " MiB"
                                                 : std::to_string(limit) + " bytes";
    throw core::ConnectorError(
        path.string() + ": larger than " + size + ", the most misync reads from one source file",
        path.filename().string());
}

}  // namespace

// Reads a whole file into `buffer`, reusing its capacity from the previous file so that a run
// over many schools does not grow and free a buffer per file. Returns the file's mtime.
fs::file_time_type readSourceFile(const fs::path& path, std::string& buffer, std::uintmax_t limit) {
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
    if (!ec && hint > limit) {
        tooBig(path, limit);
    }
    buffer.resize((ec ? 0 : static_cast<std::size_t>(hint)) + 1);
    std::size_t used = std::fread(buffer.data(), 1, buffer.size(), file.get());
    while (used == buffer.size()) {
        if (used > limit) {
            tooBig(path, limit);  // it grew while being read
        }
        buffer.resize(buffer.size() * 2);
        used += std::fread(buffer.data() + used, 1, buffer.size() - used, file.get());
    }
    if (used > limit) {
        tooBig(path, limit);
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

FileNames configuredFileNames(const FileSet& set, const std::map<std::string, std::string>& files) {
    FileNames names;
    for (std::size_t i = 0; i < names.size(); ++i) {
        names[i] = set.defaults[i];
    }
    for (const auto& [key, name] : files) {
        bool matched = false;
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (core::normalizeFieldName(key) == set.keys[i]) {
                names[i] = name;
                matched = true;
            }
        }
        if (!matched) {
            throw core::ConfigError("files: '" + key + "' is not " + std::string(set.what) +
                                    " (known: " + std::string(set.keys[0]) + ", " +
                                    std::string(set.keys[1]) + ", " + std::string(set.keys[2]) +
                                    ")");
        }
        if (core::trim(name).empty()) {
            throw core::ConfigError("files: '" + key + "' has an empty file name");
        }
    }
    return names;
}

std::optional<std::vector<core::SourceFile>> folderDigests(const fs::path& folder,
                                                           const FileNames& names) {
    try {
        std::vector<core::SourceFile> out;
        std::string buffer;
        for (const auto& name : names) {
            readSourceFile(folder / name, buffer);
            out.push_back({name, sha256Hex(buffer), 0});
        }
        return out;
    } catch (const core::Error&) {
        return std::nullopt;
    }
}

std::optional<std::string> folderExtractedAt(const fs::path& folder, const FileNames& names) {
    try {
        fs::file_time_type newest = fs::file_time_type::min();
        for (const auto& name : names) {
            newest = std::max(newest, fs::last_write_time(folder / name));
        }
        return isoUtc(newest);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::optional<std::string> fileStamp(const fs::path& path) {
#ifndef _WIN32
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return std::nullopt;
    }
    return std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_ino);
#else
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        return std::nullopt;
    }
    const auto size = fs::file_size(path, ec);
    const auto time = fs::last_write_time(path, ec);
    if (ec) {
        return std::nullopt;
    }
    return std::to_string(size) + ":" + std::to_string(time.time_since_epoch().count()) + ":";
#endif
}

std::optional<std::string> folderFingerprint(const fs::path& folder, const FileNames& names) {
    return filesFingerprint(folder, names);
}

std::optional<std::string> filesFingerprint(const fs::path& folder,
                                            std::span<const std::string> names) {
    std::string out;
    for (const auto& name : names) {
        auto stamp = fileStamp(folder / name);
        if (!stamp) {
            return std::nullopt;
        }
        out += name + ":" + *stamp + ";";
    }
    return out;
}

}  // namespace misync::connectors
