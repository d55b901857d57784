// libFuzzer entry point for the OneRoster manifest (SPEC §6.3): any bytes either parse into
// modes for the files misync reads or fail with ConnectorError naming the manifest.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "connectors/oneroster/manifest.h"
#include "core/errors.h"
#include "core/text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    namespace oneroster = misync::connectors::oneroster;
    try {
        const oneroster::Manifest m =
            oneroster::parseManifest(input, "manifest.csv", "set/manifest.csv");
        for (const auto& note : m.notes) {
            // A note names a property read as one of the four files.
            if (!oneroster::fileOfProperty(note)) {
                std::abort();
            }
        }
    } catch (const misync::core::ConnectorError& e) {
        if (std::string(e.what()).find("set/manifest.csv") == std::string::npos ||
            misync::core::sanitizeUtf8(e.what()) != e.what()) {
            std::abort();  // every message names the file, and is valid UTF-8
        }
    }
    return 0;
}
