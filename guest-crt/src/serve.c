/* serve.c: the guest side of calls from the host (see <hl/export.h>). */
#include <hl/guest.h>
#include <string.h>

#include "crt_internal.h"

/* Laid out by guest.ld from every HL_EXPORT record. */
extern const struct hl_export __hl_exports_start[], __hl_exports_end[];

hl_string hl_str(const char *text)
{
    return (hl_string){text, strlen(text)};
}

_Noreturn void hl_serve(void)
{
    struct hl_call_frame *frame = (struct hl_call_frame *)(uintptr_t)HL_CALL_AREA_ADDR;
    /* Buffered output belongs to initialisation: out before the host snapshots. */
    __hl_stdio_flush();
    __hl_serve_wait(__hl_hypercall_target(HL_CALL_READY), 0);
    for (;;) {
        /* The host checked export_index and the arguments against the export's
         * signature before resuming us. */
        const struct hl_export *export = &__hl_exports_start[frame->export_index];
        ((void (*)(struct hl_call_frame *))(uintptr_t)export->thunk)(frame);
        __hl_stdio_flush();
        __hl_serve_wait(__hl_hypercall_target(HL_CALL_RETURN), 0);
    }
}
