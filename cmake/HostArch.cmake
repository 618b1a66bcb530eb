# HL_ARCH: the architecture hl runs guests on, which is the host's (KVM runs
# guests of its own architecture only): x86_64 or aarch64. A cross build
# (CMAKE_SYSTEM_PROCESSOR from a toolchain file) builds hl for that host.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(HL_ARCH x86_64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(HL_ARCH aarch64)
else()
  message(FATAL_ERROR "hl: guests run on x86-64 and aarch64 hosts only; "
                      "CMAKE_SYSTEM_PROCESSOR is '${CMAKE_SYSTEM_PROCESSOR}'")
endif()
