/* kvm_probe_guest.S: the EL0 code kvm_probe copies into guest memory at the
 * image window and runs, one case per VM. Position-independent: it runs
 * from its copy. x0 holds the case number; x1 is set to the hypercall page.
 * Each case ends in a hypercall or an exception, never falls through
 * (but for steps, which the host steps through). */
    .text
    .globl hl_probe_guest_start, hl_probe_guest_end
    .balign 4096
hl_probe_guest_start:
    mov x1, #0x2000              /* HL_AARCH64_HYPERCALL_ADDR */
    adr x9, cases
    add x9, x9, x0, lsl #2
    br x9
cases:
    b exit_42                    /* 0 */
    b null_write                 /* 1 */
    b system_call                /* 2 */
    b floating_point             /* 3 */
    b write_code                 /* 4 */
    b read_vectors               /* 5 */
    b undefined                  /* 6 */
    b wait_for_interrupt         /* 7 */
    b stack_overflow             /* 8 */
    b read_hypercall_page        /* 9 */
    b write_report_page          /* 10 */
    b execute_stack              /* 11 */
    b pair_store_hypercall       /* 12 */
    b exit_loop                  /* 13 */
    b breakpoint                 /* 14 */
    b steps                      /* 15 */

exit_42:
    mov w2, #42
    str w2, [x1]                 /* hypercall 0 (exit), value 42 */
    b .
null_write:
    mov x3, #0
    str x2, [x3, #8]
    b .
system_call:
    mov x8, #64
    mov x0, #5
    mov x5, #0x55
    svc #0                       /* the host answers 100 in x0 */
    add w2, w0, w5
    str w2, [x1]                 /* exit, 185: x0 came back, x5 kept */
    b .
floating_point:
    fmov d0, #1.5
    fmov d1, #2.0
    fmul d2, d0, d1
    fcvtzs x2, d2
    str w2, [x1]                 /* exit, 3 */
    b .
write_code:
    adr x3, hl_probe_guest_start
    str x2, [x3]
    b .
read_vectors:
    mov x3, #0x1000              /* HL_AARCH64_VECTORS_ADDR */
    ldr x2, [x3]
    b .
undefined:
    udf #0
    b .
wait_for_interrupt:
    wfi
    b .
stack_overflow:
    stp x0, x1, [sp, #-16]!
    b stack_overflow
read_hypercall_page:
    ldr w2, [x1, #4]
    b .
write_report_page:
    mov x3, #0x3000              /* HL_AARCH64_FAULT_REPORT_ADDR */
    str w2, [x3]
    b .
execute_stack:
    mov x3, sp
    sub x3, x3, #16
    br x3
pair_store_hypercall:
    stp w2, w3, [x1]             /* no syndrome KVM can decode */
    b .
exit_loop:
    mov w2, #7
1:  str w2, [x1, #12]            /* hypercall 3, again and again */
    b 1b
    .globl hl_probe_brk, hl_probe_step_store
breakpoint:
hl_probe_brk:
    brk #0                       /* gdb's breakpoint instruction */
    b .
steps:
    mov w2, #5
hl_probe_step_store:
    str w2, [x1]                 /* exit, 5: stepped over */
    mov w2, #6
    str w2, [x1]                 /* exit, 6: run to, unstepped */
    b .
    .balign 4
hl_probe_guest_end:

    .section .note.GNU-stack, "", %progbits
