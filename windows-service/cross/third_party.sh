#!/usr/bin/env bash
# Builds the C and C++ libraries misync.exe needs that Debian ships for Linux only, with
# mingw-w64, from Debian's own source packages (apt-get source), into PREFIX (include/, lib/):
# SQLite (its amalgamation, made by the source tree's own tools), libsodium, libcsv, pugixml,
# libzip (on Debian's mingw zlib), and GoogleTest (from /usr/src/googletest). Each library is
# built once: PREFIX/stamps/NAME-VERSION says it is there, so a rerun takes seconds.
# docs/windows.md says which libraries are built, replaced or left out, and why.
# Usage: third_party.sh PREFIX WORKDIR
set -euo pipefail
prefix=$(realpath -m "$1")
work=$(realpath -m "$2")
host=x86_64-w64-mingw32
cc=$host-gcc-posix
cxx=$host-g++-posix
ar=$host-ar
mkdir -p "$prefix/include" "$prefix/lib" "$prefix/stamps" "$work"
log() { echo "windows third_party: $*" >&2; }

# The source package NAME's Debian version (the one apt-get source fetches).
srcver() { apt-cache showsrc "$1" | sed -n 's/^Version: //p' | head -1; }

# Unpacks source package $1 into $work/$1 (once) and prints its folder.
unpack() {
    local name=$1 dir
    mkdir -p "$work/$name"
    dir=$(find "$work/$name" -mindepth 1 -maxdepth 1 -type d | head -1)
    if [ -z "$dir" ]; then
        (cd "$work/$name" && apt-get source -qq "$name" >/dev/null 2>&1) || {
            log "apt-get source $name failed (is there a deb-src entry? scripts/deps.sh adds one)"
            exit 1
        }
        dir=$(find "$work/$name" -mindepth 1 -maxdepth 1 -type d | head -1)
    fi
    echo "$dir"
}

done_already() { [ -f "$prefix/stamps/$1" ]; }
stamp() { touch "$prefix/stamps/$1"; }

# SQLite: sqlite3.c is generated from the source tree with its tools (a native configure,
# tclsh); then compiled for Windows with the options Debian's build uses that matter here.
v=$(srcver sqlite3)
if ! done_already "sqlite3-$v"; then
    log "sqlite3 $v"
    d=$(unpack sqlite3)
    if [ ! -f "$d/sqlite3.c" ]; then
        (cd "$d" && ./configure --disable-tcl >/dev/null && make -s sqlite3.c >/dev/null)
    fi
    $cc -O2 -c "$d/sqlite3.c" -o "$work/sqlite3.o" -DSQLITE_THREADSAFE=1 \
        -DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_DEFAULT_FOREIGN_KEYS=0 -DSQLITE_OMIT_LOAD_EXTENSION
    rm -f "$prefix/lib/libsqlite3.a"
    $ar rcs "$prefix/lib/libsqlite3.a" "$work/sqlite3.o"
    cp "$d/sqlite3.h" "$d/sqlite3ext.h" "$prefix/include/"
    stamp "sqlite3-$v"
fi

# libsodium: Debian's source has no generated configure (and autotools are not needed for
# this): every C file compiled as libsodium's own MSVC build does, with the portable code paths
# (no configure-detected CPU extensions), version.h made from its template.
v=$(srcver libsodium)
if ! done_already "libsodium-$v"; then
    log "libsodium $v"
    d=$(unpack libsodium)
    inc="$d/src/libsodium/include"
    ver=$(sed -n 's/^AC_INIT(\[libsodium\],\[\([0-9.]*\)\].*/\1/p' "$d/configure.ac")
    major=$(sed -n 's/^SODIUM_LIBRARY_VERSION_MAJOR=//p' "$d/configure.ac")
    minor=$(sed -n 's/^SODIUM_LIBRARY_VERSION_MINOR=//p' "$d/configure.ac")
    sed -e "s/@VERSION@/$ver/" -e "s/@SODIUM_LIBRARY_VERSION_MAJOR@/$major/" \
        -e "s/@SODIUM_LIBRARY_VERSION_MINOR@/$minor/" -e "s/@SODIUM_LIBRARY_MINIMAL_DEF@//" \
        "$inc/sodium/version.h.in" >"$inc/sodium/version.h"
    rm -rf "$work/sodium-obj" && mkdir -p "$work/sodium-obj"
    i=0
    while IFS= read -r f; do
        i=$((i + 1))
        $cc -O2 -DSODIUM_STATIC -DSODIUM_EXPORT= -DCONFIGURED=1 -I"$inc" -I"$inc/sodium" \
            -c "$f" -o "$work/sodium-obj/$i.o"
    done < <(find "$d/src/libsodium" -name '*.c' | sort)
    rm -f "$prefix/lib/libsodium.a"
    $ar rcs "$prefix/lib/libsodium.a" "$work"/sodium-obj/*.o
    rm -rf "$prefix/include/sodium"
    cp -r "$inc/sodium" "$inc/sodium.h" "$prefix/include/"
    stamp "libsodium-$v"
fi

# libcsv: one C file.
v=$(srcver libcsv)
if ! done_already "libcsv-$v"; then
    log "libcsv $v"
    d=$(unpack libcsv)
    $cc -O2 -c "$d/libcsv.c" -I"$d" -o "$work/libcsv.o"
    rm -f "$prefix/lib/libcsv.a"
    $ar rcs "$prefix/lib/libcsv.a" "$work/libcsv.o"
    cp "$d/csv.h" "$prefix/include/"
    stamp "libcsv-$v"
fi

# pugixml: one C++ file.
v=$(srcver pugixml)
if ! done_already "pugixml-$v"; then
    log "pugixml $v"
    d=$(unpack pugixml)
    $cxx -O2 -std=c++17 -c "$d/src/pugixml.cpp" -o "$work/pugixml.o"
    rm -f "$prefix/lib/libpugixml.a"
    $ar rcs "$prefix/lib/libpugixml.a" "$work/pugixml.o"
    cp "$d/src/pugixml.hpp" "$d/src/pugiconfig.hpp" "$prefix/include/"
    stamp "pugixml-$v"
fi

# libzip: its CMake build, static, on Debian's mingw zlib (libz-mingw-w64-dev); no bzip2,
# lzma, zstd or crypto (OneRoster zips are deflated, unencrypted).
v=$(srcver libzip)
if ! done_already "libzip-$v"; then
    log "libzip $v"
    d=$(unpack libzip)
    rm -rf "$work/zip-build"
    cmake -S "$d" -B "$work/zip-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_TOOLCHAIN_FILE="$(dirname "$(realpath "$0")")/mingw-w64.cmake" \
        -DCMAKE_INSTALL_PREFIX="$prefix" -DBUILD_SHARED_LIBS=OFF -DBUILD_TOOLS=OFF \
        -DBUILD_REGRESS=OFF -DBUILD_EXAMPLES=OFF -DBUILD_DOC=OFF -DENABLE_BZIP2=OFF \
        -DENABLE_LZMA=OFF -DENABLE_ZSTD=OFF -DENABLE_COMMONCRYPTO=OFF -DENABLE_GNUTLS=OFF \
        -DENABLE_MBEDTLS=OFF -DENABLE_OPENSSL=OFF -DENABLE_WINDOWS_CRYPTO=OFF >/dev/null
    cmake --build "$work/zip-build" -j1 >/dev/null
    cmake --install "$work/zip-build" >/dev/null
    stamp "libzip-$v"
fi

# GoogleTest and GoogleMock, from the sources libgtest-dev and libgmock-dev ship.
v=$(dpkg-query -W -f='${Version}' googletest 2>/dev/null || dpkg-query -W -f='${Version}' libgtest-dev)
if ! done_already "googletest-$v"; then
    log "googletest $v"
    g=/usr/src/googletest
    for part in googletest/src/gtest-all.cc googlemock/src/gmock-all.cc \
        googletest/src/gtest_main.cc; do
        $cxx -O1 -std=c++17 -c "$g/$part" -I"$g/googletest" -I"$g/googletest/include" \
            -I"$g/googlemock" -I"$g/googlemock/include" -o "$work/$(basename "$part" .cc).o"
    done
    rm -f "$prefix/lib/libgtest.a" "$prefix/lib/libgmock.a" "$prefix/lib/libgtest_main.a"
    $ar rcs "$prefix/lib/libgtest.a" "$work/gtest-all.o"
    $ar rcs "$prefix/lib/libgmock.a" "$work/gmock-all.o"
    $ar rcs "$prefix/lib/libgtest_main.a" "$work/gtest_main.o"
    rm -rf "$prefix/include/gtest" "$prefix/include/gmock"
    cp -r "$g/googletest/include/gtest" "$g/googlemock/include/gmock" "$prefix/include/"
    stamp "googletest-$v"
fi
log "ready in $prefix"
