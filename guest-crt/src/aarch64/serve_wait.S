/* serve_wait.S (aarch64): the one hypercall store at which hl_serve waits,
 * for its first call (HL_CALL_READY) and for each next one (HL_CALL_RETURN).
 *
 *   void __hl_serve_wait(uintptr_t target, uint32_t value);
 *
 * target is the hypercall's word on the hypercall page (hypercall_arch.h).
 * The store must stay a plain `str w` without writeback: KVM emulates no
 * other. After it, every call starts with the floating-point and SIMD
 * registers as at boot, as on x86-64 (hl-abi(7), "Fresh calls"): FPCR and
 * FPSR 0, v0-v7 and v16-v31 zero, and v8-v15 zero but for their low halves
 * d8-d15, which AAPCS64 makes callee-saved: they are hl_serve's own, not a
 * call's (an export restores them before it returns). A host restoring a
 * snapshot taken here sets every register itself and relies on none of this. */
    .text
    .globl __hl_serve_wait
    .type __hl_serve_wait, %function
    .balign 4
__hl_serve_wait:
    str w1, [x0]
    msr fpcr, xzr
    msr fpsr, xzr
    movi v0.2d, #0
    movi v1.2d, #0
    movi v2.2d, #0
    movi v3.2d, #0
    movi v4.2d, #0
    movi v5.2d, #0
    movi v6.2d, #0
    movi v7.2d, #0
    fmov d8, d8            /* a write of d8 clears the upper half of v8 */
    fmov d9, d9
    fmov d10, d10
    fmov d11, d11
    fmov d12, d12
    fmov d13, d13
    fmov d14, d14
    fmov d15, d15
    movi v16.2d, #0
    movi v17.2d, #0
    movi v18.2d, #0
    movi v19.2d, #0
    movi v20.2d, #0
    movi v21.2d, #0
    movi v22.2d, #0
    movi v23.2d, #0
    movi v24.2d, #0
    movi v25.2d, #0
    movi v26.2d, #0
    movi v27.2d, #0
    movi v28.2d, #0
    movi v29.2d, #0
    movi v30.2d, #0
    movi v31.2d, #0
    ret
    .size __hl_serve_wait, . - __hl_serve_wait

    .section .note.GNU-stack, "", %progbits
