// libFuzzer entry point for the Teacher Centre CSV parser (SPEC §6.4, §6 CSV rules, R15):
// arbitrary bytes must either parse into a snapshot that keeps the parser's promises or fail
// with ConnectorError. Any other exception, a crash, a sanitizer report or a broken promise
// (abort) is a bug.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <unordered_set>

#include "connectors/record_checks.h"
#include "connectors/teacher_centre/tc_parser.h"
#include "core/errors.h"
#include "core/text.h"
#include "core/upn.h"
#include "tests/fuzz/snapshot_invariants.h"

namespace {

using misync::connectors::TcFileKind;

using misync::fuzz::checkSnapshot;
using misync::fuzz::require;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    // The same bytes play all three files through one parser, so that a groups file is checked
    // against persons read from (mutations of) the same input. A remapped column too, so that
    // `fields` lookups are exercised.
    misync::connectors::TeacherCentreParser parser({{"reg_group", "Form"}});
    misync::core::Snapshot snapshot;
    std::size_t parsed = 0;
    for (TcFileKind kind : {TcFileKind::Pupils, TcFileKind::Staff, TcFileKind::Groups}) {
        try {
            parser.parse(kind, "fuzz.csv", input, snapshot);
            ++parsed;
        } catch (const misync::core::ConnectorError&) {
            // An unparsable file is an expected outcome; it must leave the snapshot alone.
        }
        require(snapshot.files.size() == parsed);
    }
    misync::connectors::rejectUnusableText(snapshot);  // as Connector::read() does
    checkSnapshot(snapshot);
    return 0;
}
