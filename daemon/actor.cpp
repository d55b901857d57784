#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "core/text.h"
#include "daemon/commands.h"

namespace misync::daemon {

std::string actorName(const std::string& given) {
    if (std::string_view t = core::trim(given); !t.empty()) {
        return std::string(t);
    }
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
}

}  // namespace misync::daemon
