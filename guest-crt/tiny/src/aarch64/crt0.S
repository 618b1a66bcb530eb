/* crt0 (aarch64): the guest's entry point. The host starts the vCPU here at
 * EL0 with sp at the stack top and x0 = address of the boot info, which
 * passes on unchanged as __hl_start's argument. */
    .section .text._start,"ax",%progbits
    .globl _start
    .type _start,%function
    .balign 4
_start:
    mov x29, #0             /* end of the frame-record chain for debuggers and --profile */
    mov x30, #0             /* no return address */
    mov x9, sp
    and sp, x9, #-16        /* AAPCS64 wants sp 16-byte aligned; the host gives that, this keeps it so */
    bl __hl_start
    brk #1000               /* __hl_start never returns; brk is the fault __builtin_trap makes too */
    .size _start, . - _start
    .section .note.GNU-stack,"",%progbits
