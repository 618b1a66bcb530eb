/* serve_wait.S (x86-64): the one `out` at which hl_serve waits, for its
 * first call (HL_CALL_READY) and for each next one (HL_CALL_RETURN).
 *
 *   void __hl_serve_wait(uintptr_t target, uint32_t value);
 *
 * target is the hypercall's port (hypercall_arch.h).
 *
 * A host restoring a snapshot taken here, to resume a guest that waits here
 * again, may skip two vCPU ioctls (hl-abi(7), "Fresh calls"): completing the
 * pending `out`, which it lets the next entry do, and setting the vector and
 * FPU registers. For the first, RFLAGS must be the same at every wait, so they
 * are set to a constant before the `out`; the host checks them. For the
 * second, the instructions right after the `out` load the init state into
 * every XSAVE component of XCR0 (x87, SSE, AVX, AVX-512, opmask, PKRU): the
 * header of hl_clean_xstate marks none, so XRSTOR initialises them all, and
 * MXCSR, which it loads from the image, is the boot value. The host checks
 * these exact bytes before it relies on them (libsandbox xstate_reset.hpp):
 * change them together. Every call thus starts with the registers as at boot:
 * FCW 0x37f, MXCSR 0x1f80, vector and opmask registers zero, PKRU 0. */
    .text
    .globl __hl_serve_wait
    .type __hl_serve_wait, @function
__hl_serve_wait:
    mov %edi, %edx
    mov %esi, %eax
    pushq $0x2              /* RFLAGS: only the always-one bit */
    popfq
    outl %eax, %dx
    mov $-1, %eax           /* EDX:EAX: every component XCR0 enables */
    mov $-1, %edx
    xrstor64 hl_clean_xstate(%rip)
    ret
    .size __hl_serve_wait, . - __hl_serve_wait

    .section .rodata
    .balign 64              /* XRSTOR's operand must be 64-byte aligned */
hl_clean_xstate:            /* the XSAVE layout: legacy area, then the header */
    .word 0x037f            /* FCW: all exceptions masked, 64-bit precision */
    .fill 22, 1, 0          /* FSW, FTW, FOP, FIP, FDP */
    .long 0x1f80            /* MXCSR: all exceptions masked, round to nearest */
    .fill 484, 1, 0         /* MXCSR_MASK, ST0-7, XMM0-15, reserved */
    .fill 64, 1, 0          /* header: XSTATE_BV 0 (all init), XCOMP_BV 0 (standard form) */
    .size hl_clean_xstate, . - hl_clean_xstate

    .section .note.GNU-stack, "", @progbits
