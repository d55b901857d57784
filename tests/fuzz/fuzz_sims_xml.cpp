// libFuzzer entry point for the sims-xml report parser (SPEC §6.1, R15): arbitrary bytes must
// either parse into a snapshot that keeps the parser's promises or fail with ConnectorError.
// Any other exception, a crash, a sanitizer report or a broken promise (abort) is a bug.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "connectors/record_checks.h"
#include "connectors/sims_xml/sims_parser.h"
#include "core/errors.h"
#include "core/text.h"
#include "core/upn.h"
#include "tests/fuzz/snapshot_invariants.h"

namespace {

using misync::connectors::SimsFileKind;

using misync::fuzz::checkSnapshot;
using misync::fuzz::require;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    // The same bytes play all three reports through one parser, so that a groups report is
    // checked against persons read from (mutations of) the same input.
    misync::connectors::SimsXmlParser parser({});
    misync::core::Snapshot snapshot;
    std::size_t parsed = 0;
    for (SimsFileKind kind : {SimsFileKind::Students, SimsFileKind::Staff, SimsFileKind::Groups}) {
        std::string bytes = input;  // parsed in place
        try {
            parser.parse(kind, "fuzz.xml", bytes, snapshot);
            ++parsed;
        } catch (const misync::core::ConnectorError&) {
            // An unparsable report is an expected outcome; it must leave the snapshot alone.
        }
        require(snapshot.files.size() == parsed);
    }
    misync::connectors::rejectUnusableText(snapshot);  // as Connector::read() does
    checkSnapshot(snapshot);
    return 0;
}
