#include "connectors/connector.h"
#include "connectors/ctf/ctf.h"
#include "connectors/sims_xml/sims_xml.h"

namespace misync::connectors {

void registerBuiltinConnectors(ConnectorRegistry& registry) {
    registry.registerFactory(SimsXmlConnector::kName,
                             [] { return std::make_unique<SimsXmlConnector>(); });
    registry.registerFactory(CtfConnector::kName, [] { return std::make_unique<CtfConnector>(); });
}

}  // namespace misync::connectors
