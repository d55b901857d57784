#include "connectors/ctf/ctf_fields.h"

#include "core/errors.h"
#include "core/text.h"

namespace misync::connectors {

namespace {

struct Defaults {
    CtfField field;
    std::string_view canonical;
    std::array<std::string_view, 2> names;  // an empty second name means "no alternative"
};

// SPEC §6.2: Gender (CTF before 2021) or Sex (its later name).
constexpr std::array<Defaults, kCtfFieldCount> kDefaults{{
    {CtfField::Upn, "upn", {"UPN"}},
    {CtfField::LegalSurname, "legal_surname", {"Surname"}},
    {CtfField::LegalForename, "legal_forename", {"Forename"}},
    {CtfField::Dob, "dob", {"DOB"}},
    {CtfField::Gender, "gender", {"Gender", "Sex"}},
    {CtfField::PreferredSurname, "preferred_surname", {"PreferredSurname"}},
    {CtfField::PreferredForename, "preferred_forename", {"PreferredForename"}},
    {CtfField::YearGroup, "year_group", {"NCyearActual"}},
    {CtfField::EnrolmentStatus, "enrolment_status", {"EnrolStatus"}},
}};

}  // namespace

std::string_view canonicalName(CtfField field) {
    return kDefaults[static_cast<std::size_t>(field)].canonical;
}

std::size_t normalizeInto(std::string_view name, std::array<char, 32>& out) {
    std::size_t n = 0;
    for (char c : name) {
        if (c == ' ' || c == '_' || c == '\t') {
            continue;
        }
        if (n == out.size()) {
            return 0;
        }
        out[n++] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return n;
}

CtfFieldMap::CtfFieldMap(const std::map<std::string, std::string>& fields) {
    std::array<bool, kCtfFieldCount> overridden{};
    for (const auto& [canonical, element] : fields) {
        const std::string key = core::normalizeFieldName(canonical);
        const Defaults* match = nullptr;
        for (const auto& d : kDefaults) {
            if (core::normalizeFieldName(d.canonical) == key) {
                match = &d;
            }
        }
        if (match == nullptr) {
            std::string known;
            for (const auto& d : kDefaults) {
                known.append(known.empty() ? "" : ", ").append(d.canonical);
            }
            throw core::ConfigError("fields: '" + canonical +
                                    "' is not a ctf field (known: " + known + ")");
        }
        std::string normalized = core::normalizeFieldName(core::trim(element));
        if (normalized.empty()) {
            throw core::ConfigError("fields: '" + canonical + "' maps to an empty element name");
        }
        overridden[static_cast<std::size_t>(match->field)] = true;
        entries_.push_back({std::move(normalized), Hit{match->field, 0}});
    }
    for (const auto& d : kDefaults) {
        if (overridden[static_cast<std::size_t>(d.field)]) {
            continue;
        }
        std::uint8_t rank = 0;
        for (std::string_view name : d.names) {
            if (!name.empty()) {
                entries_.push_back({core::normalizeFieldName(name), Hit{d.field, rank++}});
            }
        }
    }
}

std::optional<CtfFieldMap::Hit> CtfFieldMap::find(std::string_view elementName) const {
    std::array<char, 32> buffer{};
    const std::size_t n = normalizeInto(elementName, buffer);
    if (n == 0) {
        return std::nullopt;
    }
    const std::string_view normalized(buffer.data(), n);
    for (const auto& e : entries_) {
        if (e.normalized == normalized) {
            return e.hit;
        }
    }
    return std::nullopt;
}

}  // namespace misync::connectors
