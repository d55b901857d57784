# CMake toolchain for cross-compiling misync for 64-bit Windows with Debian's mingw-w64
# (g++-mingw-w64-x86-64-posix: the POSIX thread model, which std::thread and std::mutex need).
# windows-service/cross/build.sh passes it; docs/windows.md describes the build.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(MISYNC_MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${MISYNC_MINGW_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${MISYNC_MINGW_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${MISYNC_MINGW_TRIPLE}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${MISYNC_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
