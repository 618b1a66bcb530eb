# musl, the full C library of hl guests (hlbuild's libc = "musl") and of the
# test programs that are static Linux executables: Debian's musl-dev (headers,
# crt1.o, crti.o, crtn.o, libc.a) and musl-tools (musl-gcc). Optional: without
# it, libhlmusl.a is not built, hlbuild refuses libc = "musl" with one line
# saying what to install, and the tests that need it say "skipped: ...".
# -DHL_MUSL_INCLUDE_DIR=... -DHL_MUSL_LIB_DIR=... point at another musl;
# -DHL_MUSL=OFF builds without it.
option(HL_MUSL "Build libhlmusl.a, for guests with libc = \"musl\", when musl is installed" ON)
find_program(HL_MUSL_GCC musl-gcc)
find_path(HL_MUSL_INCLUDE_DIR NAMES stdio.h
          PATHS /usr/include/x86_64-linux-musl /usr/lib/musl/include /usr/local/musl/include NO_DEFAULT_PATH)
find_path(HL_MUSL_LIB_DIR NAMES crt1.o
          PATHS /usr/lib/x86_64-linux-musl /usr/lib/musl/lib /usr/local/musl/lib NO_DEFAULT_PATH)
set(HL_MUSL_FOUND OFF)
# musl guests need the Linux personality, which is x86-64's only so far
# (hl-abi(7), AARCH64); the paths above are x86-64's musl too.
if(NOT HL_ARCH STREQUAL "x86_64")
  set(HL_MUSL OFF)
endif()
if(HL_MUSL AND HL_MUSL_INCLUDE_DIR AND HL_MUSL_LIB_DIR)
  set(HL_MUSL_FOUND ON)
  foreach(file crt1.o crti.o crtn.o libc.a)
    if(NOT EXISTS ${HL_MUSL_LIB_DIR}/${file})
      set(HL_MUSL_FOUND OFF)
    endif()
  endforeach()
endif()
if(NOT HL_MUSL_FOUND)
  set(HL_MUSL_GCC HL_MUSL_GCC-NOTFOUND)
  message(STATUS "musl not found (or HL_MUSL=OFF): no libhlmusl.a, so no guests with libc = \"musl\", and "
                 "tests of static Linux executables will be skipped (install musl-dev and musl-tools)")
endif()
