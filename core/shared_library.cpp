#include "core/shared_library.h"

#include <dlfcn.h>

namespace misync::core {

std::optional<SharedLibrary> SharedLibrary::open(const char* soname, std::string& why) {
    void* handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (handle == nullptr) {
        const char* error = ::dlerror();
        why = error != nullptr ? error : "no reason given";
        return std::nullopt;
    }
    return SharedLibrary(handle);
}

void* SharedLibrary::symbol(const char* name) const {
    return ::dlsym(handle_, name);
}

}  // namespace misync::core
