# musl, the full C library of hl guests (hlbuild's libc = "musl") and of the
# test programs that are static Linux executables: Debian's musl-dev (headers,
# crt1.o, crti.o, crtn.o, libc.a) and musl-tools (musl-gcc). Optional: without
# it, libhlmusl.a is not built, hlbuild refuses libc = "musl" with one line
# saying what to install, and the tests that need it say "skipped: ...".
# -DHL_MUSL_INCLUDE_DIR=... -DHL_MUSL_LIB_DIR=... point at another musl;
# -DHL_MUSL=OFF builds without it.
#
# The other architecture's musl (HL_CROSS_GUEST_ARCH, cmake/GuestTargets.cmake)
# is looked for too, in Debian's multiarch paths (musl-dev:arm64 on an amd64
# host, musl-dev:amd64 on an arm64 one): with it, the cross runtime has its
# libhlmusl.a and hlbuild --target builds musl guests for that architecture.
# Sets HL_MUSL_CROSS_FOUND, and HL_MUSL_CROSS_INCLUDE_DIR and HL_MUSL_CROSS_LIB_DIR
# where it is.
option(HL_MUSL "Build libhlmusl.a, for guests with libc = \"musl\", when musl is installed" ON)
# musl-gcc builds the test programs for this host; a cross build (tests/arm64.sh) builds none.
if(NOT CMAKE_CROSSCOMPILING)
  find_program(HL_MUSL_GCC musl-gcc)
endif()
set(musl_triplet ${HL_ARCH}-linux-musl)
find_path(HL_MUSL_INCLUDE_DIR NAMES stdio.h
          PATHS /usr/include/${musl_triplet} /usr/lib/musl/include /usr/local/musl/include NO_DEFAULT_PATH)
find_path(HL_MUSL_LIB_DIR NAMES crt1.o
          PATHS /usr/lib/${musl_triplet} /usr/lib/musl/lib /usr/local/musl/lib NO_DEFAULT_PATH)

# hl_musl_complete(OUT INCLUDE_DIR LIB_DIR): whether both were found and hold what guests link.
function(hl_musl_complete out include_dir lib_dir)
  set(complete OFF)
  if(HL_MUSL AND include_dir AND lib_dir)
    set(complete ON)
    foreach(file crt1.o crti.o crtn.o libc.a)
      if(NOT EXISTS ${lib_dir}/${file})
        set(complete OFF)
      endif()
    endforeach()
  endif()
  set(${out} ${complete} PARENT_SCOPE)
endfunction()

hl_musl_complete(HL_MUSL_FOUND "${HL_MUSL_INCLUDE_DIR}" "${HL_MUSL_LIB_DIR}")
if(NOT HL_MUSL_FOUND)
  set(HL_MUSL_GCC HL_MUSL_GCC-NOTFOUND)
  message(STATUS "musl not found (or HL_MUSL=OFF): no libhlmusl.a, so no guests with libc = \"musl\", and "
                 "tests of static Linux executables will be skipped (install musl-dev and musl-tools)")
endif()

set(musl_triplet ${HL_CROSS_GUEST_ARCH}-linux-musl)
find_path(HL_MUSL_CROSS_INCLUDE_DIR NAMES stdio.h PATHS /usr/include/${musl_triplet} NO_DEFAULT_PATH)
find_path(HL_MUSL_CROSS_LIB_DIR NAMES crt1.o PATHS /usr/lib/${musl_triplet} NO_DEFAULT_PATH)
hl_musl_complete(HL_MUSL_CROSS_FOUND "${HL_MUSL_CROSS_INCLUDE_DIR}" "${HL_MUSL_CROSS_LIB_DIR}")
if(HL_CROSS_GUEST_FOUND AND NOT HL_MUSL_CROSS_FOUND)
  message(STATUS "hl: no musl for ${HL_TARGET_NAME_${HL_CROSS_GUEST_ARCH}} (/usr/lib/${musl_triplet}): hlbuild "
                 "--target ${HL_TARGET_NAME_${HL_CROSS_GUEST_ARCH}} will refuse libc = \"musl\"")
endif()
unset(musl_triplet)
