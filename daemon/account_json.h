// The account as `accounts list|show --json` print it, shared by the administrator commands so
// that every command shows an account the same way (commands_accounts.cpp).
#pragma once

#include <boost/json.hpp>

#include <string>

#include "daemon/context.h"
#include "storage/directory.h"

namespace misync::daemon {

// P3: password_available is honest: true only when the sealed password opens with the key.
boost::json::object accountJson(Context& ctx, const storage::AccountRow& row);

// P3: the visible password, or "-" when none is available (or it no longer opens).
std::string visiblePassword(Context& ctx, const storage::AccountRow& row);

}  // namespace misync::daemon
