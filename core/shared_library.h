// A shared library loaded when it is first needed rather than when misync starts (issue 8,
// docs/performance.md "Fourth pass"): libpq for a PostgreSQL directory, libsystemd for the
// daemon, libzip for a OneRoster .zip. It stays loaded for the rest of the process (RTLD_NODELETE),
// so the functions looked up in it never dangle. Linux only.
#pragma once

#include <optional>
#include <string>

namespace misync::core {

class SharedLibrary {
  public:
    // dlopen() of `soname`; nullopt with the loader's reason in `why` when it cannot be loaded.
    static std::optional<SharedLibrary> open(const char* soname, std::string& why);

    // The function `name` into `f`; false (and `f` untouched) when the library lacks it.
    template <typename F>
    bool find(F& f, const char* name) const {
        void* p = symbol(name);
        if (p == nullptr) {
            return false;
        }
        f = reinterpret_cast<F>(p);
        return true;
    }

  private:
    explicit SharedLibrary(void* handle) : handle_(handle) {}
    void* symbol(const char* name) const;
    void* handle_;
};

}  // namespace misync::core
