/* hl guest ABI, version 2: the single contract between the host (libsandbox)
 * and the guest (guest-crt). Compiled by both sides, so it uses only
 * <stdint.h> and <stddef.h> and no host-only types.
 *
 * Guest addresses are plain uint64_t here, for both sides to compile; the
 * host turns each into an hl::GuestAddr (<hl/guest_addr.hpp>) where it reads
 * it, and reaches its bytes only through GuestMemory's checked views. */
#ifndef HL_ABI_H
#define HL_ABI_H

#include <stddef.h>
#include <stdint.h>

#define HL_ABI_VERSION 2u
/* The oldest version a host still runs. Version 2 added the boot info's
 * flags after memory_size; a version 1 runtime reads only the 64 bytes before
 * them, so the host runs its images unchanged, writing abi_version 1 into
 * their boot info (a version 1 runtime checks for exactly that). */
#define HL_ABI_VERSION_MIN 1u

/* ---- Guest address space (identity mapped, guest virtual == guest physical) ----
 *
 *   0x0000_0000  null page                      unmapped
 *   0x0000_1000  GDT                            supervisor only
 *   0x0000_2000  IDT                            supervisor only
 *   0x0000_3000  TSS                            supervisor only
 *   0x0000_4000  fault stubs                    user read+execute
 *   0x0000_5000  fault report page              user write, no memory behind it
 *   0x0000_6000  IST stack (16 KiB)             user read+write
 *   0x0000_A000  guard                          unmapped
 *   0x0001_0000  boot info + argv (<= 256 KiB)  user read-only
 *   0x0005_0000  call area (704 KiB)            user read+write
 *   0x0010_0000  image window start             segments as the ELF says
 *   ...          heap                           user read+write
 *   ...          guard page                     unmapped
 *   ...          stack                          user read+write
 *   ...          page tables (top of memory)    supervisor only
 */
#define HL_PAGE_SIZE          0x1000u
#define HL_GDT_ADDR           0x1000u
#define HL_IDT_ADDR           0x2000u
#define HL_TSS_ADDR           0x3000u
#define HL_STUBS_ADDR         0x4000u
/* The fault stubs report by writing the vector here: the page maps to a
 * guest-physical address with no memory behind it, so the write exits to the
 * host as MMIO. (An `out` from an exception handler is refused by PVM-based
 * KVM, measured; an MMIO exit works on every KVM.) */
#define HL_FAULT_REPORT_ADDR  0x5000u
#define HL_FAULT_REPORT_PHYS  0x100000000ull
/* The `syscall` stub reports the system call number here, on the same page:
 * it keeps every register the Linux system-call ABI keeps. */
#define HL_SYSCALL_REPORT_ADDR (HL_FAULT_REPORT_ADDR + 8u)
#define HL_SYSCALL_REPORT_PHYS (HL_FAULT_REPORT_PHYS + 8u)
#define HL_IST_STACK_ADDR     0x6000u
#define HL_IST_STACK_SIZE     0x4000u
/* aarch64 puts its own system pages in the same 64 KiB below the boot info,
 * in place of the x86-64 ones above; everything from the boot info up is
 * common. Guest code runs at EL0; the vectors, EL1 stack and report page are
 * EL1 only (hl-abi(7), "aarch64"):
 *
 *   0x0000_0000  null page                      unmapped
 *   0x0000_1000  exception vectors (VBAR_EL1)   EL1 read+execute
 *   0x0000_2000  hypercall page                 EL0 write, no memory behind it
 *   0x0000_3000  fault report page              EL1 write, no memory behind it
 *   0x0000_4000  EL1 stack (16 KiB)             EL1 read+write
 *   0x0000_8000  guard                          unmapped
 *
 * There is no port I/O on aarch64: a hypercall is one 32-bit store (`str w`)
 * of its value to HL_AARCH64_HYPERCALL_ADDR + 4 * number. The page maps to a
 * guest-physical address with no memory behind it, so the store exits to the
 * host as MMIO, as the vector stubs' reports do. */
#define HL_AARCH64_VECTORS_ADDR       0x1000u
#define HL_AARCH64_HYPERCALL_ADDR     0x2000u
#define HL_AARCH64_HYPERCALL_PHYS     0x100001000ull
#define HL_AARCH64_FAULT_REPORT_ADDR  0x3000u
#define HL_AARCH64_FAULT_REPORT_PHYS  0x100000000ull
#define HL_AARCH64_EL1_STACK_ADDR     0x4000u
#define HL_AARCH64_EL1_STACK_SIZE     0x4000u
#define HL_BOOT_INFO_ADDR     0x10000u
#define HL_BOOT_INFO_MAX_SIZE 0x40000u
#define HL_CALL_AREA_ADDR     0x50000u
#define HL_CALL_AREA_SIZE     0xB0000u
#define HL_IMAGE_WINDOW_START 0x100000u
/* Image segments must end below this address (1 GiB). */
#define HL_IMAGE_WINDOW_END   0x40000000u
/* Guest memory size limits: hypercall values are 32-bit guest addresses. */
#define HL_MEMORY_MIN         0x200000u         /* 2 MiB */
#define HL_MEMORY_MAX         0x100000000ull    /* 4 GiB */
#define HL_MEMORY_DEFAULT     0x1000000u        /* 16 MiB */
#define HL_STACK_DEFAULT      0x40000u          /* 256 KiB */
#define HL_HEAP_DEFAULT       0x100000u         /* 1 MiB minimum heap */
/* What an image note (and hlbuild.toml) may ask for: a stack of whole pages
 * in [HL_STACK_MIN, HL_STACK_MAX], a heap no larger than memory can be. */
#define HL_STACK_MIN          HL_PAGE_SIZE
#define HL_STACK_MAX          0x10000000u       /* 256 MiB */
#define HL_HEAP_MAX           HL_MEMORY_MAX

/* ---- Boot info: read-only page the host fills before the first instruction ----
 * The guest's entry point receives its address in %rdi (x86-64) or x0
 * (aarch64). argv points into the same read-only region; argv[argc] is 0. */
#define HL_BOOT_MAGIC 0x544f4f424c48ull /* "HLBOOT" */

struct hl_boot_info {
    uint64_t magic;
    uint32_t abi_version;  /* the image note's: HL_ABI_VERSION_MIN to HL_ABI_VERSION */
    uint32_t argc;
    uint64_t argv;         /* guest address of uint64_t[argc + 1] */
    uint64_t heap_start;
    uint64_t heap_size;
    uint64_t stack_top;
    uint64_t stack_size;
    uint64_t memory_size;
    uint32_t flags;        /* HL_BOOT_* bits; since version 2 */
    uint32_t _reserved;    /* 0 */
};

/* Boot info flags: what the host's caller knows of where the guest's output
 * goes (hlrun: isatty(1) and isatty(2)). A C library buffers by them: stdout
 * line by line on a terminal, in large blocks elsewhere. */
#define HL_BOOT_STDOUT_TERMINAL 0x1u  /* fd 1 is a terminal */
#define HL_BOOT_STDERR_TERMINAL 0x2u  /* fd 2 is a terminal */

/* ---- Hypercalls: one `out` each, to port HL_PORT_BASE + number ----
 * The 32-bit value written is either a small immediate (exit) or the guest
 * address of the call's request block (struct hl_*_req). Fields are marked
 * in (guest to host) or out (host to guest). */
#define HL_PORT_BASE 0x500u

enum hl_hypercall {
    HL_CALL_EXIT  = 0, /* value: exit status (immediate) */
    HL_CALL_WRITE = 1, /* value: address of struct hl_write_req */
    HL_CALL_ABORT = 2, /* value: address of struct hl_abort_req */
    HL_CALL_CLOCK = 3, /* value: address of struct hl_clock_req */
    HL_CALL_READY = 4, /* value: HL_READY_* flags. The guest is initialised and waits for calls */
    HL_CALL_RETURN = 5, /* value: 0. The call in the call frame returned: ret is set */
    HL_CALL_HOST = 6,  /* value: address of struct hl_host_call_req */
    HL_CALL_READ = 7   /* value: address of struct hl_read_req */
};
#define HL_CALL_COUNT 16u

/* HL_CALL_READY's value: 0; bits other than this one are refused.
 * RELOADS_FPU was a guest's promise that the code after its ready `out`
 * reloads a clean FPU state. Hosts no longer take a guest's word for it (they
 * recognise hl's reset code after the `out` themselves, hl-abi(7) "Fresh
 * calls"), so the bit is accepted and ignored, for images built before. */
#define HL_READY_RELOADS_FPU 0x1u

#define HL_WRITE_MAX  (1u << 20) /* longest single write, bytes */
#define HL_ABORT_MAX  4096u      /* longest abort message, bytes */
#define HL_READ_MAX   (1u << 20) /* longest single read, bytes */

struct hl_write_req {
    uint32_t fd;      /* in: 1 = stdout, 2 = stderr */
    uint32_t _pad;
    uint64_t buf;     /* in: guest address */
    uint64_t len;     /* in: bytes, <= HL_WRITE_MAX */
    int64_t  result;  /* out: bytes written, or a negative error */
};

struct hl_read_req {
    uint32_t fd;      /* in: 0 = stdin */
    uint32_t _pad;
    uint64_t buf;     /* in: guest address */
    uint64_t len;     /* in: bytes, <= HL_READ_MAX */
    int64_t  result;  /* out: bytes read, 0 at the end of the input, or a negative error */
};

struct hl_abort_req {
    uint64_t msg;     /* in: guest address of the message (not NUL-terminated) */
    uint64_t len;     /* in: bytes, <= HL_ABORT_MAX */
};

struct hl_clock_req {
    uint64_t monotonic_ns; /* out: host CLOCK_MONOTONIC, ns */
};

/* ---- Guest functions: exports the host can call ----
 * A guest declares them with HL_EXPORT (<hl/guest.h>); each becomes a struct
 * hl_export record in the ELF section ".hl_exports", which the host reads
 * from the image before running anything. Types travel as one character:
 *   'i' int32_t   'l' int64_t   'u' uint64_t   'd' double   'b' bool
 *   's' string (hl_string: UTF-8 bytes + length)   'y' bytes (hl_bytes)
 *   'v' void (return only)
 * signature = return type, then each parameter: "lll" is int64_t f(int64_t, int64_t).
 *
 * A call: the guest, once initialised, makes HL_CALL_READY and waits there.
 * The host writes struct hl_call_frame at HL_CALL_AREA_ADDR (string and
 * bytes arguments into the data area after it) and resumes the guest, which
 * runs the export's thunk and makes HL_CALL_RETURN with ret set (a string or
 * bytes result points into guest memory and is copied by the host). The next
 * resume starts the next call. */
#define HL_EXPORT_SECTION   ".hl_exports"
#define HL_EXPORT_NAME_MAX  56u          /* bytes, NUL included */
#define HL_SIGNATURE_MAX    16u          /* bytes, NUL included */
#define HL_MAX_ARGS         8u
#define HL_MAX_EXPORTS      256u
#define HL_CALL_DATA_ADDR   (HL_CALL_AREA_ADDR + 0x1000u)
#define HL_CALL_DATA_MAX    (HL_CALL_AREA_SIZE - 0x1000u) /* all arguments' bytes together */
#define HL_VALUE_MAX        0x80000u     /* longest string or bytes value, 512 KiB */

struct hl_export {
    uint64_t thunk;                      /* guest address of void thunk(struct hl_call_frame *) */
    char name[HL_EXPORT_NAME_MAX];       /* NUL-terminated: [A-Za-z_][A-Za-z0-9_]* */
    char signature[HL_SIGNATURE_MAX];    /* NUL-terminated type characters */
};

struct hl_value {
    uint64_t bits;   /* integers, bool (0/1), double (IEEE bits), or a guest address for s/y */
    uint64_t len;    /* s/y: byte length; otherwise 0 */
};

struct hl_call_frame {
    uint32_t export_index;               /* in: index into .hl_exports */
    uint32_t argc;                       /* in */
    struct hl_value args[HL_MAX_ARGS];   /* in */
    struct hl_value ret;                 /* out */
};

/* ---- Host functions: functions the host registers, called by the guest ----
 * The guest names the function and the signature it expects; the host checks
 * both against what it registered, reads string/bytes arguments through its
 * checked views, and writes a string/bytes result into ret_buf. On failure
 * status is negative and error holds a NUL-terminated reason. */
#define HL_HOST_ERROR_MAX 256u

struct hl_host_call_req {
    char name[HL_EXPORT_NAME_MAX];       /* in */
    char signature[HL_SIGNATURE_MAX];    /* in: what the guest expects, as for exports */
    uint32_t argc;                       /* in */
    int32_t status;                      /* out: 0, or HL_ENOENT / HL_EINVAL / HL_EHOST */
    struct hl_value args[HL_MAX_ARGS];   /* in */
    struct hl_value ret;                 /* out: s/y point into ret_buf */
    uint64_t ret_buf;                    /* in: guest buffer for a string/bytes result */
    uint64_t ret_buf_size;               /* in */
    char error[HL_HOST_ERROR_MAX];       /* out */
};

/* Negative results a hypercall can return in its `result` field. */
#define HL_EBADF  (-9)
#define HL_EINVAL (-22)
#define HL_ENOENT (-2)     /* no such host function */
#define HL_EHOST  (-1000)  /* the host function failed (threw) */
#define HL_EIO    (-5)
/* write: the run is ending (timeout, cancel) and the host stopped waiting;
 * the guest does not resume to see it. */
#define HL_EINTR  (-4)
/* write: the reader of that stream is gone; the run ends (OutputClosed). */
#define HL_EPIPE  (-32)

/* ---- Image note: ELF note "hl", type HL_NOTE_ABI, in a PT_NOTE segment ---- */
#define HL_NOTE_NAME "hl"
#define HL_NOTE_ABI  1u

/* Image note flags. HL_NOTE_LINUX_SYSCALLS: the image is linked against musl
 * (hlbuild's libc = "musl"). The host serves its Linux system calls as for a
 * static Linux executable and starts it as Linux starts a process (at the
 * entry point, with argc, argv, envp and the auxiliary vector at the stack
 * pointer), and still writes the boot info at HL_BOOT_INFO_ADDR. Its image
 * may carry a PT_TLS. Every other bit is refused. */
#define HL_NOTE_LINUX_SYSCALLS 0x1u
#define HL_NOTE_KNOWN_FLAGS    HL_NOTE_LINUX_SYSCALLS

struct hl_image_note {
    uint32_t abi_version; /* HL_ABI_VERSION_MIN to HL_ABI_VERSION */
    uint32_t flags;       /* HL_NOTE_* bits; others must be 0 */
    uint64_t stack_size;  /* bytes the guest asks for its stack */
    uint64_t heap_size;   /* minimum heap bytes the guest needs */
};

#ifdef __cplusplus
static_assert(sizeof(struct hl_boot_info) == 72, "boot info layout");
static_assert(offsetof(struct hl_boot_info, flags) == 64, "boot info: version 1 ends at flags");
static_assert(sizeof(struct hl_write_req) == 32, "write request layout");
static_assert(sizeof(struct hl_abort_req) == 16, "abort request layout");
static_assert(sizeof(struct hl_clock_req) == 8, "clock request layout");
static_assert(sizeof(struct hl_image_note) == 24, "image note layout");
static_assert(sizeof(struct hl_export) == 80, "export record layout");
static_assert(sizeof(struct hl_call_frame) == 152, "call frame layout");
static_assert(sizeof(struct hl_host_call_req) == 496, "host call request layout");
#else
_Static_assert(sizeof(struct hl_boot_info) == 72, "boot info layout");
_Static_assert(offsetof(struct hl_boot_info, flags) == 64, "boot info: version 1 ends at flags");
_Static_assert(sizeof(struct hl_write_req) == 32, "write request layout");
_Static_assert(sizeof(struct hl_abort_req) == 16, "abort request layout");
_Static_assert(sizeof(struct hl_clock_req) == 8, "clock request layout");
_Static_assert(sizeof(struct hl_image_note) == 24, "image note layout");
_Static_assert(sizeof(struct hl_export) == 80, "export record layout");
_Static_assert(sizeof(struct hl_call_frame) == 152, "call frame layout");
_Static_assert(sizeof(struct hl_host_call_req) == 496, "host call request layout");
#endif

#endif /* HL_ABI_H */
