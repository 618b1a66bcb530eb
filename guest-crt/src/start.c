/* start.c: from the boot info to main(argc, argv) and exit(). */
#include <hl/guest.h>
#include <stdlib.h>

#include "crt_internal.h"

int main(int argc, char **argv);
_Noreturn void __hl_start(const struct hl_boot_info *info);

static const struct hl_boot_info *boot_info;

const struct hl_boot_info *hl_boot_info(void) { return boot_info; }

_Noreturn void __hl_start(const struct hl_boot_info *info)
{
    /* A host speaking another ABI would hand us a layout we cannot trust. */
    if (info->magic != HL_BOOT_MAGIC || info->abi_version != HL_ABI_VERSION)
        hl_abort("guest-crt: boot info has the wrong magic or ABI version");
    boot_info = info;
    __hl_malloc_init(info->heap_start, info->heap_size);
    exit(main((int)info->argc, (char **)(uintptr_t)info->argv));
}
