/* hypercall.c: the guest side of the hl ABI, one hypercall per call. Request
 * blocks live on the guest stack, whose addresses fit the 32-bit hypercall value
 * because guest memory never exceeds HL_MEMORY_MAX (4 GiB). */
#include <hl/guest.h>

#include "crt_internal.h"

static inline uint32_t hl_addr(const volatile void *p) { return (uint32_t)(uintptr_t)p; }

long hl_write(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    long total = 0;
    do {
        size_t chunk = len < HL_WRITE_MAX ? len : HL_WRITE_MAX;
        struct hl_write_req req = {.fd = (uint32_t)fd, .buf = (uint64_t)(uintptr_t)p, .len = chunk};
        __hl_hypercall(HL_CALL_WRITE, hl_addr(&req));
        if (req.result < 0)
            return total ? total : req.result;
        total += req.result;
        p += chunk;
        len -= chunk;
    } while (len > 0);
    return total;
}

long hl_read(int fd, void *buf, size_t len)
{
    struct hl_read_req req = {.fd = (uint32_t)fd, .buf = (uint64_t)(uintptr_t)buf,
                              .len = len < HL_READ_MAX ? len : HL_READ_MAX};
    __hl_hypercall(HL_CALL_READ, hl_addr(&req));
    return req.result;
}

_Noreturn void hl_exit(int status)
{
    __hl_hypercall(HL_CALL_EXIT, (uint32_t)status);
    __builtin_trap(); /* the host never resumes a guest that exited */
}

_Noreturn void hl_abort(const char *msg)
{
    size_t len = 0;
    while (msg[len] && len < HL_ABORT_MAX)
        len++;
    struct hl_abort_req req = {.msg = (uint64_t)(uintptr_t)msg, .len = len};
    __hl_hypercall(HL_CALL_ABORT, hl_addr(&req));
    __builtin_trap();
}

uint64_t hl_clock_ns(void)
{
    struct hl_clock_req req = {0};
    __hl_hypercall(HL_CALL_CLOCK, hl_addr(&req));
    return req.monotonic_ns;
}
