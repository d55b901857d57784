#include "connectors/connector.h"
#include "connectors/ctf/ctf.h"
#include "connectors/odbc/odbc.h"
#include "connectors/oneroster/oneroster.h"
#include "connectors/sims_xml/sims_xml.h"
#include "connectors/teacher_centre/teacher_centre.h"

namespace misync::connectors {

void registerBuiltinConnectors(ConnectorRegistry& registry) {
    registry.registerFactory(SimsXmlConnector::kName,
                             [] { return std::make_unique<SimsXmlConnector>(); });
    registry.registerFactory(CtfConnector::kName, [] { return std::make_unique<CtfConnector>(); });
    registry.registerFactory(OdbcConnector::kName,
                             [] { return std::make_unique<OdbcConnector>(); });
    // One cache per registry: every school configured on one OneRoster set shares its parse.
    auto sets = std::make_shared<oneroster::RosterCache>();
    registry.registerFactory(OneRosterConnector::kName,
                             [sets] { return std::make_unique<OneRosterConnector>(sets); });
    registry.registerFactory(TeacherCentreConnector::kName,
                             [] { return std::make_unique<TeacherCentreConnector>(); });
}

}  // namespace misync::connectors
