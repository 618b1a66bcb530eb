# The architectures hlbuild builds guests for (hlbuild --target), keyed by
# HL_ARCH's spelling: each one's name as hlbuild says it (the directory of its
# runtime, lib/hl/NAME), the GNU triplet its cross compiler is prefixed with,
# the Debian package of that compiler, and its linker script's output format.
# cli/guest_target.cpp holds the same names, triplets and packages for hlbuild.
#
# HL_GUEST_TARGET is the host's, built with the project's C compiler: KVM runs
# guests of the host's architecture only, so it is hlbuild's default target.
# HL_CROSS_GUEST_ARCH is the other one, built with HL_GUEST_CC_<arch> (found
# as TRIPLET-gcc; -DHL_GUEST_CC_aarch64=... names another) when there is one,
# so that hlbuild on this host can also build guests for a host of that kind.
set(HL_TARGET_NAME_x86_64 x86-64)
set(HL_TARGET_NAME_aarch64 aarch64)
set(HL_TARGET_TRIPLET_x86_64 x86_64-linux-gnu)
set(HL_TARGET_TRIPLET_aarch64 aarch64-linux-gnu)
set(HL_TARGET_PACKAGE_x86_64 gcc-x86-64-linux-gnu)
set(HL_TARGET_PACKAGE_aarch64 gcc-aarch64-linux-gnu)
set(HL_LD_OUTPUT_FORMAT_x86_64 elf64-x86-64)
set(HL_LD_OUTPUT_ARCH_x86_64 i386:x86-64)
set(HL_LD_OUTPUT_FORMAT_aarch64 elf64-littleaarch64)
set(HL_LD_OUTPUT_ARCH_aarch64 aarch64)

set(HL_GUEST_TARGET ${HL_TARGET_NAME_${HL_ARCH}})
if(HL_ARCH STREQUAL "x86_64")
  set(HL_CROSS_GUEST_ARCH aarch64)
else()
  set(HL_CROSS_GUEST_ARCH x86_64)
endif()

option(HL_CROSS_GUEST "Build the guest runtime of the other architecture too, where its cross compiler is found" ON)
set(HL_CROSS_GUEST_FOUND OFF)
if(HL_CROSS_GUEST)
  set(triplet ${HL_TARGET_TRIPLET_${HL_CROSS_GUEST_ARCH}})
  find_program(HL_GUEST_CC_${HL_CROSS_GUEST_ARCH} ${triplet}-gcc)
  set(cross_cc ${HL_GUEST_CC_${HL_CROSS_GUEST_ARCH}})
  if(cross_cc)
    # Its archiver, which indexes that architecture's objects (the host's may not).
    get_filename_component(cross_bin ${cross_cc} DIRECTORY)
    find_program(HL_GUEST_AR_${HL_CROSS_GUEST_ARCH} ${triplet}-ar HINTS ${cross_bin})
    if(HL_GUEST_AR_${HL_CROSS_GUEST_ARCH})
      set(HL_CROSS_GUEST_FOUND ON)
    endif()
  endif()
  unset(cross_cc)
  unset(triplet)
endif()
if(NOT HL_CROSS_GUEST_FOUND)
  message(STATUS "hl: no ${HL_TARGET_TRIPLET_${HL_CROSS_GUEST_ARCH}}-gcc (or HL_CROSS_GUEST=OFF): no guest runtime "
                 "for ${HL_TARGET_NAME_${HL_CROSS_GUEST_ARCH}}, so hlbuild --target "
                 "${HL_TARGET_NAME_${HL_CROSS_GUEST_ARCH}} will be refused "
                 "(install ${HL_TARGET_PACKAGE_${HL_CROSS_GUEST_ARCH}})")
endif()
