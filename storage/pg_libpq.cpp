#include "storage/pg_libpq.h"

#include <string>

#include "core/errors.h"
#include "core/shared_library.h"

namespace misync::storage {

namespace {

// Debian's libpq5 (and every libpq since PostgreSQL 8.2) has this soname.
constexpr const char* kLibpq = "libpq.so.5";

template <typename F>
void lookUp(const core::SharedLibrary& lib, F& f, const char* name) {
    if (!lib.find(f, name)) {
        throw core::StoreError(std::string("the PostgreSQL directory needs ") + name + " from " +
                               kLibpq + ", which it lacks (libpq 14 or later is needed)");
    }
}

}  // namespace

std::shared_ptr<const Libpq> Libpq::load() {
    std::string why;
    const auto lib = core::SharedLibrary::open(kLibpq, why);
    if (!lib) {
        throw core::StoreError(std::string("the PostgreSQL directory needs libpq (") + kLibpq +
                               ", Debian's package libpq5), which could not be loaded: " + why);
    }
    auto pq = std::make_shared<Libpq>();
    lookUp(*lib, pq->connectdbParams, "PQconnectdbParams");
    lookUp(*lib, pq->finish, "PQfinish");
    lookUp(*lib, pq->status, "PQstatus");
    lookUp(*lib, pq->transactionStatus, "PQtransactionStatus");
    lookUp(*lib, pq->errorMessage, "PQerrorMessage");
    lookUp(*lib, pq->setNoticeProcessor, "PQsetNoticeProcessor");
    lookUp(*lib, pq->exec, "PQexec");
    lookUp(*lib, pq->prepare, "PQprepare");
    lookUp(*lib, pq->execPrepared, "PQexecPrepared");
    lookUp(*lib, pq->sendQueryPrepared, "PQsendQueryPrepared");
    lookUp(*lib, pq->enterPipelineMode, "PQenterPipelineMode");
    lookUp(*lib, pq->exitPipelineMode, "PQexitPipelineMode");
    lookUp(*lib, pq->pipelineSync, "PQpipelineSync");
    lookUp(*lib, pq->getResult, "PQgetResult");
    lookUp(*lib, pq->resultStatus, "PQresultStatus");
    lookUp(*lib, pq->resultErrorMessage, "PQresultErrorMessage");
    lookUp(*lib, pq->resultErrorField, "PQresultErrorField");
    lookUp(*lib, pq->ntuples, "PQntuples");
    lookUp(*lib, pq->getvalue, "PQgetvalue");
    lookUp(*lib, pq->getlength, "PQgetlength");
    lookUp(*lib, pq->getisnull, "PQgetisnull");
    lookUp(*lib, pq->clear, "PQclear");
    return pq;
}

}  // namespace misync::storage
