#include "core/school.h"

namespace misync::core {

bool isValidDfes(std::string_view dfes) {
    if (dfes.size() != 7) {
        return false;
    }
    for (char c : dfes) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

}  // namespace misync::core
