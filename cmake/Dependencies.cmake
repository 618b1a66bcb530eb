# Finds the Debian 12 packages hl builds on, with a message that names the
# package to install when one is missing.
include(FindPkgConfig)

function(hl_require_package found package)
  if(NOT ${found})
    message(FATAL_ERROR "hl: missing dependency; install it with: apt-get install ${package}")
  endif()
endfunction()

find_package(CLI11 CONFIG QUIET)
hl_require_package(CLI11_FOUND libcli11-dev)
find_package(tomlplusplus CONFIG QUIET)
hl_require_package(tomlplusplus_FOUND libtomlplusplus-dev)
find_package(spdlog CONFIG QUIET)
hl_require_package(spdlog_FOUND libspdlog-dev)
find_package(PkgConfig QUIET)
hl_require_package(PKG_CONFIG_FOUND pkg-config)
pkg_check_modules(LIBELF QUIET IMPORTED_TARGET libelf)
hl_require_package(LIBELF_FOUND libelf-dev)
# The vCPU thread's seccomp filter (libsandbox/src/seccomp_filter.cpp).
pkg_check_modules(LIBSECCOMP QUIET IMPORTED_TARGET libseccomp)
hl_require_package(LIBSECCOMP_FOUND libseccomp-dev)
# hlrun serve's HTTP: Boost.Beast, header-only (Debian's 1.81, whose Asio
# builds as C++20 with GCC 12; the default 1.74 does not).
find_package(Boost 1.81 CONFIG QUIET)
hl_require_package(Boost_FOUND "--no-install-recommends libboost1.81-dev")
# hlrun serve's typed calls take their arguments as JSON; the tests parse
# the JSON traces with it too.
find_package(nlohmann_json 3 CONFIG QUIET)
hl_require_package(nlohmann_json_FOUND nlohmann-json3-dev)
if(BUILD_TESTING OR NOT DEFINED BUILD_TESTING)
  find_package(Catch2 2 CONFIG QUIET)
  hl_require_package(Catch2_FOUND catch2)
endif()
