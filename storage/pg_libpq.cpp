#include "storage/pg_libpq.h"

#include <dlfcn.h>

#include <string>

#include "core/errors.h"

namespace misync::storage {

namespace {

// Debian's libpq5 (and every libpq since PostgreSQL 8.2) has this soname.
constexpr const char* kLibpq = "libpq.so.5";

template <typename F>
void lookUp(void* handle, F& f, const char* name) {
    void* p = ::dlsym(handle, name);
    if (p == nullptr) {
        const char* why = ::dlerror();
        throw core::StoreError(std::string("the PostgreSQL directory needs ") + name + " from " +
                               kLibpq + ", which it lacks (libpq 14 or later is needed)" +
                               (why != nullptr ? std::string(": ") + why : std::string()));
    }
    f = reinterpret_cast<F>(p);
}

}  // namespace

std::shared_ptr<const Libpq> Libpq::load() {
    std::shared_ptr<Libpq> pq(new Libpq());
    pq->handle_ = ::dlopen(kLibpq, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (pq->handle_ == nullptr) {
        const char* why = ::dlerror();
        throw core::StoreError(std::string("the PostgreSQL directory needs libpq (") + kLibpq +
                               ", Debian's package libpq5), which could not be loaded" +
                               (why != nullptr ? std::string(": ") + why : std::string()));
    }
    void* h = pq->handle_;
    lookUp(h, pq->connectdbParams, "PQconnectdbParams");
    lookUp(h, pq->finish, "PQfinish");
    lookUp(h, pq->status, "PQstatus");
    lookUp(h, pq->transactionStatus, "PQtransactionStatus");
    lookUp(h, pq->errorMessage, "PQerrorMessage");
    lookUp(h, pq->setNoticeProcessor, "PQsetNoticeProcessor");
    lookUp(h, pq->exec, "PQexec");
    lookUp(h, pq->prepare, "PQprepare");
    lookUp(h, pq->execPrepared, "PQexecPrepared");
    lookUp(h, pq->sendQueryPrepared, "PQsendQueryPrepared");
    lookUp(h, pq->enterPipelineMode, "PQenterPipelineMode");
    lookUp(h, pq->exitPipelineMode, "PQexitPipelineMode");
    lookUp(h, pq->pipelineSync, "PQpipelineSync");
    lookUp(h, pq->getResult, "PQgetResult");
    lookUp(h, pq->resultStatus, "PQresultStatus");
    lookUp(h, pq->resultErrorMessage, "PQresultErrorMessage");
    lookUp(h, pq->resultErrorField, "PQresultErrorField");
    lookUp(h, pq->ntuples, "PQntuples");
    lookUp(h, pq->getvalue, "PQgetvalue");
    lookUp(h, pq->getlength, "PQgetlength");
    lookUp(h, pq->getisnull, "PQgetisnull");
    lookUp(h, pq->clear, "PQclear");
    return pq;
}

Libpq::~Libpq() {
    if (handle_ != nullptr) {
        ::dlclose(handle_);
    }
}

}  // namespace misync::storage
