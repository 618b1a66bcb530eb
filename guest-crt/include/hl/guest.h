/* <hl/guest.h>: what a guest program can ask of its host. Each call is one
 * hypercall (one VM exit); see hl-abi(7) and <hl/abi.h> for the wire format. */
#ifndef HL_GUEST_H
#define HL_GUEST_H

#include <hl/abi.h>
#include <hl/export.h>
#include <hl/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Writes len bytes to the host's fd 1 (stdout) or 2 (stderr). Returns bytes
 * written or a negative HL_E* code. Unbuffered: one VM exit per call. */
long hl_write(int fd, const void *buf, size_t len);
/* Reads up to len bytes of fd 0 (the guest's standard input: hlrun's stdin,
 * or SandboxOptions::input) into buf, with one hypercall: the bytes read
 * (possibly fewer), 0 at the end of the input, or a negative HL_E* code
 * (HL_EBADF for any other fd). At most HL_READ_MAX bytes per call. */
long hl_read(int fd, void *buf, size_t len);

/* Ends the guest with status; the host's run returns it unchanged. Unlike
 * exit(), it runs no destructors and writes nothing stdio holds buffered. */
_Noreturn void hl_exit(int status);

/* Ends the guest abnormally, with a message the host reports. Unlike abort(),
 * it writes nothing stdio holds buffered. */
_Noreturn void hl_abort(const char *msg);

/* Host CLOCK_MONOTONIC in nanoseconds. */
uint64_t hl_clock_ns(void);

/* The read-only boot info the host wrote before the guest started. */
const struct hl_boot_info *hl_boot_info(void);

/* Declares the resources the image asks for. hlbuild emits one from the
 * project's hlbuild.toml; write it by hand only when linking without hlbuild.
 * Exactly one per image. HL_IMAGE_NOTE_FLAGS also sets the note's flags:
 * HL_NOTE_LINUX_SYSCALLS for an image linked against musl. */
#define HL_IMAGE_NOTE(stack_bytes, heap_bytes) HL_IMAGE_NOTE_FLAGS(stack_bytes, heap_bytes, 0)
#define HL_IMAGE_NOTE_FLAGS(stack_bytes, heap_bytes, note_flags)               \
    __attribute__((section(".note.hl"), aligned(4), used))                     \
    static const struct {                                                      \
        uint32_t namesz, descsz, type;                                         \
        char name[4];                                                          \
        struct hl_image_note desc;                                             \
    } hl_image_note_ = {3, sizeof(struct hl_image_note), HL_NOTE_ABI, "hl",    \
                        {HL_ABI_VERSION, (note_flags), (stack_bytes), (heap_bytes)}}

#ifdef __cplusplus
}
#endif

#endif /* HL_GUEST_H */
