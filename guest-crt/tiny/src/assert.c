/* assert.c: the failure path of assert(), reported as one abort message. */
#include <assert.h>
#include <hl/guest.h>
#include <stdio.h>

#include "tiny_internal.h"

void __hl_assert_fail(const char *expr, const char *file, int line, const char *func)
{
    /* The host truncates abort messages at HL_ABORT_MAX anyway. */
    static char msg[HL_ABORT_MAX];
    snprintf(msg, sizeof msg, "Assertion failed: %s (%s:%d: %s)", expr, file, line, func);
    __hl_fail(msg);
}
