#include "connectors/oneroster/manifest.h"

#include "connectors/csv/csv_reader.h"
#include "connectors/records.h"
#include "core/errors.h"
#include "core/text.h"

namespace misync::connectors::oneroster {

std::string_view fileName(FileKind kind) {
    switch (kind) {
        case FileKind::Orgs:
            return "orgs.csv";
        case FileKind::Users:
            return "users.csv";
        case FileKind::Classes:
            return "classes.csv";
        case FileKind::Enrollments:
            return "enrollments.csv";
    }
    return "enrollments.csv";
}

std::string_view toString(Mode mode) {
    switch (mode) {
        case Mode::Bulk:
            return "bulk";
        case Mode::Delta:
            return "delta";
        case Mode::Absent:
            return "absent";
    }
    return "absent";
}

std::optional<FileKind> fileOfProperty(std::string_view property) {
    std::string p = core::normalizeFieldName(property);  // lower case, no spaces or underscores
    if (p.starts_with("files.")) {
        p.erase(0, 6);
    } else if (p.starts_with("file.")) {
        p.erase(0, 5);
    } else {
        return std::nullopt;
    }
    if (p.ends_with(".csv")) {
        p.resize(p.size() - 4);
    }
    for (std::string_view org : {"orgs", "org", "organizations", "organisations"}) {
        if (p == org) {
            return FileKind::Orgs;
        }
    }
    if (p == "users" || p == "user") {
        return FileKind::Users;
    }
    if (p == "classes" || p == "class") {
        return FileKind::Classes;
    }
    for (std::string_view e : {"enrollments", "enrollment", "enrolments", "enrolment"}) {
        if (p == e) {
            return FileKind::Enrollments;
        }
    }
    return std::nullopt;
}

Manifest parseManifest(std::string_view bytes, std::string_view name, std::string_view where) {
    Manifest m;
    std::optional<std::size_t> property;
    std::optional<std::size_t> value;
    csv::readCsv(
        bytes, where,
        [&](const csv::CsvHeader& header) {
            property = header.find("propertyName");
            if (!property) {
                property = header.find("property");
            }
            value = header.find("value");
            if (!property || !value) {
                throw core::ConnectorError(
                    std::string(where) + ": the manifest has no '" +
                        (property ? "value" : "propertyName") +
                        "' column; the header has: " + csv::describeHeader(header),
                    std::string(name));
            }
        },
        [&](const csv::CsvRecord& r) {
            const std::string_view prop = core::trim(r.at(property));
            const std::string text = core::normalizeFieldName(core::trim(r.at(value)));
            if (core::normalizeFieldName(prop) == "oneroster.version") {
                m.version = std::string(core::trim(r.at(value)));
                return;
            }
            auto kind = fileOfProperty(prop);
            if (!kind) {
                return;  // another file, or a property misync has no use for
            }
            std::optional<Mode> mode;
            if (text == "bulk") {
                mode = Mode::Bulk;
            } else if (text == "delta") {
                mode = Mode::Delta;
            } else if (text == "absent") {
                mode = Mode::Absent;
            } else {
                throw core::ConnectorError(std::string(where) + " record " +
                                               std::to_string(r.number) + ": " + quotedValue(prop) +
                                               " is " + quotedValue(core::trim(r.at(value))) +
                                               ", not bulk, delta or absent",
                                           std::string(name));
            }
            auto& slot = m.modes[static_cast<std::size_t>(*kind)];
            if (slot && *slot != *mode) {
                throw core::ConnectorError(
                    std::string(where) + " record " + std::to_string(r.number) + ": " +
                        std::string(fileName(*kind)) + " is both " + std::string(toString(*slot)) +
                        " and " + std::string(toString(*mode)),
                    std::string(name));
            }
            std::string_view stem = fileName(*kind);
            stem.remove_suffix(4);  // ".csv"
            if (core::normalizeFieldName(prop) != "file." + std::string(stem)) {
                m.notes.push_back(std::string(prop));  // read, but not as the standard spells it
            }
            slot = mode;
        });
    return m;
}

}  // namespace misync::connectors::oneroster
