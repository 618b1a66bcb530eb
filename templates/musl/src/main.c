/* {{name}}: an hl guest whose C library is musl. It runs in its own micro-VM
 * with no OS; the host serves musl's system calls (hl-abi(7), LINUX SYSTEM
 * CALLS), so the whole standard library works. It prints what it was given,
 * then serves calls: 'hlrun call build/{{name}}.hl mean 1.5 2 4'. */
#include <hl/guest.h>
#include <stdio.h>
#include <stdlib.h>

static char text[HL_VALUE_MAX];

/* The mean of three numbers, as text: "%g" and strtod are musl's. */
HL_EXPORT(hl_string, mean, (double, a), (double, b), (double, c))
{
    const int n = snprintf(text, sizeof text, "%g", (a + b + c) / 3);
    return (hl_string){text, (size_t)n};
}

/* Parses a number the way C does, or returns NaN when it is not one. */
HL_EXPORT(double, parse, (hl_string, number))
{
    char buffer[64];
    const int n = snprintf(buffer, sizeof buffer, "%.*s", (int)number.len, number.ptr);
    char *end;
    const double value = strtod(buffer, &end);
    return n > 0 && *end == '\0' ? value : 0.0 / 0.0;
}

int main(int argc, char **argv)
{
    printf("hello from {{name}}, a musl guest with %d argument%s\n", argc - 1, argc == 2 ? "" : "s");
    for (int i = 1; i < argc; i++)
        printf("  argv[%d] = \"%s\" = %g\n", i, argv[i], strtod(argv[i], NULL));
    hl_serve(); /* ready: the host calls mean and parse from here on */
}
