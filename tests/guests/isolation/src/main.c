/* Test guest for isolation between calls (tests/integration/isolation_test.cpp).
 * plant() puts a secret in every register a guest can reach; leaks() says
 * where it finds it. With no argument the guest waits for calls in hl_serve;
 * with "own-loop" in a serve loop of its own (below), which captures the whole
 * CPU state the instant it is resumed and plants the secret in the general
 * registers too, and whose `out` is followed by no reset of any kind. */
#include <hl/guest.h>
#include <string.h>

#include "state.h"

extern const struct hl_export __hl_exports_start[];

static uint64_t features;
static int own_loop;
static struct cpu_dump dump;
uint64_t gpr_secret; /* read by the serve loop: the value for the general registers at its next return */

HL_EXPORT(uint64_t, cpu_features_seen) { return features; }

HL_EXPORT(void, plant, (uint64_t, secret))
{
    plant_cpu(secret, features);
    gpr_secret = secret;
}

/* LEAK_* bits: where the secret is in the state this call started with. */
HL_EXPORT(uint64_t, leaks, (uint64_t, secret))
{
    if (!own_loop)
        dump_cpu(&dump, features); /* first thing: nothing has touched the vector registers */
    return find_secret(&dump, secret, features);
}

HL_EXPORT(uint64_t, xcr0_seen)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

/* The guest's own serve loop: ready, then for each call capture the state,
 * run the export's thunk, fill the general registers with gpr_secret (0 when
 * nothing was planted) and return -- by plain `out`s, with none of hl_serve's
 * resets after them. */
void own_dispatch(void)
{
    struct hl_call_frame *frame = (struct hl_call_frame *)(uintptr_t)HL_CALL_AREA_ADDR;
    ((void (*)(struct hl_call_frame *))(uintptr_t)__hl_exports_start[frame->export_index].thunk)(frame);
}

/* The ports and the ready value, from <hl/abi.h>, for the loop below to load:
 * top-level asm takes no operands, and HL_CALL_* are enum values. */
const uint32_t own_ready_port = HL_PORT_BASE + HL_CALL_READY;
const uint32_t own_ready_value = HL_READY_RELOADS_FPU; /* a promise it breaks, which hosts ignore */
const uint32_t own_return_port = HL_PORT_BASE + HL_CALL_RETURN;

_Noreturn void own_serve(void);
__asm__(
    ".text\n"
    "own_serve:\n"
    "    and $-16, %rsp\n"                /* calls below keep the ABI's alignment */
    "    mov own_ready_port(%rip), %edx\n"
    "    mov own_ready_value(%rip), %eax\n"
    "    outl %eax, %dx\n"
    "1:  mov %rax, dump+8216(%rip)\n"     /* dump.gprs, in the order of state.h */
    "    mov %rbx, dump+8224(%rip)\n"
    "    mov %rcx, dump+8232(%rip)\n"
    "    mov %rdx, dump+8240(%rip)\n"
    "    mov %rsi, dump+8248(%rip)\n"
    "    mov %rdi, dump+8256(%rip)\n"
    "    mov %rbp, dump+8264(%rip)\n"
    "    mov %r8, dump+8272(%rip)\n"
    "    mov %r9, dump+8280(%rip)\n"
    "    mov %r10, dump+8288(%rip)\n"
    "    mov %r11, dump+8296(%rip)\n"
    "    mov %r12, dump+8304(%rip)\n"
    "    mov %r13, dump+8312(%rip)\n"
    "    mov %r14, dump+8320(%rip)\n"
    "    mov %r15, dump+8328(%rip)\n"
    "    lea dump(%rip), %rdi\n"
    "    mov features(%rip), %rsi\n"
    "    call dump_cpu\n"
    "    call own_dispatch\n"
    "    mov gpr_secret(%rip), %rax\n"
    "    mov %rax, %rbx\n"
    "    mov %rax, %rcx\n"
    "    mov %rax, %rsi\n"
    "    mov %rax, %rdi\n"
    "    mov %rax, %rbp\n"
    "    mov %rax, %r8\n"
    "    mov %rax, %r9\n"
    "    mov %rax, %r10\n"
    "    mov %rax, %r11\n"
    "    mov %rax, %r12\n"
    "    mov %rax, %r13\n"
    "    mov %rax, %r14\n"
    "    mov %rax, %r15\n"
    "    mov own_return_port(%rip), %edx\n"
    "    xor %eax, %eax\n"
    "    outl %eax, %dx\n"
    "    jmp 1b\n");

int main(int argc, char **argv)
{
    features = cpu_features();
    own_loop = argc > 1 && strcmp(argv[1], "own-loop") == 0;
    if (own_loop)
        own_serve();
    hl_serve();
}
