/* start.c: from the boot info to main(argc, argv) and exit(). */
#include <hl/guest.h>
#include <stdlib.h>

#include "tiny_internal.h"

int main(int argc, char **argv);
_Noreturn void __hl_start(const struct hl_boot_info *info);

static const struct hl_boot_info *boot_info;

/* Laid out by guest.ld. */
typedef void (*hl_init_fn)(void);
extern const hl_init_fn __init_array_start[], __init_array_end[];
extern const hl_init_fn __fini_array_start[], __fini_array_end[];

void __hl_run_destructors(void)
{
    /* Reverse order of construction, as C and C++ expect. */
    for (const hl_init_fn *fn = __fini_array_end; fn != __fini_array_start;)
        (*--fn)();
}

const struct hl_boot_info *hl_boot_info(void) { return boot_info; }

_Noreturn void __hl_start(const struct hl_boot_info *info)
{
    /* A host speaking another ABI would hand us a layout we cannot trust. */
    if (info->magic != HL_BOOT_MAGIC || info->abi_version != HL_ABI_VERSION)
        hl_abort("guest-crt: boot info has the wrong magic or ABI version");
    boot_info = info;
    __hl_malloc_init(info->heap_start, info->heap_size);
    __hl_stdio_init(info->flags);
    for (const hl_init_fn *fn = __init_array_start; fn != __init_array_end; fn++)
        (*fn)();
    exit(main((int)info->argc, (char **)(uintptr_t)info->argv));
}
