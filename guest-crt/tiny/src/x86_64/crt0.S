/* crt0 (x86-64): the guest's entry point. The host starts the vCPU here at
 * CPL3 with %rsp at the stack top and %rdi = address of the boot info. */
    .section .text._start,"ax",@progbits
    .globl _start
    .type _start,@function
_start:
    xor %ebp, %ebp          /* end of the frame-pointer chain for debuggers */
    and $-16, %rsp          /* the SysV ABI wants a 16-byte aligned stack at the call */
    call __hl_start
    ud2                     /* __hl_start never returns */
    .size _start, . - _start
    .section .note.GNU-stack,"",@progbits
