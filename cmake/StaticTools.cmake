# HL_STATIC_TOOLS (ON unless the build is sanitized): hlrun and hlbuild as
# static position-independent executables. A cold `hlrun hello` spent ~1.2 ms
# of its ~4.4 ms before main, in the dynamic loader mapping and relocating
# nine shared libraries; a static-pie binary has none of that and keeps ASLR.
# Debian ships no static libspdlog, libfmt or libtomlplusplus, so in this mode
# the CLI uses the three as header-only libraries (their documented
# alternative); libelf, libz and libseccomp link by name, which the linker
# resolves to their .a for the tools and to their .so for everything else.
# The sanitizer runtimes need dynamic linking: sanitized builds keep it.
if(HL_SANITIZE OR HL_FUZZ)
  set(hl_static_default OFF)
else()
  set(hl_static_default ON)
endif()
option(HL_STATIC_TOOLS "Link hlrun and hlbuild as static-pie executables" ${hl_static_default})
if(HL_STATIC_TOOLS AND (HL_SANITIZE OR HL_FUZZ))
  message(FATAL_ERROR "hl: HL_STATIC_TOOLS=ON cannot be combined with HL_SANITIZE or HL_FUZZ "
                      "(the sanitizer runtimes are shared libraries); configure with -DHL_STATIC_TOOLS=OFF")
endif()

find_package(Threads REQUIRED)
# What the CLI code links for logging, formatting, TOML and options.
add_library(hl_cli_dependencies INTERFACE)
target_link_libraries(hl_cli_dependencies INTERFACE CLI11::CLI11 Threads::Threads)
if(HL_STATIC_TOOLS)
  # What a static link needs, checked now rather than by the linker.
  include(CheckLinkerFlag)
  check_linker_flag(CXX -static-pie HL_HAVE_STATIC_PIE)
  if(NOT HL_HAVE_STATIC_PIE)
    message(FATAL_ERROR "hl: the C++ toolchain cannot link -static-pie executables; "
                        "configure with -DHL_STATIC_TOOLS=OFF, or install g++ 8 or later and libc6-dev")
  endif()
  foreach(archive IN ITEMS libelf.a:libelf-dev libz.a:zlib1g-dev libseccomp.a:libseccomp-dev)
    string(REPLACE ":" ";" pair ${archive})
    list(GET pair 0 file)
    list(GET pair 1 package)
    find_library(HL_STATIC_${file} NAMES ${file})
    if(NOT HL_STATIC_${file})
      message(FATAL_ERROR "hl: ${file} is missing for the static tools; install it with: apt-get install ${package} "
                          "(or configure with -DHL_STATIC_TOOLS=OFF)")
    endif()
  endforeach()
  # spdlog's own header-only target brings fmt as a shared library: its
  # include directory with fmt header-only is what a static link can take.
  get_target_property(hl_spdlog_include spdlog::spdlog_header_only INTERFACE_INCLUDE_DIRECTORIES)
  target_include_directories(hl_cli_dependencies INTERFACE ${hl_spdlog_include})
  target_compile_definitions(hl_cli_dependencies INTERFACE SPDLOG_FMT_EXTERNAL FMT_HEADER_ONLY=1 TOML_HEADER_ONLY=1)
  # By name, where pkg-config says they are: the linker takes the .a for the
  # static tools and the .so for every other program of the build.
  set_property(TARGET PkgConfig::LIBELF PROPERTY INTERFACE_LINK_LIBRARIES ${LIBELF_STATIC_LIBRARIES})
  set_property(TARGET PkgConfig::LIBELF APPEND PROPERTY INTERFACE_LINK_DIRECTORIES ${LIBELF_STATIC_LIBRARY_DIRS})
  set_property(TARGET PkgConfig::LIBSECCOMP PROPERTY INTERFACE_LINK_LIBRARIES ${LIBSECCOMP_STATIC_LIBRARIES})
  set_property(TARGET PkgConfig::LIBSECCOMP APPEND PROPERTY INTERFACE_LINK_DIRECTORIES ${LIBSECCOMP_STATIC_LIBRARY_DIRS})
else()
  target_link_libraries(hl_cli_dependencies INTERFACE spdlog::spdlog tomlplusplus::tomlplusplus)
endif()

function(hl_static_tool target)
  if(HL_STATIC_TOOLS)
    target_link_options(${target} PRIVATE -static-pie)
  endif()
endfunction()
