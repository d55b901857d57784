#include "connectors/odbc/odbc.h"

#ifdef _WIN32
#include <windows.h>  // Windows' own ODBC (odbc32): its headers need the Windows types first
#endif
#include <sql.h>
#include <sqlext.h>

#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "connectors/digest.h"
#include "connectors/records.h"
#include "core/date.h"
#include "core/errors.h"
#include "core/text.h"

namespace misync::connectors {

namespace {

// The most one value may hold before the run fails (the record checks reject anything over
// kMaxFieldBytes; this only stops a runaway column from filling memory).
constexpr std::size_t kMaxValueBytes = std::size_t{16} << 20;

struct QuerySpec {
    const char* key;   // [school.queries] key
    const char* name;  // how messages and the run record name it
    std::optional<core::Role> role;
    std::array<Field, 3> required;
};

constexpr QuerySpec kQueries[] = {
    {"learners",
     "learners query",
     core::Role::Learner,
     {Field::MisId, Field::LegalForename, Field::LegalSurname}},
    {"staff",
     "staff query",
     core::Role::Staff,
     {Field::MisId, Field::LegalForename, Field::LegalSurname}},
    {"memberships",
     "memberships query",
     std::nullopt,
     {Field::GroupCode, Field::GroupType, Field::MemberId}},
};

// An ODBC handle freed when it goes out of scope.
class Handle {
  public:
    Handle(SQLSMALLINT type, SQLHANDLE parent) : type_(type) {
        if (SQLAllocHandle(type, parent, &h_) != SQL_SUCCESS) {
            h_ = SQL_NULL_HANDLE;
        }
    }
    ~Handle() {
        if (h_ != SQL_NULL_HANDLE) {
            if (type_ == SQL_HANDLE_DBC) {
                SQLDisconnect(h_);
            }
            SQLFreeHandle(type_, h_);
        }
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    SQLHANDLE get() const { return h_; }
    SQLSMALLINT type() const { return type_; }

  private:
    SQLSMALLINT type_;
    SQLHANDLE h_ = SQL_NULL_HANDLE;
};

// The driver's diagnostics of `h`, one line each: "[SQLSTATE] message".
std::string diagnostics(const Handle& h) {
    std::string out;
    for (SQLSMALLINT i = 1; i <= 5; ++i) {
        SQLCHAR state[6] = {};
        SQLCHAR text[1024] = {};
        SQLINTEGER native = 0;
        SQLSMALLINT length = 0;
        if (!SQL_SUCCEEDED(
                SQLGetDiagRec(h.type(), h.get(), i, state, &native, text, sizeof text, &length))) {
            break;
        }
        out += out.empty() ? "" : "; ";
        out += "[" + std::string(reinterpret_cast<char*>(state)) + "] " +
               core::sanitizeUtf8(reinterpret_cast<char*>(text));
    }
    return out.empty() ? "no diagnostics from the driver" : out;
}

// Fails the run naming `what` (the query, or "the connection"), never the connection string.
[[noreturn]] void fail(const std::string& what, const std::string& message) {
    throw core::ConnectorError("odbc: " + what + ": " + message, what);
}

void check(SQLRETURN rc, const Handle& h, const std::string& what, const char* step) {
    if (!SQL_SUCCEEDED(rc)) {
        fail(what, std::string(step) + " failed: " + diagnostics(h));
    }
}

// Reads column `col` of the current row as text ("" for NULL).
std::string readValue(const Handle& stmt, SQLUSMALLINT col, const std::string& what,
                      std::uint32_t row) {
    std::string out;
    std::array<char, 4096> chunk{};
    for (;;) {
        SQLLEN indicator = 0;
        SQLRETURN rc =
            SQLGetData(stmt.get(), col, SQL_C_CHAR, chunk.data(), chunk.size(), &indicator);
        if (rc == SQL_NO_DATA) {
            break;
        }
        check(rc, stmt, what, "reading a value");
        if (indicator == SQL_NULL_DATA) {
            return {};
        }
        // A full chunk ends in the driver's NUL; the last one's length is known.
        const std::size_t got =
            (indicator == SQL_NO_TOTAL || indicator >= static_cast<SQLLEN>(chunk.size()))
                ? chunk.size() - 1
                : static_cast<std::size_t>(indicator);
        out.append(chunk.data(), got);
        if (out.size() > kMaxValueBytes) {
            fail(what, "row " + std::to_string(row) + ", column " + std::to_string(col) +
                           ": a value over 16 MiB");
        }
        if (rc == SQL_SUCCESS) {
            break;
        }
    }
    return out;
}

// The result columns of `stmt` mapped to canonical fields (the school's `fields` table first,
// then the canonical names themselves); unknown columns are ignored.
std::vector<std::optional<Field>> columnsOf(const Handle& stmt, const SchoolSource& school,
                                            const QuerySpec& q, const std::string& what) {
    SQLSMALLINT count = 0;
    check(SQLNumResultCols(stmt.get(), &count), stmt, what, "counting the result columns");
    std::vector<std::optional<Field>> out(static_cast<std::size_t>(count));
    std::array<bool, kFieldCount> seen{};
    for (SQLSMALLINT i = 1; i <= count; ++i) {
        SQLCHAR name[256] = {};
        SQLSMALLINT length = 0;
        check(SQLColAttribute(stmt.get(), static_cast<SQLUSMALLINT>(i), SQL_DESC_LABEL, name,
                              sizeof name, &length, nullptr),
              stmt, what, "reading a column name");
        const std::string label = core::normalizeFieldName(reinterpret_cast<char*>(name));
        std::optional<Field> field;
        for (const auto& [canonical, column] : school.fields) {
            if (core::normalizeFieldName(column) == label) {
                field = parseCanonicalField(canonical);
            }
        }
        if (!field) {
            field = parseCanonicalField(label);
        }
        if (field && !seen[static_cast<std::size_t>(*field)]) {
            seen[static_cast<std::size_t>(*field)] = true;
            out[static_cast<std::size_t>(i - 1)] = field;
        }
    }
    for (Field f : q.required) {
        if (!seen[static_cast<std::size_t>(f)]) {
            fail(what, "the result has no column " + std::string(canonicalName(f)) +
                           " (name the columns with the canonical field names, e.g. `SELECT "
                           "… AS " +
                           std::string(canonicalName(f)) + "`; SPEC §6.5)");
        }
    }
    return out;
}

void runQuery(const Handle& dbc, const SchoolSource& school, const QuerySpec& q,
              RecordAssembler& records, core::Snapshot& snapshot) {
    const std::string what = q.name;
    auto sql = school.queries.find(q.key);
    if (sql == school.queries.end() || core::trim(sql->second).empty()) {
        fail(what, std::string("[school.queries] ") + q.key + " is not set");
    }
    Handle stmt(SQL_HANDLE_STMT, dbc.get());
    if (stmt.get() == SQL_NULL_HANDLE) {
        fail(what, "cannot allocate a statement");
    }
    std::string text = sql->second;
    check(SQLPrepare(stmt.get(), reinterpret_cast<SQLCHAR*>(text.data()), SQL_NTS), stmt, what,
          "preparing");
    SQLSMALLINT params = 0;
    if (!SQL_SUCCEEDED(SQLNumParams(stmt.get(), &params))) {
        params = 0;
    }
    std::string dfes = school.dfes;
    SQLLEN dfesLength = SQL_NTS;
    for (SQLSMALLINT i = 1; i <= params; ++i) {
        check(
            SQLBindParameter(stmt.get(), static_cast<SQLUSMALLINT>(i), SQL_PARAM_INPUT, SQL_C_CHAR,
                             SQL_VARCHAR, dfes.size(), 0, dfes.data(), 0, &dfesLength),
            stmt, what, "binding the DfES number");
    }
    check(SQLExecute(stmt.get()), stmt, what, "running");
    const auto columns = columnsOf(stmt, school, q, what);

    std::string digestInput;
    std::uint32_t row = 0;
    for (;;) {
        SQLRETURN rc = SQLFetch(stmt.get());
        if (rc == SQL_NO_DATA) {
            break;
        }
        check(rc, stmt, what, "fetching");
        ++row;
        std::array<std::string, kFieldCount> values;
        FieldValues v;
        for (std::size_t c = 0; c < columns.size(); ++c) {
            if (!columns[c]) {
                continue;
            }
            auto& value = values[static_cast<std::size_t>(*columns[c])];
            value = readValue(stmt, static_cast<SQLUSMALLINT>(c + 1), what, row);
            digestInput += value;
            digestInput += '\x1f';
        }
        digestInput += '\x1e';
        for (std::size_t f = 0; f < kFieldCount; ++f) {
            v.text[f] = core::trim(values[f]);
        }
        if (q.role) {
            records.addPerson(*q.role, v, what, row, snapshot);
        } else {
            records.addMembership(v, what, row, snapshot);
        }
    }
    snapshot.files.push_back(core::SourceFile{what, sha256Hex(digestInput), row});
}

}  // namespace

core::Snapshot OdbcConnector::doRead(const SchoolSource& school) {
    core::Snapshot snapshot;
    snapshot.complete = school.complete.value_or(true);  // SPEC §6: odbc is a complete roll
    snapshot.extractedAt = core::nowIso();  // read now: the database is the MIS itself (S6)

    Handle env(SQL_HANDLE_ENV, SQL_NULL_HANDLE);
    if (env.get() == SQL_NULL_HANDLE) {
        fail("the connection", "cannot allocate an ODBC environment");
    }
    SQLSetEnvAttr(env.get(), SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
    Handle dbc(SQL_HANDLE_DBC, env.get());
    if (dbc.get() == SQL_NULL_HANDLE) {
        fail("the connection", "cannot allocate an ODBC connection");
    }
    SQLSetConnectAttr(dbc.get(), SQL_LOGIN_TIMEOUT, reinterpret_cast<SQLPOINTER>(15), 0);
    std::string connection = school.source;
    SQLCHAR out[1024];
    SQLSMALLINT outLength = 0;
    const SQLRETURN rc =
        SQLDriverConnect(dbc.get(), nullptr, reinterpret_cast<SQLCHAR*>(connection.data()), SQL_NTS,
                         out, sizeof out, &outLength, SQL_DRIVER_NOPROMPT);
    std::fill(connection.begin(), connection.end(), '\0');
    std::fill(std::begin(out), std::end(out), SQLCHAR{0});
    if (!SQL_SUCCEEDED(rc)) {
        fail("the connection", "cannot connect: " + diagnostics(dbc));
    }
    SQLSetConnectAttr(dbc.get(), SQL_ATTR_ACCESS_MODE,
                      reinterpret_cast<SQLPOINTER>(SQL_MODE_READ_ONLY), 0);

    RecordAssembler records;
    records.setPersonFiles(kQueries[0].name, kQueries[1].name);
    for (const auto& q : kQueries) {
        runQuery(dbc, school, q, records, snapshot);
    }
    return snapshot;
}

}  // namespace misync::connectors
