// libpq, loaded when a PostgreSQL directory is opened rather than when misync starts (issue 8):
// libpq brings Kerberos, LDAP and GnuTLS with it, about 25 shared libraries whose loading and
// constructors cost every `misync` process 4 to 6 ms, a tenth of a one-school run, although a
// process with an SQLite directory never calls them. Only the functions the driver uses are
// looked up (docs/postgresql.md). Private to storage/.
#pragma once

#include <libpq-fe.h>

#include <memory>

namespace misync::storage {

struct Libpq {
    // Loads libpq.so.5 (core::SharedLibrary: once per process, kept loaded) and looks up every
    // function below; throws core::StoreError saying what is missing and why.
    static std::shared_ptr<const Libpq> load();

    decltype(&::PQconnectdbParams) connectdbParams = nullptr;
    decltype(&::PQfinish) finish = nullptr;
    decltype(&::PQstatus) status = nullptr;
    decltype(&::PQtransactionStatus) transactionStatus = nullptr;
    decltype(&::PQerrorMessage) errorMessage = nullptr;
    decltype(&::PQsetNoticeProcessor) setNoticeProcessor = nullptr;
    decltype(&::PQexec) exec = nullptr;
    decltype(&::PQprepare) prepare = nullptr;
    decltype(&::PQexecPrepared) execPrepared = nullptr;
    decltype(&::PQsendQueryPrepared) sendQueryPrepared = nullptr;
    decltype(&::PQenterPipelineMode) enterPipelineMode = nullptr;
    decltype(&::PQexitPipelineMode) exitPipelineMode = nullptr;
    decltype(&::PQpipelineSync) pipelineSync = nullptr;
    decltype(&::PQgetResult) getResult = nullptr;
    decltype(&::PQresultStatus) resultStatus = nullptr;
    decltype(&::PQresultErrorMessage) resultErrorMessage = nullptr;
    decltype(&::PQresultErrorField) resultErrorField = nullptr;
    decltype(&::PQntuples) ntuples = nullptr;
    decltype(&::PQgetvalue) getvalue = nullptr;
    decltype(&::PQgetlength) getlength = nullptr;
    decltype(&::PQgetisnull) getisnull = nullptr;
    decltype(&::PQclear) clear = nullptr;
};

}  // namespace misync::storage
