#include "connectors/oneroster/roster_source.h"

#include <zip.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "connectors/oneroster/manifest.h"
#include "connectors/source_file.h"
#include "core/errors.h"
#ifndef _WIN32
#include "core/shared_library.h"
#endif

namespace misync::connectors::oneroster {

namespace fs = std::filesystem;

namespace {

// The base names looked for, lower case, in RawSet order.
std::array<std::string, kSetFiles> wantedNames() {
    std::array<std::string, kSetFiles> out{"manifest.csv"};
    for (std::size_t i = 0; i < kFileKinds.size(); ++i) {
        out[i + 1] = std::string(fileName(kFileKinds[i]));
    }
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Which of the wanted files `baseName` is, if any.
std::optional<std::size_t> wantedIndex(std::string_view baseName) {
    static const auto kWanted = wantedNames();
    const std::string l = lower(baseName);
    for (std::size_t i = 0; i < kWanted.size(); ++i) {
        if (l == kWanted[i]) {
            return i;
        }
    }
    return std::nullopt;
}

bool isZip(const fs::path& source) {
    std::error_code ec;
    return fs::is_regular_file(source, ec);
}

// The names of the wanted files in a folder, as the folder spells them.
std::array<std::optional<std::string>, kSetFiles> folderNames(const fs::path& folder) {
    std::array<std::optional<std::string>, kSetFiles> out;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (auto i = wantedIndex(name); i && (!out[*i] || name < *out[*i])) {
            out[*i] = name;  // two spellings ("users.csv", "Users.csv"): the first by name
        }
    }
    if (ec) {
        throw core::ConnectorError(folder.string() + ": cannot read: " + ec.message());
    }
    return out;
}

// libzip's functions as readZip() calls them. On Linux libzip is loaded when a OneRoster set
// sent as a .zip is first read, not when misync starts (issue 8: about 0.9 ms a process, which
// every run paid though few schools send zips); the Windows build links it statically.
struct Libzip {
    decltype(&::zip_open) open = nullptr;
    decltype(&::zip_discard) discard = nullptr;
    decltype(&::zip_fclose) fclose = nullptr;
    decltype(&::zip_error_strerror) error_strerror = nullptr;
    decltype(&::zip_error_init_with_code) error_init_with_code = nullptr;
    decltype(&::zip_error_fini) error_fini = nullptr;
    decltype(&::zip_get_num_entries) get_num_entries = nullptr;
    decltype(&::zip_get_name) get_name = nullptr;
    decltype(&::zip_stat_init) stat_init = nullptr;
    decltype(&::zip_stat_index) stat_index = nullptr;
    decltype(&::zip_get_error) get_error = nullptr;
    decltype(&::zip_fopen_index) fopen_index = nullptr;
    decltype(&::zip_fread) fread = nullptr;
    decltype(&::zip_file_get_error) file_get_error = nullptr;
};

Libzip loadLibzip(const fs::path& path) {
    Libzip z;
#ifdef _WIN32
    z.open = &::zip_open;
    z.discard = &::zip_discard;
    z.fclose = &::zip_fclose;
    z.error_strerror = &::zip_error_strerror;
    z.error_init_with_code = &::zip_error_init_with_code;
    z.error_fini = &::zip_error_fini;
    z.get_num_entries = &::zip_get_num_entries;
    z.get_name = &::zip_get_name;
    z.stat_init = &::zip_stat_init;
    z.stat_index = &::zip_stat_index;
    z.get_error = &::zip_get_error;
    z.fopen_index = &::zip_fopen_index;
    z.fread = &::zip_fread;
    z.file_get_error = &::zip_file_get_error;
#else
    std::string why;
    const auto lib = core::SharedLibrary::open("libzip.so.4", why);
    if (!lib) {
        throw core::ConnectorError(
            path.string() + ": reading a .zip needs libzip (libzip.so.4, " +
                "Debian's package libzip4), which could not be loaded: " + why,
            path.filename().string());
    }
    const bool found =
        lib->find(z.open, "zip_open") && lib->find(z.discard, "zip_discard") &&
        lib->find(z.fclose, "zip_fclose") && lib->find(z.error_strerror, "zip_error_strerror") &&
        lib->find(z.error_init_with_code, "zip_error_init_with_code") &&
        lib->find(z.error_fini, "zip_error_fini") &&
        lib->find(z.get_num_entries, "zip_get_num_entries") &&
        lib->find(z.get_name, "zip_get_name") && lib->find(z.stat_init, "zip_stat_init") &&
        lib->find(z.stat_index, "zip_stat_index") && lib->find(z.get_error, "zip_get_error") &&
        lib->find(z.fopen_index, "zip_fopen_index") && lib->find(z.fread, "zip_fread") &&
        lib->find(z.file_get_error, "zip_file_get_error");
    if (!found) {
        throw core::ConnectorError(
            path.string() + ": libzip.so.4 lacks a function misync needs to read a .zip",
            path.filename().string());
    }
#endif
    return z;
}

struct ZipCloser {
    const Libzip* z;
    void operator()(zip_t* zip) const { z->discard(zip); }
};
struct ZipFileCloser {
    const Libzip* z;
    void operator()(zip_file_t* f) const { z->fclose(f); }
};

[[noreturn]] void zipFailed(const Libzip& z, const fs::path& path, std::string_view what,
                            zip_error_t* error) {
    throw core::ConnectorError(
        path.string() + ": " + std::string(what) + ": " + z.error_strerror(error),
        path.filename().string());
}

void readZip(const fs::path& path, RawSet& set) {
    const Libzip z = loadLibzip(path);
    int code = 0;
    std::unique_ptr<zip_t, ZipCloser> zip(z.open(path.string().c_str(), ZIP_RDONLY, &code),
                                          ZipCloser{&z});
    if (!zip) {
        zip_error_t error;
        z.error_init_with_code(&error, code);
        std::string message = z.error_strerror(&error);
        z.error_fini(&error);
        throw core::ConnectorError(path.string() + ": not a readable zip archive: " + message,
                                   path.filename().string());
    }
    const std::string zipName = path.filename().string();
    const zip_int64_t count = z.get_num_entries(zip.get(), 0);
    std::array<zip_uint64_t, kSetFiles> index{};
    for (zip_int64_t i = 0; i < count; ++i) {
        const char* raw = z.get_name(zip.get(), static_cast<zip_uint64_t>(i), 0);
        if (!raw) {
            continue;
        }
        const std::string entry = raw;
        const auto slash = entry.find_last_of('/');
        const std::string base = slash == std::string::npos ? entry : entry.substr(slash + 1);
        if (entry.starts_with("__MACOSX/") || base.starts_with("._")) {
            continue;  // Finder's resource forks beside the real files
        }
        auto w = wantedIndex(base);
        if (!w) {
            continue;
        }
        auto& slot = set.files[*w];
        if (slot) {
            throw core::ConnectorError(path.string() + ": the archive holds " + base + " twice (" +
                                           slot->name.substr(zipName.size() + 1) + " and " + entry +
                                           "): which one is the export?",
                                       zipName);
        }
        slot = RawFile{zipName + "/" + entry, path.string() + ": " + entry, {}};
        index[*w] = static_cast<zip_uint64_t>(i);
    }
    for (std::size_t w = 0; w < kSetFiles; ++w) {
        if (!set.files[w]) {
            continue;
        }
        RawFile& f = *set.files[w];
        zip_stat_t st;
        z.stat_init(&st);
        if (z.stat_index(zip.get(), index[w], 0, &st) != 0) {
            zipFailed(z, path, f.name, z.get_error(zip.get()));
        }
        if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) != 0 && st.encryption_method != ZIP_EM_NONE) {
            throw core::ConnectorError(f.where + ": encrypted; export the set without a password",
                                       zipName);
        }
        std::unique_ptr<zip_file_t, ZipFileCloser> in(z.fopen_index(zip.get(), index[w], 0),
                                                      ZipFileCloser{&z});
        if (!in) {
            zipFailed(z, path, f.name, z.get_error(zip.get()));
        }
        // Read to the end whatever the header says (the CRC is checked there), never past the
        // limit: a bomb's claimed size is not trusted.
        const zip_uint64_t hint = (st.valid & ZIP_STAT_SIZE) != 0 ? st.size : 0;
        f.bytes.resize(static_cast<std::size_t>(std::min<zip_uint64_t>(hint, kMaxSourceFileBytes)) +
                       1);
        std::size_t used = 0;
        for (;;) {
            if (used == f.bytes.size()) {
                if (used > kMaxSourceFileBytes) {
                    throw core::ConnectorError(
                        f.where + ": larger than " + std::to_string(kMaxSourceFileBytes >> 20) +
                            " MiB uncompressed, the most misync reads from one source file",
                        zipName);
                }
                f.bytes.resize(std::min<std::size_t>(used * 2 + 4096, kMaxSourceFileBytes + 1));
            }
            const zip_int64_t n = z.fread(in.get(), f.bytes.data() + used, f.bytes.size() - used);
            if (n < 0) {
                zipFailed(z, path, f.name, z.file_get_error(in.get()));
            }
            if (n == 0) {
                break;
            }
            used += static_cast<std::size_t>(n);
        }
        f.bytes.resize(used);
    }
    std::error_code ec;
    set.newest = fs::last_write_time(path, ec);
}

}  // namespace

RawSet readRawSet(const fs::path& source) {
    RawSet set;
    std::error_code ec;
    const auto status = fs::status(source, ec);
    if (ec || !fs::exists(status)) {
        throw core::ConnectorError(
            source.string() + ": cannot read: " + (ec ? ec.message() : "no such file or folder"));
    }
    if (fs::is_regular_file(status)) {
        readZip(source, set);
        return set;
    }
    if (!fs::is_directory(status)) {
        throw core::ConnectorError(source.string() + ": not a folder or a .zip file");
    }
    const auto names = folderNames(source);
    for (std::size_t w = 0; w < kSetFiles; ++w) {
        if (!names[w]) {
            continue;
        }
        RawFile f{*names[w], (source / *names[w]).string(), {}};
        set.newest = std::max(set.newest, readSourceFile(source / *names[w], f.bytes));
        set.files[w] = std::move(f);
    }
    return set;
}

std::optional<std::string> setFingerprint(const fs::path& source) {
    try {
        if (isZip(source)) {
            return filesFingerprint(source.parent_path(),
                                    std::vector<std::string>{source.filename().string()});
        }
        std::vector<std::string> present;
        for (const auto& n : folderNames(source)) {
            if (n) {
                present.push_back(*n);
            }
        }
        return filesFingerprint(source, present);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::optional<std::string> setExtractedAt(const fs::path& source) {
    try {
        fs::file_time_type newest = fs::file_time_type::min();
        if (isZip(source)) {
            newest = fs::last_write_time(source);
        } else {
            for (const auto& n : folderNames(source)) {
                if (n) {
                    newest = std::max(newest, fs::last_write_time(source / *n));
                }
            }
        }
        if (newest == fs::file_time_type::min()) {
            return std::nullopt;
        }
        return isoUtc(newest);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace misync::connectors::oneroster
