#include "connectors/ctf/ctf.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>
#include <tuple>
#include <unordered_set>

#include "connectors/ctf/ctf_parser.h"
#include "connectors/digest.h"
#include "connectors/source_file.h"
#include "core/errors.h"
#include "core/text.h"

namespace misync::connectors {

namespace {

namespace fs = std::filesystem;

bool isCtfName(const fs::path& path) {
    const std::string name = path.filename().string();
    return !name.empty() && name[0] != '.' && core::iequals(path.extension().string(), ".xml");
}

// The CTFs of a school's source, sorted by name: the `*.xml` files of the folder, or the file
// itself. Throws core::ConnectorError naming the source when it cannot be listed.
std::vector<fs::path> ctfFiles(const SchoolSource& school) {
    const fs::path source(school.source);
    std::error_code ec;
    const auto status = fs::status(source, ec);
    if (ec) {
        throw core::ConnectorError(school.source + ": cannot read the CTF folder: " + ec.message());
    }
    if (fs::is_regular_file(status)) {
        return {source};
    }
    if (!fs::is_directory(status)) {
        throw core::ConnectorError(school.source + ": not a folder of CTF files");
    }
    std::vector<fs::path> out;
    for (fs::directory_iterator it(source, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code entryEc;
        if (it->is_regular_file(entryEc) && isCtfName(it->path())) {
            out.push_back(it->path());
        }
    }
    if (ec) {
        throw core::ConnectorError(school.source + ": cannot read the CTF folder: " + ec.message());
    }
    std::sort(out.begin(), out.end());
    return out;
}

enum class Use { Own, Incoming, Skipped };

// SPEC §6.2 and S5: what a file is to the configured school.
Use useOf(const CtfHeader& h, const SchoolSource& school, const fs::path& path) {
    if (h.sourceSchool == school.dfes) {
        return Use::Own;
    }
    if (h.destSchool == school.dfes) {
        return school.incoming ? Use::Incoming : Use::Skipped;
    }
    throw core::ConnectorError(path.string() + ": S5: this CTF is from school " + h.sourceSchool +
                                   " to school " +
                                   (h.destSchool.empty() ? "(none)" : h.destSchool) +
                                   ", and neither is this school (" + school.dfes + ")",
                               path.filename().string());
}

long long secondsOf(fs::file_time_type t) {
    return std::chrono::duration_cast<std::chrono::seconds>(
               fs::file_time_type::clock::to_sys(t).time_since_epoch())
        .count();
}

std::string isoSeconds(long long s) {
    return isoUtc(
        fs::file_time_type::clock::from_sys(std::chrono::sys_seconds{std::chrono::seconds{s}}));
}

core::Date dateOf(long long seconds) {
    long long days = seconds / 86400;
    if (seconds % 86400 < 0) {
        --days;
    }
    return core::Date::fromDays(static_cast<int>(days));
}

// One file whose learners count, with the time that decides which file is newest.
struct FileRead {
    std::string name;
    long long at = 0;
    CtfPupils pupils;
};

// The header of a file without parsing its pupils: the bytes up to </Header> closed as a CTF.
std::optional<CtfHeader> headerOnly(const fs::path& path, std::string& buffer) {
    readSourceFile(path, buffer);
    const std::size_t end = buffer.find("</Header>");
    if (end == std::string::npos) {
        return std::nullopt;
    }
    buffer.resize(end + 9);
    buffer += "</CTfile>";
    CtfDocument doc(path.filename().string(), buffer, path.string());
    return doc.header();
}

}  // namespace

core::Snapshot CtfConnector::doRead(const SchoolSource& school) {
    const CtfFieldMap fields(school.fields);  // bad configuration fails before any read
    const auto paths = ctfFiles(school);
    if (paths.empty()) {
        throw core::ConnectorError(school.source + ": no CTF files (*.xml) in the folder");
    }
    core::Snapshot snapshot;
    snapshot.complete = school.complete.value_or(false);  // SPEC §6: a CTF is a partial roll
    std::vector<FileRead> reads;
    std::string buffer;
    long long newestAll = 0;
    for (const auto& path : paths) {
        const std::string name = path.filename().string();
        const long long mtime = secondsOf(readSourceFile(path, buffer));
        core::SourceFile file{name, sha256Hex(buffer), 0};
        const CtfDocument doc(name, buffer, path.string());
        const CtfHeader& h = doc.header();
        if (!h.dateTime.empty() && !h.extractedAt) {
            snapshot.warnings.push_back(
                {"invalid_extract_time", name + ": header DateTime '" + h.dateTime +
                                             "' is not a date-time; the file's time is used"});
        }
        const long long at = h.extractedAt.value_or(mtime);
        newestAll = std::max(newestAll, at);
        const Use use = useOf(h, school, path);
        if (use == Use::Skipped) {
            snapshot.warnings.push_back(
                {"incoming_skipped", name + ": a CTF from school " + h.sourceSchool +
                                         " to this school (an incoming transfer), skipped: "
                                         "incoming = true in the school's configuration reads it"});
        } else {
            FileRead r{name, at,
                       doc.pupils(school.dfes,
                                  use == Use::Own ? CtfDirection::Own : CtfDirection::Incoming,
                                  dateOf(at), fields)};
            file.records = r.pupils.records;
            reads.push_back(std::move(r));
        }
        snapshot.files.push_back(std::move(file));
    }
    // Newest first, so that the first file to name a UPN is the one that counts.
    std::sort(reads.begin(), reads.end(), [](const FileRead& a, const FileRead& b) {
        return std::tie(a.at, a.name) > std::tie(b.at, b.name);
    });
    std::unordered_set<std::string> taken;
    long long newestRead = 0;
    for (auto& r : reads) {
        newestRead = std::max(newestRead, r.at);
        std::vector<std::string> named;
        for (auto& p : r.pupils.persons) {
            if (!taken.contains(p.upn)) {
                named.push_back(p.upn);
                snapshot.persons.push_back(std::move(p));
            }
        }
        for (auto& e : r.pupils.rejected) {
            if (e.upn.empty() || !taken.contains(e.upn)) {
                if (!e.upn.empty()) {
                    named.push_back(e.upn);
                }
                snapshot.rejected.push_back(std::move(e));
            }
        }
        // A file's own repeats are its duplicate_upn rejections, not an older file's records.
        taken.insert(std::make_move_iterator(named.begin()), std::make_move_iterator(named.end()));
    }
    snapshot.extractedAt = isoSeconds(reads.empty() ? newestAll : newestRead);
    return snapshot;
}

std::optional<std::vector<core::SourceFile>> CtfConnector::digests(
    const SchoolSource& school) const {
    try {
        std::vector<core::SourceFile> out;
        std::string buffer;
        for (const auto& path : ctfFiles(school)) {
            readSourceFile(path, buffer);
            out.push_back({path.filename().string(), sha256Hex(buffer), 0});
        }
        return out;
    } catch (const core::Error&) {
        return std::nullopt;  // read() will say what is wrong
    }
}

std::optional<std::string> CtfConnector::extractedAt(const SchoolSource& school) const {
    try {
        std::optional<long long> newestRead;
        long long newestAll = 0;
        std::string buffer;
        for (const auto& path : ctfFiles(school)) {
            const long long mtime = secondsOf(fs::last_write_time(path));
            auto h = headerOnly(path, buffer);
            if (!h) {
                return std::nullopt;
            }
            const long long at = h->extractedAt.value_or(mtime);
            newestAll = std::max(newestAll, at);
            if (useOf(*h, school, path) != Use::Skipped) {
                newestRead = std::max(newestRead.value_or(at), at);
            }
        }
        return isoSeconds(newestRead.value_or(newestAll));
    } catch (const std::exception&) {
        return std::nullopt;  // read() will say what is wrong
    }
}

std::optional<std::string> CtfConnector::fingerprint(const SchoolSource& school) const {
    std::vector<fs::path> paths;
    try {
        paths = ctfFiles(school);
    } catch (const core::Error&) {
        return std::nullopt;
    }
    std::string out = school.incoming ? "incoming;" : "";
    for (const auto& path : paths) {
        auto stamp = fileStamp(path);
        if (!stamp) {
            return std::nullopt;
        }
        out += path.filename().string() + ":" + *stamp + ";";
    }
    return out;
}

}  // namespace misync::connectors
