/* host_call.c: the guest side of host functions (see <hl/host.h>). */
#include <hl/guest.h>
#include <string.h>

#include "crt_internal.h"

static char last_error[HL_HOST_ERROR_MAX];
/* Where the host writes a string or bytes result; valid until the next call. */
static char result_buffer[HL_VALUE_MAX];

const char *hl_host_error(void)
{
    return last_error;
}

int __hl_host_call(const char *name, const char *signature, const struct hl_value *args, uint32_t argc,
                   struct hl_value *ret)
{
    struct hl_host_call_req req;
    memset(&req, 0, sizeof req);
    strncpy(req.name, name, sizeof req.name - 1);
    strncpy(req.signature, signature, sizeof req.signature - 1);
    req.argc = argc;
    memcpy(req.args, args, argc * sizeof args[0]);
    req.ret_buf = (uint64_t)(uintptr_t)result_buffer;
    req.ret_buf_size = sizeof result_buffer;
    __hl_hypercall(HL_CALL_HOST, (uint32_t)(uintptr_t)&req);
    memcpy(last_error, req.error, sizeof last_error);
    last_error[sizeof last_error - 1] = '\0';
    *ret = req.ret;
    return req.status;
}
