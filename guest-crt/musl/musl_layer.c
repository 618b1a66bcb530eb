/* musl_layer.c: what hl's layer (src/) asks of its C library, given on top of
 * musl. With src/ compiled against musl's headers, it makes libhlmusl.a. */
#include <hl/guest.h>
#include <stdio.h>
#include <stdio_ext.h>

#include "crt_internal.h"

/* musl's own _start runs, not crt0's, so no one hands the boot info over:
 * the host writes it at its fixed address for every hl image. */
const struct hl_boot_info *hl_boot_info(void)
{
    return (const struct hl_boot_info *)(uintptr_t)HL_BOOT_INFO_ADDR;
}

/* As the tiny libc's start-up does: a host speaking another ABI would hand us
 * a layout we cannot trust. Runs among musl's constructors, before main. */
__attribute__((constructor)) static void check_boot_info(void)
{
    const struct hl_boot_info *info = hl_boot_info();
    if (info->magic != HL_BOOT_MAGIC || info->abi_version != HL_ABI_VERSION)
        hl_abort("libhlmusl: boot info has the wrong magic or ABI version");
}

/* stdout and stderr, only when they hold output: musl's fflush writes the
 * FILE even when it has nothing to write, and a page written by every call
 * is one more page every fresh call restores. */
void __hl_stdio_flush(void)
{
    if (__fpending(stdout))
        fflush(stdout);
    if (__fpending(stderr))
        fflush(stderr);
}
