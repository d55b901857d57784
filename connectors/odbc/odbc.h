// The `odbc` connector (SPEC §6.5): reads a school straight from its MIS database through
// unixODBC. The school's `source` is an ODBC connection string (from `source_file` when it holds
// a password); its three queries (learners, staff, memberships) name their result columns with
// the canonical field names and may use `?`, bound to the school's DfES number. The connection
// string is a secret: it is never logged, and errors name the query, never the string.
#pragma once

#include <string>

#include "connectors/connector.h"

namespace misync::connectors {

class OdbcConnector final : public Connector {
  public:
    static constexpr const char* kName = "odbc";
    OdbcConnector() : Connector(kName) {}

  protected:
    core::Snapshot doRead(const SchoolSource& school) override;
};

}  // namespace misync::connectors
