#ifndef _WIN32
#include <pwd.h>
#include <unistd.h>
#else
#include <windows.h>
#endif

#include <cstdlib>
#include <string>

#include "core/text.h"
#include "daemon/commands.h"

namespace misync::daemon {

std::string actorName(const std::string& given) {
    if (std::string_view t = core::trim(given); !t.empty()) {
        return std::string(t);
    }
#ifdef _WIN32
    wchar_t name[257] = {};
    DWORD size = 257;
    if (::GetUserNameW(name, &size) != 0 && size > 1) {
        const int n = ::WideCharToMultiByte(CP_UTF8, 0, name, -1, nullptr, 0, nullptr, nullptr);
        std::string out(static_cast<std::size_t>(n > 0 ? n : 1), '\0');
        ::WideCharToMultiByte(CP_UTF8, 0, name, -1, out.data(), n, nullptr, nullptr);
        out.resize(out.size() - 1);  // the terminating NUL
        return out;
    }
    if (const char* user = std::getenv("USERNAME"); user != nullptr && *user != '\0') {
        return user;
    }
    return "unknown";
#else
    std::string buffer(16384, '\0');
    passwd pw{};
    passwd* found = nullptr;
    if (::getpwuid_r(::geteuid(), &pw, buffer.data(), buffer.size(), &found) == 0 &&
        found != nullptr && found->pw_name != nullptr && *found->pw_name != '\0') {
        return found->pw_name;
    }
    if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') {
        return user;
    }
    return "uid " + std::to_string(::geteuid());
#endif
}

}  // namespace misync::daemon
