// Helpers shared by the ctf connector tests: Common Transfer Files (SPEC §6.2) built in memory.
#pragma once

#include <string>
#include <string_view>

#include "core/upn.h"

namespace misync::connectors::testing {

// A valid UPN for a 12-character body (LA, establishment, year, serial).
inline std::string ctfUpn(std::string_view body) {
    return std::string(1, *core::upnCheckLetter(body)) + std::string(body);
}

// One <SchoolHistory><School> entry; empty values are left out.
inline std::string historyEntry(std::string_view dfes, std::string_view entry,
                                std::string_view leaving = "") {
    std::string out = "<School><LEA>" + std::string(dfes.substr(0, 3)) + "</LEA><Estab>" +
                      std::string(dfes.substr(3)) + "</Estab>";
    if (!entry.empty()) {
        out += "<EntryDate>" + std::string(entry) + "</EntryDate>";
    }
    if (!leaving.empty()) {
        out += "<LeavingDate>" + std::string(leaving) + "</LeavingDate>";
    }
    return out + "</School>";
}

struct CtfPupil {
    std::string upn{};
    std::string surname = "Jones";
    std::string forename = "Ann";
    std::string dob = "2014-03-02";
    std::string gender{};
    std::string sex{};
    std::string preferredSurname{};
    std::string preferredForename{};
    std::string year{};
    std::string enrol = "C";
    std::string history{};  // <School> entries (historyEntry())
    std::string extra{};    // more XML inside <Pupil> (contacts, addresses …)
};

inline std::string pupilXml(const CtfPupil& p) {
    auto el = [](std::string_view name, std::string_view value) {
        return value.empty() ? std::string()
                             : "<" + std::string(name) + ">" + std::string(value) + "</" +
                                   std::string(name) + ">";
    };
    return "<Pupil>" + el("UPN", p.upn) + el("Surname", p.surname) + el("Forename", p.forename) +
           el("DOB", p.dob) + el("Gender", p.gender) + el("Sex", p.sex) + "<BasicDetails>" +
           el("PreferredSurname", p.preferredSurname) +
           el("PreferredForename", p.preferredForename) + el("NCyearActual", p.year) +
           el("EnrolStatus", p.enrol) + "</BasicDetails>" + p.extra +
           (p.history.empty() ? "" : "<SchoolHistory>" + p.history + "</SchoolHistory>") +
           "</Pupil>";
}

// A whole CTF from `source` to `dest` (DfES numbers) with <DateTime> `dateTime` (left out when
// empty) and the given <Pupil> elements.
inline std::string ctfXml(std::string_view source, std::string_view dest, std::string_view dateTime,
                          std::string_view pupils) {
    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CTfile><Header>"
        "<DocumentName>Common Transfer File</DocumentName><CTFversion>22.0</CTFversion>";
    if (!dateTime.empty()) {
        out += "<DateTime>" + std::string(dateTime) + "</DateTime>";
    }
    out +=
        "<DocumentQualifier>full</DocumentQualifier><SupplierID>Test MIS</SupplierID>"
        "<SourceSchool><LEA>" +
        std::string(source.substr(0, 3)) + "</LEA><Estab>" + std::string(source.substr(3)) +
        "</Estab><SchoolName>Source</SchoolName><AcademicYear>2026</AcademicYear>"
        "</SourceSchool><DestSchool><LEA>" +
        std::string(dest.substr(0, 3)) + "</LEA><Estab>" + std::string(dest.substr(3)) +
        "</Estab></DestSchool></Header><CTFpupilData>" + std::string(pupils) +
        "</CTFpupilData></CTfile>\n";
    return out;
}

}  // namespace misync::connectors::testing
