/* The guest-visible CPU state the isolation tests plant secrets in and look
 * for: what an XSAVE with every XCR0 component writes, the FS/GS bases and
 * PKRU, and (in the guest's own serve loop) the general registers. */
#ifndef ISOLATION_STATE_H
#define ISOLATION_STATE_H

#include <stdint.h>

/* CPU features the tests need beyond SSE, as CPUID and XCR0 report them. */
#define FEATURE_AVX      0x1u
#define FEATURE_AVX512   0x2u
#define FEATURE_PKU      0x4u
#define FEATURE_FSGSBASE 0x8u
uint64_t cpu_features(void);

/* Where a secret was found (leaks() bits). */
#define LEAK_X87    0x001u  /* x87 data registers ST0-7 */
#define LEAK_FCW    0x002u  /* the x87 control word */
#define LEAK_MXCSR  0x004u
#define LEAK_XMM    0x008u  /* XMM0-15 */
#define LEAK_YMM    0x010u  /* upper halves of YMM0-15 */
#define LEAK_ZMM_HI 0x020u  /* upper halves of ZMM0-15 */
#define LEAK_ZMM16  0x040u  /* ZMM16-31 */
#define LEAK_OPMASK 0x080u  /* k0-k7 */
#define LEAK_PKRU   0x100u
#define LEAK_FSBASE 0x200u
#define LEAK_GSBASE 0x400u
#define LEAK_GPR    0x800u  /* a general register at the resume (own serve loop only) */

/* The values planted for a secret: FCW and MXCSR get fixed non-boot values,
 * PKRU one that keeps key 0 (all of guest memory) open. */
#define PLANTED_FCW   0x0c7fu   /* round toward zero, 24-bit precision */
#define PLANTED_MXCSR 0xff80u   /* flush to zero, round toward zero */
#define PLANTED_PKRU  0x5ec4e7f0u

struct cpu_dump {
    uint8_t xsave[8192] __attribute__((aligned(64)));
    uint64_t fs_base, gs_base;
    uint32_t pkru;
    uint64_t gprs[15];   /* rax rbx rcx rdx rsi rdi rbp r8-r15: own serve loop only */
};

/* Dumps the state now into *dump (xsave with every component, bases, PKRU). */
void dump_cpu(struct cpu_dump *dump, uint64_t features);
/* Puts secret everywhere the features allow. */
void plant_cpu(uint64_t secret, uint64_t features);
/* Which places of dump hold secret (LEAK_* bits). */
uint64_t find_secret(const struct cpu_dump *dump, uint64_t secret, uint64_t features);

#endif
