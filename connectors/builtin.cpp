#include "connectors/connector.h"

namespace misync::connectors {

// TODO(issue 2): the sims-xml connector registers here once connectors/sims_xml lands.
void registerBuiltinConnectors(ConnectorRegistry& /*registry*/) {}

}  // namespace misync::connectors
