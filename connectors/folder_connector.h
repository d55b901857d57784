// A connector whose school leaves three fixed files in a drop folder (sims-xml, teacher-centre):
// the files' configured names, reading them in order through one format parser, and the
// fingerprint, digests and extract time of the folder (connectors/source_file.h). `Parser` is
// constructed from the school's `fields` and has parse(kind, name, bytes, snapshot, path);
// `Kind` is its enumeration of the three files, with toString() and defaultFileName().
#pragma once

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <string>

#include "connectors/connector.h"
#include "connectors/digest.h"
#include "connectors/source_file.h"
#include "core/errors.h"

namespace misync::connectors {

template <class Parser, class Kind>
class FolderConnector : public Connector {
  public:
    // Size, modification time (ns) and inode of each of the three files; nullopt when one
    // cannot be examined (the full read then reports why).
    std::optional<std::string> fingerprint(const SchoolSource& school) const override {
        try {
            return folderFingerprint(school.source, fileNames(school.files));
        } catch (const core::Error&) {
            return std::nullopt;
        }
    }
    std::optional<std::vector<core::SourceFile>> digests(
        const SchoolSource& school) const override {
        try {
            return folderDigests(school.source, fileNames(school.files));
        } catch (const core::Error&) {
            return std::nullopt;  // read() will say what is wrong
        }
    }
    // The three files read once into memory: hashed, compared with `known`, and parsed from the
    // same bytes only when they differ (issue 8: one read and one hash, not two of each).
    Reading readIfChanged(const SchoolSource& school,
                          const std::vector<core::SourceFile>& known) override {
        Files files;
        try {
            files = load(school);
        } catch (const core::Error&) {
            return {std::nullopt, read(school)};  // read() says what is wrong
        }
        Reading r;
        r.digests.emplace();
        for (std::size_t i = 0; i < files.names.size(); ++i) {
            r.digests->push_back({files.names[i], files.sha256[i], 0});
        }
        if (!sameFiles(*r.digests, known)) {
            r.snapshot = finishRead(school, [&] { return parse(school, files); });
        }
        return r;
    }
    // The newest modification time of the three files (S6), as doRead() gives it.
    std::optional<std::string> extractedAt(const SchoolSource& school) const override {
        try {
            return folderExtractedAt(school.source, fileNames(school.files));
        } catch (const core::Error&) {
            return std::nullopt;  // read() will say what is wrong
        }
    }

  protected:
    // `what` names one of the files in messages ("a sims-xml report").
    FolderConnector(std::string name, std::array<Kind, 3> kinds, std::string_view what)
        : Connector(std::move(name)), kinds_(kinds), what_(what) {}

    // All three files are required, read in order (all three before any is parsed); a complete roll
    // (SPEC §6, R5) unless SchoolSource::complete says otherwise; extractedAt is the newest file
    // time (S6).
    core::Snapshot doRead(const SchoolSource& school) override {
        Files files = load(school);
        return parse(school, files);
    }

  private:
    // The three files in the order they are parsed, as read, with their sha256.
    struct Files {
        std::array<std::string, 3> names;
        std::array<std::string, 3> bytes;
        std::array<std::string, 3> sha256;
        std::filesystem::file_time_type newest = std::filesystem::file_time_type::min();
    };
    Files load(const SchoolSource& school) const {
        const auto names = fileNames(school.files);
        Files files;
        for (std::size_t i = 0; i < kinds_.size(); ++i) {
            files.names[i] = names[static_cast<std::size_t>(kinds_[i])];
            const auto path = std::filesystem::path(school.source) / files.names[i];
            files.newest = std::max(files.newest, readSourceFile(path, files.bytes[i]));
            files.sha256[i] = sha256Hex(files.bytes[i]);
        }
        return files;
    }
    core::Snapshot parse(const SchoolSource& school, Files& files) const {
        Parser parser(school.fields);
        core::Snapshot snapshot;
        snapshot.complete = school.complete.value_or(true);
        for (std::size_t i = 0; i < kinds_.size(); ++i) {
            const auto path = std::filesystem::path(school.source) / files.names[i];
            parser.parse(kinds_[i], files.names[i], files.bytes[i], snapshot, path.string(),
                         files.sha256[i]);
        }
        snapshot.extractedAt = isoUtc(files.newest);
        return snapshot;
    }

    // The configured name of each file, checking that `files` names only the three.
    FileNames fileNames(const std::map<std::string, std::string>& files) const {
        const FileSet set{
            {toString(kinds_[0]), toString(kinds_[1]), toString(kinds_[2])},
            {defaultFileName(kinds_[0]), defaultFileName(kinds_[1]), defaultFileName(kinds_[2])},
            what_};
        return configuredFileNames(set, files);
    }

    std::array<Kind, 3> kinds_;
    std::string_view what_;
};

}  // namespace misync::connectors
