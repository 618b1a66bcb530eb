/* {{name}}: an hl function guest. Its exports are called by a host program
 * (host/main.cpp) or by `hlrun call`; it calls back into the host through
 * the host functions it declares. See hl-abi(7). */
#include <hl/guest.h>
#include <stdio.h>

/* A function the host registers (Sandbox::register_host). */
HL_HOST_FN(void, log_line, (hl_string, text));

static int64_t calls; /* state kept between calls, unless the host asks for fresh calls */

HL_EXPORT(int64_t, add, (int64_t, a), (int64_t, b))
{
    calls++;
    return a + b;
}

HL_EXPORT(hl_string, greet, (hl_string, name))
{
    static char text[256];
    const int n = snprintf(text, sizeof text, "hello, %.*s (call %lld)", (int)name.len, name.ptr, (long long)++calls);
    log_line((hl_string){text, (size_t)n});
    return (hl_string){text, (size_t)n};
}

int main(void)
{
    /* Initialisation runs once; the host can snapshot the state after it. */
    hl_serve();
}
