/* assert.c: the failure path of assert(), reported as one abort message. */
#include <assert.h>
#include <hl/guest.h>
#include <stdio.h>

void __hl_assert_fail(const char *expr, const char *file, int line, const char *func)
{
    /* The host truncates abort messages at HL_ABORT_MAX anyway. */
    static char msg[HL_ABORT_MAX];
    fflush(stdout); /* keep what the guest printed before the failure */
    snprintf(msg, sizeof msg, "Assertion failed: %s (%s:%d: %s)", expr, file, line, func);
    hl_abort(msg);
}
