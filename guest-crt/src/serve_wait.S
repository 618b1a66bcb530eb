/* serve_wait.S: the one `out` at which hl_serve waits, for its first call
 * (HL_CALL_READY) and for each next one (HL_CALL_RETURN).
 *
 *   void __hl_serve_wait(uint32_t port, uint32_t value);
 *
 * A host restoring a snapshot taken here, to resume a guest that waits here
 * again, may skip two vCPU ioctls (hl-abi(7), "Fresh calls"): completing the
 * pending `out`, which it lets the next entry do, and setting the FPU. For the
 * first, RFLAGS must be the same at every wait, so they are set to a constant
 * before the `out`; the host checks them. For the second, the code after the
 * `out` loads a clean x87/SSE state itself; hl_serve says so in its
 * HL_CALL_READY flags (HL_READY_RELOADS_FPU). Every call thus starts with the
 * FPU as at boot: FCW 0x37f, MXCSR 0x1f80, all registers zero. */
    .text
    .globl __hl_serve_wait
    .type __hl_serve_wait, @function
__hl_serve_wait:
    mov %edi, %edx
    mov %esi, %eax
    pushq $0x2              /* RFLAGS: only the always-one bit */
    popfq
    outl %eax, %dx
    fxrstor64 hl_clean_fpu(%rip)
    ret
    .size __hl_serve_wait, . - __hl_serve_wait

    .section .rodata
    .balign 16
hl_clean_fpu:               /* the FXSAVE layout, 512 bytes */
    .word 0x037f            /* FCW: all exceptions masked, 64-bit precision */
    .word 0                 /* FSW */
    .byte 0                 /* FTW (abridged): every register empty */
    .byte 0
    .word 0                 /* FOP */
    .quad 0                 /* FIP */
    .quad 0                 /* FDP */
    .long 0x1f80            /* MXCSR: all exceptions masked, round to nearest */
    .long 0                 /* MXCSR_MASK: ignored by FXRSTOR */
    .fill 480, 1, 0         /* ST0-7, XMM0-15, reserved */
    .size hl_clean_fpu, . - hl_clean_fpu

    .section .note.GNU-stack, "", @progbits
