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

}  // namespace misync::core
