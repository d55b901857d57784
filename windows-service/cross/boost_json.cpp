// Boost.JSON compiled once for the Windows build (windows-service/cross/dependencies.cmake).
#include <boost/json/src.hpp>
