// Schools are identified by a 7-digit DfES number: 3-digit LA code + 4-digit establishment (SPEC
// §1).
#pragma once

#include <string_view>

namespace misync::core {

bool isValidDfes(std::string_view dfes);

}  // namespace misync::core
