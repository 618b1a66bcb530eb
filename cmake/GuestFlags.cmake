# The flags every guest object file is compiled with: the runtime's, built
# here (guest-crt), and each guest's, built by `hlbuild compile`. Written once:
# hlbuild has them compiled in (cli/guest_flags.hpp.in), so an hlbuild, in the
# build tree or installed, compiles guests exactly as its libhlcrt.a was.
#   -ffreestanding -nostdinc   no hosted libc: hl's headers and the compiler's own only
#   -fno-stack-protector       no canary: a guest has no TLS for __stack_chk_guard
#   -fstack-clash-protection   a frame larger than a page is probed a page at a
#                              time, so it faults on the stack guard page instead
#                              of stepping over it into the heap (hl-abi(7))
#   -fno-pic -fno-pie -mcmodel=small
#                              a static ET_EXEC linked low (guest.ld)
#   -fno-asynchronous-unwind-tables
#                              no .eh_frame, which guest.ld discards anyway
#   -fno-omit-frame-pointer    RBP (x29 on aarch64) chains the frames, which hlrun --profile
#                              walks from the host to find a sample's callers
#                              (GCC still makes none in leaf functions that
#                              need no stack: the walk finds their caller at
#                              the top of the stack)
#   -Werror=implicit-function-declaration
#                              a call to a function no header declares (one the
#                              small libc lacks) stops the build, instead of
#                              linking a guess at its type or failing at link time
# Include directories and the language standard differ between the two and
# are added by each (guest-crt/CMakeLists.txt, cli/hlbuild_compile.cpp).
# A guest whose C library is musl (libc = "musl") is compiled with the same
# flags but -ffreestanding (HL_GUEST_MUSL_CFLAGS): its environment is hosted.
set(HL_GUEST_MUSL_CFLAGS
  -nostdinc
  -fno-stack-protector -fstack-clash-protection
  -fno-pic -fno-pie -mcmodel=small
  -fno-asynchronous-unwind-tables
  -fno-omit-frame-pointer
  -Werror=implicit-function-declaration
  -O2 -g -Wall)
set(HL_GUEST_CFLAGS -ffreestanding ${HL_GUEST_MUSL_CFLAGS})
# What one architecture's guests add to these (HL_GUEST_ARCH_CFLAGS_<HL_ARCH>,
# for the runtime and for hlbuild --target alike):
#   aarch64: -mno-outline-atomics
#                              atomics inline (LDXR/STXR) rather than calls to
#                              libgcc's helpers, which pick LSE at start-up with
#                              getauxval(), a Linux call no hl guest has
#            --param stack-clash-protection-guard-size=12
#                              probe every 4 KiB page, as on x86-64: aarch64
#                              gcc assumes a 64 KiB guard and leaves frames
#                              under it unprobed, which would step over hl's
#                              one guard page into the heap
set(HL_GUEST_ARCH_CFLAGS_x86_64)
set(HL_GUEST_ARCH_CFLAGS_aarch64 -mno-outline-atomics --param stack-clash-protection-guard-size=12)
