# The libraries of the Windows build (docs/windows.md), included by the top CMakeLists.txt in
# place of its find_package/pkg_check_modules calls when cross-compiling for Windows. Each is
# given the target name the Linux build uses, so the folders' CMakeLists.txt stay as they are:
#  - built from Debian's source packages by windows-service/cross/third_party.sh into
#    MISYNC_WIN_DEPS: SQLite, libsodium, libcsv, pugixml, libzip (+ Debian's mingw zlib),
#    GoogleTest;
#  - header-only, from Debian's (architecture-independent) headers, linked into
#    MISYNC_WIN_HEADERS by build.sh so that no Linux system header is ever seen: Boost (Asio,
#    Beast, JSON: compiled once in boost_json.cpp), spdlog with fmt (header-only), toml++, CLI11;
#  - Windows' own: ODBC (odbc32), sockets (ws2_32, mswsock), the service API (advapi32);
#  - left out (docs/windows.md says what that costs): OpenSSL (TLS on the status endpoint and
#    https notifications; SHA-256 comes from libsodium), libpq (the PostgreSQL directory), ICU
#    (transliteration has a fallback: reconcile/transliterate_win.cpp), libsystemd (replaced by
#    windows-service/).
if(NOT MISYNC_WIN_DEPS OR NOT MISYNC_WIN_HEADERS)
  message(FATAL_ERROR "Windows build: set MISYNC_WIN_DEPS and MISYNC_WIN_HEADERS (windows-service/cross/build.sh does)")
endif()

function(misync_win_lib name)
  cmake_parse_arguments(L "" "" "LIBS;DEFS" ${ARGN})
  add_library(${name} INTERFACE IMPORTED GLOBAL)
  set_target_properties(${name} PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${MISYNC_WIN_DEPS}/include"
    INTERFACE_LINK_LIBRARIES "${L_LIBS}"
    INTERFACE_COMPILE_DEFINITIONS "${L_DEFS}")
endfunction()

set(d ${MISYNC_WIN_DEPS}/lib)
misync_win_lib(PkgConfig::SQLITE3 LIBS ${d}/libsqlite3.a)
misync_win_lib(PkgConfig::SODIUM LIBS ${d}/libsodium.a advapi32 DEFS SODIUM_STATIC)
misync_win_lib(PkgConfig::LIBZIP LIBS ${d}/libzip.a /usr/x86_64-w64-mingw32/lib/libz.a bcrypt)
misync_win_lib(PkgConfig::ODBC LIBS odbc32)
misync_win_lib(pugixml::pugixml LIBS ${d}/libpugixml.a)
set(LIBCSV_LIBRARY ${d}/libcsv.a)
set(LIBCSV_INCLUDE_DIR ${MISYNC_WIN_DEPS}/include)

add_library(misync_win_headers INTERFACE)
target_include_directories(misync_win_headers SYSTEM INTERFACE ${MISYNC_WIN_HEADERS})
target_compile_definitions(misync_win_headers INTERFACE
  FMT_HEADER_ONLY SPDLOG_FMT_EXTERNAL _POSIX_THREAD_SAFE_FUNCTIONS _WIN32_WINNT=0x0A00 WIN32_LEAN_AND_MEAN NOMINMAX)
target_link_libraries(misync_win_headers INTERFACE ws2_32 mswsock)
add_library(spdlog::spdlog ALIAS misync_win_headers)
add_library(tomlplusplus::tomlplusplus ALIAS misync_win_headers)
add_library(CLI11::CLI11 ALIAS misync_win_headers)
# Boost.JSON's library part, compiled once here (header-only use as its docs describe).
add_library(misync_boost_json STATIC ${PROJECT_SOURCE_DIR}/windows-service/cross/boost_json.cpp)
target_link_libraries(misync_boost_json PUBLIC misync_win_headers)
target_compile_definitions(misync_boost_json PUBLIC BOOST_JSON_NO_LIB BOOST_CONTAINER_NO_LIB)
add_library(Boost::json ALIAS misync_boost_json)
# Left out: empty targets, so that linking them is harmless; the code that needs them is not
# built on Windows (MISYNC_NO_OPENSSL, MISYNC_NO_POSTGRESQL, MISYNC_NO_ICU; systemd's code is
# not compiled). OpenSSL::Crypto stands for libsodium, which gives connectors/digest.cpp its
# SHA-256 here.
foreach(t OpenSSL::SSL PkgConfig::LIBPQ PkgConfig::ICU PkgConfig::SYSTEMD)
  add_library(${t} INTERFACE IMPORTED GLOBAL)
endforeach()
add_library(OpenSSL::Crypto INTERFACE IMPORTED GLOBAL)
set_target_properties(OpenSSL::Crypto PROPERTIES INTERFACE_LINK_LIBRARIES PkgConfig::SODIUM)
target_compile_definitions(misync_options INTERFACE
  MISYNC_NO_OPENSSL MISYNC_NO_POSTGRESQL MISYNC_NO_ICU)
target_link_libraries(misync_options INTERFACE misync_win_headers)
# One static program: no DLLs to ship beside misync.exe.
target_link_options(misync_options INTERFACE -static)

if(MISYNC_BUILD_TESTS)
  add_library(GTest::gtest STATIC IMPORTED GLOBAL)
  set_target_properties(GTest::gtest PROPERTIES IMPORTED_LOCATION ${d}/libgtest.a
    INTERFACE_INCLUDE_DIRECTORIES ${MISYNC_WIN_DEPS}/include)
  add_library(GTest::gmock STATIC IMPORTED GLOBAL)
  set_target_properties(GTest::gmock PROPERTIES IMPORTED_LOCATION ${d}/libgmock.a
    INTERFACE_LINK_LIBRARIES GTest::gtest)
  add_library(GTest::gtest_main STATIC IMPORTED GLOBAL)
  set_target_properties(GTest::gtest_main PROPERTIES IMPORTED_LOCATION ${d}/libgtest_main.a
    INTERFACE_LINK_LIBRARIES GTest::gtest)
endif()
