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

    // All three files are required, read in order; a complete roll (SPEC §6, R5) unless
    // SchoolSource::complete says otherwise; extractedAt is the newest file time (S6).
    core::Snapshot doRead(const SchoolSource& school) override {
        const auto names = fileNames(school.files);
        Parser parser(school.fields);
        core::Snapshot snapshot;
        snapshot.complete = school.complete.value_or(true);
        std::string buffer;
        auto newest = std::filesystem::file_time_type::min();
        for (Kind kind : kinds_) {
            const std::string& name = names[static_cast<std::size_t>(kind)];
            const std::filesystem::path path = std::filesystem::path(school.source) / name;
            newest = std::max(newest, readSourceFile(path, buffer));
            parser.parse(kind, name, buffer, snapshot, path.string());
        }
        snapshot.extractedAt = isoUtc(newest);
        return snapshot;
    }

  private:
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
