# The guest ABI's numbers, for what the build generates from them (the linker
# script): read from libsandbox/include/hl/abi.h, where they are defined once,
# so that nothing generated can disagree with what host and guest compile.
set(HL_ABI_HEADER ${PROJECT_SOURCE_DIR}/libsandbox/include/hl/abi.h)
# A change to abi.h configures again, so what is generated from it follows.
set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${HL_ABI_HEADER})

# hl_abi_constant(NAME OUT): OUT = the hex value of `#define NAME 0x...u` in
# abi.h, without the C suffix (a linker script takes no `u`).
function(hl_abi_constant name out)
  file(STRINGS ${HL_ABI_HEADER} lines REGEX "^#define ${name} ")
  if(NOT lines MATCHES "^#define ${name} +(0x[0-9A-Fa-f]+)[uUlL]*( |$)")
    message(FATAL_ERROR "hl: ${HL_ABI_HEADER}: expected a line '#define ${name} 0x...'; "
                        "the guest linker script is generated from it")
  endif()
  set(${out} ${CMAKE_MATCH_1} PARENT_SCOPE)
endfunction()
