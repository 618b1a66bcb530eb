/* Planting secrets in the CPU state and looking for them (see state.h). The
 * state is read and written in assembly, before compiled code could touch a
 * vector register. */
#include "state.h"

#include <stddef.h>

_Static_assert(offsetof(struct cpu_dump, fs_base) == 8192, "dump_cpu's offsets");
_Static_assert(offsetof(struct cpu_dump, gs_base) == 8200, "dump_cpu's offsets");
_Static_assert(offsetof(struct cpu_dump, pkru) == 8208, "dump_cpu's offsets");
_Static_assert(offsetof(struct cpu_dump, gprs) == 8216, "the serve loop's offsets");

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static uint64_t xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

uint64_t cpu_features(void)
{
    uint32_t leaf1[4], leaf7[4];
    cpuid(1, 0, leaf1);
    cpuid(7, 0, leaf7);
    uint64_t features = 0;
    if (!(leaf1[2] & (1u << 27))) /* OSXSAVE: nothing below is usable */
        return 0;
    const uint64_t enabled = xcr0();
    if ((leaf1[2] & (1u << 28)) && (enabled & 0x6) == 0x6)
        features |= FEATURE_AVX;
    if ((leaf7[1] & (1u << 16)) && (enabled & 0xe6) == 0xe6)
        features |= FEATURE_AVX512;
    if ((leaf7[2] & (1u << 4)) && (enabled & 0x200)) /* OSPKE */
        features |= FEATURE_PKU;
    if (leaf7[1] & 1u)
        features |= FEATURE_FSGSBASE;
    return features;
}

/* dump_cpu(dump, features): zero the XSAVE area, XSAVE x87..PKRU (not AMX,
 * whose tile data would not fit), then the bases and PKRU. */
__asm__(
    ".text\n"
    ".globl dump_cpu\n"
    "dump_cpu:\n"
    "    mov %rdi, %r8\n"
    "    mov $1024, %ecx\n"
    "    xor %eax, %eax\n"
    "    rep stosq\n"
    "    mov $0x2ff, %eax\n"
    "    xor %edx, %edx\n"
    "    xsave64 (%r8)\n"
    "    test $8, %esi\n"              /* FEATURE_FSGSBASE */
    "    jz 1f\n"
    "    rdfsbase %rax\n"
    "    mov %rax, 8192(%r8)\n"
    "    rdgsbase %rax\n"
    "    mov %rax, 8200(%r8)\n"
    "1:  test $4, %esi\n"              /* FEATURE_PKU */
    "    jz 2f\n"
    "    xor %ecx, %ecx\n"
    "    rdpkru\n"
    "    mov %eax, 8208(%r8)\n"
    "2:  ret\n");

void plant_cpu(uint64_t secret, uint64_t features)
{
    const uint16_t fcw = PLANTED_FCW;
    const uint32_t mxcsr = PLANTED_MXCSR;
    /* x87: eight copies of the secret on the register stack, then the control word. */
    for (int i = 0; i < 8; i++)
        __asm__ volatile("fildll %0" : : "m"(secret));
    __asm__ volatile("fldcw %0; ldmxcsr %1" : : "m"(fcw), "m"(mxcsr));
    /* XMM0-15 (whole, and so the low halves of YMM and ZMM). */
    __asm__ volatile("movq %0, %%xmm0; punpcklqdq %%xmm0, %%xmm0\n"
                     "movdqa %%xmm0, %%xmm1; movdqa %%xmm0, %%xmm2; movdqa %%xmm0, %%xmm3\n"
                     "movdqa %%xmm0, %%xmm4; movdqa %%xmm0, %%xmm5; movdqa %%xmm0, %%xmm6\n"
                     "movdqa %%xmm0, %%xmm7; movdqa %%xmm0, %%xmm8; movdqa %%xmm0, %%xmm9\n"
                     "movdqa %%xmm0, %%xmm10; movdqa %%xmm0, %%xmm11; movdqa %%xmm0, %%xmm12\n"
                     "movdqa %%xmm0, %%xmm13; movdqa %%xmm0, %%xmm14; movdqa %%xmm0, %%xmm15\n"
                     : : "r"(secret) : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
                       "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    if (features & FEATURE_AVX) /* whole YMM0-15: the upper halves too */
        __asm__ volatile("vbroadcastsd %%xmm0, %%ymm0\n"
                         "vmovdqa %%ymm0, %%ymm1; vmovdqa %%ymm0, %%ymm2; vmovdqa %%ymm0, %%ymm3\n"
                         "vmovdqa %%ymm0, %%ymm4; vmovdqa %%ymm0, %%ymm5; vmovdqa %%ymm0, %%ymm6\n"
                         "vmovdqa %%ymm0, %%ymm7; vmovdqa %%ymm0, %%ymm8; vmovdqa %%ymm0, %%ymm9\n"
                         "vmovdqa %%ymm0, %%ymm10; vmovdqa %%ymm0, %%ymm11; vmovdqa %%ymm0, %%ymm12\n"
                         "vmovdqa %%ymm0, %%ymm13; vmovdqa %%ymm0, %%ymm14; vmovdqa %%ymm0, %%ymm15\n"
                         : : : "memory");
    if (features & FEATURE_AVX512) { /* whole ZMM0-31 and k0-k7 */
        __asm__ volatile("vpbroadcastq %0, %%zmm0\n"
                         "vmovdqa64 %%zmm0, %%zmm1; vmovdqa64 %%zmm0, %%zmm2; vmovdqa64 %%zmm0, %%zmm3\n"
                         "vmovdqa64 %%zmm0, %%zmm4; vmovdqa64 %%zmm0, %%zmm5; vmovdqa64 %%zmm0, %%zmm6\n"
                         "vmovdqa64 %%zmm0, %%zmm7; vmovdqa64 %%zmm0, %%zmm8; vmovdqa64 %%zmm0, %%zmm9\n"
                         "vmovdqa64 %%zmm0, %%zmm10; vmovdqa64 %%zmm0, %%zmm11; vmovdqa64 %%zmm0, %%zmm12\n"
                         "vmovdqa64 %%zmm0, %%zmm13; vmovdqa64 %%zmm0, %%zmm14; vmovdqa64 %%zmm0, %%zmm15\n"
                         "vmovdqa64 %%zmm0, %%zmm16; vmovdqa64 %%zmm0, %%zmm17; vmovdqa64 %%zmm0, %%zmm18\n"
                         "vmovdqa64 %%zmm0, %%zmm19; vmovdqa64 %%zmm0, %%zmm20; vmovdqa64 %%zmm0, %%zmm21\n"
                         "vmovdqa64 %%zmm0, %%zmm22; vmovdqa64 %%zmm0, %%zmm23; vmovdqa64 %%zmm0, %%zmm24\n"
                         "vmovdqa64 %%zmm0, %%zmm25; vmovdqa64 %%zmm0, %%zmm26; vmovdqa64 %%zmm0, %%zmm27\n"
                         "vmovdqa64 %%zmm0, %%zmm28; vmovdqa64 %%zmm0, %%zmm29; vmovdqa64 %%zmm0, %%zmm30\n"
                         "vmovdqa64 %%zmm0, %%zmm31\n"
                         "kmovq %0, %%k0; kmovq %0, %%k1; kmovq %0, %%k2; kmovq %0, %%k3\n"
                         "kmovq %0, %%k4; kmovq %0, %%k5; kmovq %0, %%k6; kmovq %0, %%k7\n"
                         : : "r"(secret) : "memory");
    }
    if (features & FEATURE_FSGSBASE) /* a canonical address made of the secret */
        __asm__ volatile("wrfsbase %0; wrgsbase %0" : : "r"(secret & 0x00007ffffffffff0ull));
    if (features & FEATURE_PKU)
        __asm__ volatile("wrpkru" : : "a"(PLANTED_PKRU), "c"(0), "d"(0));
}

static int holds(const uint8_t *area, size_t size, uint64_t secret)
{
    for (size_t i = 0; i + 8 <= size; i += 8) {
        uint64_t v;
        __builtin_memcpy(&v, area + i, 8);
        if (v == secret)
            return 1;
    }
    return 0;
}

/* Offset and size of XSAVE component n in the standard format. */
static void component(unsigned n, size_t *offset, size_t *size)
{
    uint32_t r[4];
    cpuid(0xd, n, r);
    *offset = r[1];
    *size = r[0];
}

uint64_t find_secret(const struct cpu_dump *dump, uint64_t secret, uint64_t features)
{
    const uint8_t *x = dump->xsave;
    uint64_t leaks = 0;
    uint16_t fcw;
    uint32_t mxcsr;
    __builtin_memcpy(&fcw, x, 2);
    __builtin_memcpy(&mxcsr, x + 24, 4);
    /* ST0-7 hold the secret (an integer, loaded by fild) as an 80-bit float:
     * its bits with the leading one first, then the exponent. Compared as
     * bytes, since x87 arithmetic here would run on a stack the secret fills. */
    const int shift = __builtin_clzll(secret);
    const uint64_t mantissa = secret << shift;
    const uint16_t exponent = (uint16_t)(16383 + 63 - shift);
    for (int i = 0; i < 8; i++) {
        uint64_t m;
        uint16_t e;
        __builtin_memcpy(&m, x + 32 + 16 * i, 8);
        __builtin_memcpy(&e, x + 40 + 16 * i, 2);
        if (m == mantissa && e == exponent)
            leaks |= LEAK_X87;
    }
    if (fcw == PLANTED_FCW)
        leaks |= LEAK_FCW;
    if (mxcsr == PLANTED_MXCSR)
        leaks |= LEAK_MXCSR;
    if (holds(x + 160, 256, secret))
        leaks |= LEAK_XMM;
    size_t offset, size;
    if (features & FEATURE_AVX) {
        component(2, &offset, &size);
        if (holds(x + offset, size, secret))
            leaks |= LEAK_YMM;
    }
    if (features & FEATURE_AVX512) {
        component(5, &offset, &size);
        if (holds(x + offset, size, secret))
            leaks |= LEAK_OPMASK;
        component(6, &offset, &size);
        if (holds(x + offset, size, secret))
            leaks |= LEAK_ZMM_HI;
        component(7, &offset, &size);
        if (holds(x + offset, size, secret))
            leaks |= LEAK_ZMM16;
    }
    if ((features & FEATURE_PKU) && dump->pkru == PLANTED_PKRU)
        leaks |= LEAK_PKRU;
    if ((features & FEATURE_FSGSBASE) && dump->fs_base == (secret & 0x00007ffffffffff0ull))
        leaks |= LEAK_FSBASE;
    if ((features & FEATURE_FSGSBASE) && dump->gs_base == (secret & 0x00007ffffffffff0ull))
        leaks |= LEAK_GSBASE;
    for (int i = 0; i < 15; i++)
        if (dump->gprs[i] == secret)
            leaks |= LEAK_GPR;
    return leaks;
}
