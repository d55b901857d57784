// One error hierarchy for misync (DESIGN.md pattern 8). Expected outcomes such as a rejected
// record or a held run are values, not exceptions; these are for what stops an operation.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace misync::core {

class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A configuration file or command-line value is wrong (exit status 2).
class ConfigError : public Error {
  public:
    using Error::Error;
};

// A connector could not read or parse a source at all: the school's run fails (R15).
class ConnectorError : public Error {
  public:
    using Error::Error;
    ConnectorError(const std::string& message, std::string file)
        : Error(message), file_(std::move(file)) {}
    // The source file at fault (its name, e.g. "students.xml"), when there is one.
    const std::string& file() const { return file_; }

  private:
    std::string file_;
};

// The directory store failed or its schema is not what this binary expects.
class StoreError : public Error {
  public:
    using Error::Error;
};

// A row the database's own uniqueness refused (UNIQUE or PRIMARY KEY): for a run, a username
// another writer gave first (U3). The database is the final word; the run is planned again.
class ConflictError : public StoreError {
  public:
    using StoreError::StoreError;
};

// A batch of runs (SyncStore::setBatching) was lost whole: it could not be committed, or the
// database rolled it back after an error. Its runs are undone (R14), so a command that reported
// them must stop rather than go on as if they had been written.
class BatchLostError : public StoreError {
  public:
    using StoreError::StoreError;
};

}  // namespace misync::core
