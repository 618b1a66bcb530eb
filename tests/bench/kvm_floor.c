/* kvm_floor: the raw-KVM floor the benchmarks divide by. The least a host can
 * do for the same work, with nothing else around it: one vCPU at CPL3 in
 * 64-bit mode (as hl runs guests) writes one byte to each of K pages, then
 * makes one `out` exit; the host answers with KVM_RUN again, optionally
 * restoring the K pages first in the cheapest way it can.
 *
 *   kvm_floor ROUNDS PAGES MODE
 *     MODE: none      no restore
 *           dirtylog  KVM_GET_DIRTY_LOG, copy back the dirty pages from a snapshot
 *           dontneed  MAP_PRIVATE memfd, MADV_DONTNEED over the written pages
 *           mmio      no restore, and the exit is an MMIO write (to a page with
 *                     no memory behind it) instead of an `out`
 *           syscall   no restore; the guest makes a `syscall`, whose LSTAR stub
 *                     reports with an MMIO write, and the host resumes it at
 *                     %rcx through synced registers: what one emulated system
 *                     call costs at the least on this host
 *           create    no run: each round creates a VM, its memory slot over
 *                     the memory and a vCPU with its kvm_run mapped (and
 *                     tears them down, untimed): what a new sandbox costs at
 *                     the least
 *           start     a whole cold start, untimed, for a benchmark that times
 *                     the process: fresh anonymous memory, the VM and vCPU,
 *                     CPUID and registers, then ROUNDS `out` exits, each
 *                     answered with one line on stdout, as `hlrun hello` does
 * Prints the median ns per round (exit + optional restore, or creation) over ROUNDS. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE   (4u << 20)
#define PAGE       4096u
#define PML4       0x1000u
#define PDPT       0x2000u
#define PD         0x3000u
#define PT0        0x4000u   /* two page tables: 4 MiB */
#define GDT        0x6000u
#define TSS        0x7000u
#define CODE       0x10000u
#define STACK_TOP  0x20000u
#define DATA       0x100000u  /* the pages the guest writes: up to 256 */
#define PORT       0x500u

static void die(const char *what) { perror(what); exit(1); }

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int compare(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

#define MMIO_PAGE  (MEM_SIZE - PAGE)   /* mapped to guest-physical MEM_SIZE: no memory there */

#define SYSCALL_STUB 0x11000u

static void build_guest(uint8_t *m, int mmio, int syscall)
{
    uint64_t *pml4 = (uint64_t *)(m + PML4), *pdpt = (uint64_t *)(m + PDPT), *pd = (uint64_t *)(m + PD);
    pml4[0] = PDPT | 7;
    pdpt[0] = PD | 7;
    pd[0] = PT0 | 7;
    pd[1] = (PT0 + PAGE) | 7;
    uint64_t *pt = (uint64_t *)(m + PT0);
    for (uint64_t page = 1; page < MEM_SIZE / PAGE; page++) /* all user read-write, like hl's data pages */
        pt[page] = page * PAGE | 7;
    pt[MMIO_PAGE / PAGE] = MEM_SIZE | 7;
    /* GDT: null, kernel code, kernel data, user code 64, user data, TSS (16 bytes). */
    uint64_t *gdt = (uint64_t *)(m + GDT);
    gdt[1] = 0x00af9b000000ffffull;
    gdt[2] = 0x00cf93000000ffffull;
    gdt[3] = 0x00affb000000ffffull;
    gdt[4] = 0x00cff3000000ffffull;
    const uint64_t limit = 104 + PORT / 8 + 2;
    gdt[5] = (limit & 0xffff) | ((uint64_t)(TSS & 0xffffff) << 16) | (0xbull << 40) | (1ull << 47);
    gdt[6] = 0;
    /* TSS with an I/O bitmap that opens the 4 ports a 32-bit `out` to PORT touches. */
    uint16_t bitmap_offset = 104;
    memcpy(m + TSS + 0x66, &bitmap_offset, 2);
    memset(m + TSS + 104, 0xff, PORT / 8 + 2);
    for (unsigned port = PORT; port < PORT + 4; port++)
        m[TSS + 104 + port / 8] &= (uint8_t)~(1u << (port % 8));
    /* Code: loop { for (i = 0; i < rbx; i++) DATA[i * 4096] = 1; out %eax, (%dx); } */
    const uint8_t code[] = {
        0x31, 0xc9,                         /* xor %ecx, %ecx */
        0x48, 0x39, 0xd9,                   /* cmp %rbx, %rcx */
        0x73, 0x13,                         /* jae out */
        0x48, 0x89, 0xce,                   /* mov %rcx, %rsi */
        0x48, 0xc1, 0xe6, 0x0c,             /* shl $12, %rsi */
        0xc6, 0x86, 0x00, 0x00, 0x10, 0x00, 0x01, /* movb $1, DATA(%rsi) */
        0x48, 0xff, 0xc1,                   /* inc %rcx */
        0xeb, 0xe8,                         /* jmp cmp */
        0x66, 0xba, PORT & 0xff, PORT >> 8, /* out: mov $PORT, %dx */
        0xef,                               /* out %eax, (%dx) */
        0xeb, 0xdf,                         /* jmp start */
    };
    memcpy(m + CODE, code, sizeof code);
    const uint8_t report[] = {0x89, 0x04, 0x25, MMIO_PAGE & 0xff, (MMIO_PAGE >> 8) & 0xff, MMIO_PAGE >> 16, 0};
    if (mmio) { /* the exit becomes `mov %eax, MMIO_PAGE`, then `jmp start` */
        const uint8_t jump[] = {0xeb, 0xdd};
        memcpy(m + CODE + 26, report, sizeof report);
        memcpy(m + CODE + 26 + sizeof report, jump, sizeof jump);
    }
    if (syscall) { /* the exit becomes `syscall`, then `jmp start`; the stub reports by MMIO */
        const uint8_t call[] = {0x0f, 0x05, 0xeb, 0xe2};
        memcpy(m + CODE + 26, call, sizeof call);
        memcpy(m + SYSCALL_STUB, report, sizeof report);
        m[SYSCALL_STUB + sizeof report] = 0x0f; /* ud2: never reached */
        m[SYSCALL_STUB + sizeof report + 1] = 0x0b;
    }
}

static void set_segment(struct kvm_segment *s, uint16_t selector, uint8_t type, int code)
{
    memset(s, 0, sizeof *s);
    s->limit = 0xffffffff;
    s->selector = selector;
    s->type = type;
    s->present = 1;
    s->dpl = 3;
    s->db = !code;
    s->s = 1;
    s->l = code;
    s->g = 1;
}

static void print_creation_ns(int kvm, uint8_t *mem, int rounds)
{
    const int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    uint64_t *samples = calloc((size_t)rounds, sizeof *samples);
    for (int warm = -5; warm < rounds; warm++) {
        const uint64_t start = now_ns();
        int vm;
        do
            vm = ioctl(kvm, KVM_CREATE_VM, 0);
        while (vm < 0 && errno == EINTR);
        struct kvm_userspace_memory_region region = {.slot = 0, .flags = KVM_MEM_LOG_DIRTY_PAGES,
                                                     .guest_phys_addr = 0, .memory_size = MEM_SIZE,
                                                     .userspace_addr = (uint64_t)(uintptr_t)mem};
        if (vm < 0 || ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
            die("vm");
        const int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
        void *run = vcpu < 0 ? MAP_FAILED : mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
        if (run == MAP_FAILED)
            die("vcpu");
        if (warm >= 0)
            samples[warm] = now_ns() - start;
        munmap(run, (size_t)run_size);
        close(vcpu);
        close(vm);
    }
    qsort(samples, (size_t)rounds, sizeof *samples, compare);
    printf("%llu\n", (unsigned long long)samples[rounds / 2]);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: kvm_floor ROUNDS PAGES none|dirtylog|dontneed|mmio|syscall|create|start\n");
        return 2;
    }
    const int rounds = atoi(argv[1]);
    const uint64_t pages = strtoull(argv[2], NULL, 10);
    const char *mode = argv[3];
    const int dirtylog = strcmp(mode, "dirtylog") == 0, dontneed = strcmp(mode, "dontneed") == 0;
    const int mmio = strcmp(mode, "mmio") == 0, syscall = strcmp(mode, "syscall") == 0;
    const int create = strcmp(mode, "create") == 0, start = strcmp(mode, "start") == 0;
    if (rounds < 1 || pages > 256 ||
        (!dirtylog && !dontneed && !mmio && !syscall && !create && !start && strcmp(mode, "none") != 0)) {
        fprintf(stderr, "kvm_floor: bad arguments\n");
        return 2;
    }

    uint8_t *mem, *snapshot = NULL;
    if (start) { /* what a process starting one guest needs: zeroed memory, written once */
        mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (mem == MAP_FAILED)
            die("mmap guest");
        build_guest(mem, 0, 0);
    } else {
        /* Memory: a memfd holding the initial image, mapped privately, so that
         * MADV_DONTNEED brings written pages back to the file's content. */
        const int memfd = memfd_create("kvm_floor", MFD_CLOEXEC);
        if (memfd < 0 || ftruncate(memfd, MEM_SIZE) < 0)
            die("memfd");
        uint8_t *image = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
        if (image == MAP_FAILED)
            die("mmap image");
        build_guest(image, mmio, syscall);
        mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, memfd, 0);
        if (mem == MAP_FAILED)
            die("mmap guest");
        snapshot = malloc(MEM_SIZE);
        memcpy(snapshot, image, MEM_SIZE);
    }

    const int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0)
        die("/dev/kvm");
    if (create) {
        print_creation_ns(kvm, mem, rounds);
        return 0;
    }
    const int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    struct kvm_userspace_memory_region region = {.slot = 0, .flags = dirtylog ? KVM_MEM_LOG_DIRTY_PAGES : 0,
                                                 .guest_phys_addr = 0, .memory_size = MEM_SIZE,
                                                 .userspace_addr = (uint64_t)(uintptr_t)mem};
    if (vm < 0 || ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        die("vm");
    const int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    const int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    struct kvm_run *run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (vcpu < 0 || run == MAP_FAILED)
        die("vcpu");

    /* The host CPU's features, as hl gives its guests (long mode, NX, SSE). */
    struct kvm_cpuid2 *cpuid = calloc(1, sizeof *cpuid + 256 * sizeof(struct kvm_cpuid_entry2));
    cpuid->nent = 256;
    if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0 || ioctl(vcpu, KVM_SET_CPUID2, cpuid) < 0)
        die("cpuid");

    struct kvm_sregs sregs;
    if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
        die("KVM_GET_SREGS");
    set_segment(&sregs.cs, 0x1b, 0xb, 1);
    set_segment(&sregs.ss, 0x23, 0x3, 0);
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss;
    memset(&sregs.tr, 0, sizeof sregs.tr);
    sregs.tr.base = TSS;
    sregs.tr.limit = 104 + PORT / 8 + 2;
    sregs.tr.selector = 0x28;
    sregs.tr.type = 0xb;
    sregs.tr.present = 1;
    sregs.gdt.base = GDT;
    sregs.gdt.limit = 7 * 8 - 1;
    sregs.cr0 = 0x80050033;
    sregs.cr3 = PML4;
    sregs.cr4 = 0x620;
    sregs.efer = 0xd00;
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
        die("KVM_SET_SREGS");
    struct kvm_regs regs = {.rip = CODE, .rsp = STACK_TOP, .rflags = 2, .rbx = pages};
    if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
        die("KVM_SET_REGS");
    if (syscall) {
        struct {
            struct kvm_msrs header;
            struct kvm_msr_entry entries[3];
        } msrs = {.header = {.nmsrs = 3},
                  .entries = {{.index = 0xc0000081 /* STAR */, .data = 0x08ull << 32},
                              {.index = 0xc0000082 /* LSTAR */, .data = SYSCALL_STUB},
                              {.index = 0xc0000084 /* SFMASK */, .data = 0}}};
        if (ioctl(vcpu, KVM_SET_MSRS, &msrs) != 3)
            die("KVM_SET_MSRS");
        run->kvm_valid_regs = KVM_SYNC_X86_REGS;
    }

    if (start) {
        static const char line[] = "hello from the floor\n";
        for (int exit = 0; exit < rounds; exit++)
            if (ioctl(vcpu, KVM_RUN, 0) < 0 || run->exit_reason != KVM_EXIT_IO ||
                write(STDOUT_FILENO, line, sizeof line - 1) != (ssize_t)(sizeof line - 1))
                die("KVM_RUN did not stop at the exit");
        munmap(run, (size_t)run_size);
        close(vcpu);
        close(vm);
        munmap(mem, MEM_SIZE);
        return 0;
    }

    uint64_t bitmap[MEM_SIZE / PAGE / 64];
    struct kvm_dirty_log log = {.slot = 0, .dirty_bitmap = bitmap};
    uint64_t *samples = calloc((size_t)rounds, sizeof *samples);
    for (int warm = -20; warm < rounds; warm++) {
        const uint64_t start = now_ns();
        if (ioctl(vcpu, KVM_RUN, 0) < 0 || run->exit_reason != (mmio || syscall ? KVM_EXIT_MMIO : KVM_EXIT_IO))
            die("KVM_RUN did not stop at the exit");
        if (syscall) { /* back to the caller, as a system call's return does */
            run->s.regs.regs.rip = run->s.regs.regs.rcx;
            run->kvm_dirty_regs = KVM_SYNC_X86_REGS;
        }
        if (dirtylog) {
            if (ioctl(vm, KVM_GET_DIRTY_LOG, &log) < 0)
                die("KVM_GET_DIRTY_LOG");
            for (size_t w = 0; w < sizeof bitmap / sizeof bitmap[0]; w++)
                for (uint64_t bits = bitmap[w]; bits; bits &= bits - 1) {
                    const size_t page = w * 64 + (size_t)__builtin_ctzll(bits);
                    memcpy(mem + page * PAGE, snapshot + page * PAGE, PAGE);
                }
        } else if (dontneed && pages) {
            if (madvise(mem + DATA, pages * PAGE, MADV_DONTNEED) < 0)
                die("madvise");
        }
        if (warm >= 0)
            samples[warm] = now_ns() - start;
    }
    qsort(samples, (size_t)rounds, sizeof *samples, compare);
    printf("%llu\n", (unsigned long long)samples[rounds / 2]);
    return 0;
}
