/* serve_wait.S (aarch64): the one hypercall store at which hl_serve waits,
 * for its first call (HL_CALL_READY) and for each next one (HL_CALL_RETURN).
 *
 *   void __hl_serve_wait(uintptr_t target, uint32_t value);
 *
 * target is the hypercall's word on the hypercall page (hypercall_arch.h).
 * Unlike x86-64's, nothing here resets CPU state: an aarch64 host restoring
 * a snapshot taken at this store sets every register itself, FP/SIMD
 * included, and looks for no code after it (hl-abi(7), "Fresh calls"). The
 * store must stay a plain `str w` without writeback: KVM emulates no other. */
    .text
    .globl __hl_serve_wait
    .type __hl_serve_wait, %function
    .balign 4
__hl_serve_wait:
    str w1, [x0]
    ret
    .size __hl_serve_wait, . - __hl_serve_wait

    .section .note.GNU-stack, "", %progbits
