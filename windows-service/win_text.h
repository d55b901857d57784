// Small helpers for the Windows API: UTF-8 ⇄ UTF-16 and the system's text for an error code.
// Windows only (windows-service/).
#pragma once

#include <windows.h>

#include <string>
#include <string_view>

namespace misync::winservice {

std::wstring widen(std::string_view utf8);
std::string narrow(std::wstring_view wide);
// "Access is denied. (5)": FormatMessage's text for `code` (GetLastError()), with the number.
std::string errorText(DWORD code);

}  // namespace misync::winservice
