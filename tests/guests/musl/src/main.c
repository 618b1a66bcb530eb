/* The musl test guest: an hl guest whose C library is musl. main prints with
 * musl's stdio and serves calls; the exports use what the tiny libc lacks
 * (%.17g, strtod, qsort, open_memstream, fopen), malloc'd and thread-local
 * state, the boot info and a host function. */
#include <errno.h>
#include <hl/guest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

HL_HOST_FN(int64_t, twice, (int64_t, x));

static char text[4096];                     /* results outlive the call: not on the stack */
static int64_t *counter;                    /* malloc'd by main: state a fresh call resets */
static FILE *memlog;                        /* musl's stdio state, grown by remember */
static char *memlog_data;
static size_t memlog_size;
static _Thread_local int64_t tls_calls = 7; /* a PT_TLS with a template */

static hl_string result(int n)
{
    return (hl_string){text, n < 0 ? 0 : (size_t)n < sizeof text ? (size_t)n : sizeof text - 1};
}

HL_EXPORT(hl_string, format, (double, x))
{
    return result(snprintf(text, sizeof text, "%.17g", x));
}

HL_EXPORT(double, parse, (hl_string, number))
{
    snprintf(text, sizeof text, "%.*s", (int)number.len, number.ptr);
    return strtod(text, NULL);
}

static int by_value(const void *a, const void *b)
{
    const long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* "5 3 -1" -> "-1 3 5". */
HL_EXPORT(hl_string, sort, (hl_string, numbers))
{
    char *copy = strndup(numbers.ptr, numbers.len);
    long *values = malloc(numbers.len * sizeof *values + 1);
    size_t count = 0;
    for (char *at = copy, *end; copy && values; at = end) {
        const long value = strtol(at, &end, 10);
        if (end == at)
            break;
        values[count++] = value;
    }
    qsort(values, count, sizeof *values, by_value);
    int n = 0;
    for (size_t i = 0; i < count && n >= 0 && (size_t)n < sizeof text; i++)
        n += snprintf(text + n, sizeof text - (size_t)n, i ? " %ld" : "%ld", values[i]);
    free(values);
    free(copy);
    return result(n);
}

HL_EXPORT(int64_t, next)
{
    return ++*counter;
}

HL_EXPORT(int64_t, tls_next)
{
    return ++tls_calls;
}

/* Appends to a memory stream and returns how many bytes it holds. */
HL_EXPORT(int64_t, remember, (hl_string, word))
{
    fprintf(memlog, "%.*s;", (int)word.len, word.ptr);
    fflush(memlog);
    return (int64_t)memlog_size;
}

/* Buffered by stdio, without a newline: out when hl_serve flushes after the call. */
HL_EXPORT(void, say, (hl_string, words))
{
    printf("%.*s", (int)words.len, words.ptr);
}

/* The first line of a file in a mapped directory (hlrun --dir), or why not. */
HL_EXPORT(hl_string, first_line, (hl_string, path))
{
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)path.len, path.ptr);
    FILE *file = fopen(name, "r");
    if (!file)
        return result(snprintf(text, sizeof text, "%s: %s", name, strerror(errno)));
    if (!fgets(text, sizeof text, file))
        text[0] = '\0';
    fclose(file);
    return result((int)strlen(text));
}

HL_EXPORT(int64_t, boot_argc)
{
    return hl_boot_info()->argc;
}

/* HL_BOOT_STDOUT_TERMINAL, HL_BOOT_STDERR_TERMINAL: what the host said of the streams. */
HL_EXPORT(int64_t, boot_flags)
{
    return hl_boot_info()->flags;
}

HL_EXPORT(int64_t, use_host, (int64_t, x))
{
    int64_t doubled;
    const int status = twice(&doubled, x);
    if (status != 0) {
        printf("twice failed: %s\n", hl_host_error());
        return status;
    }
    return doubled;
}

int main(int argc, char **argv)
{
    /* "exit N": returns N through musl's exit, which flushes stdout first. */
    if (argc == 3 && strcmp(argv[1], "exit") == 0) {
        printf("exiting with %s\n", argv[2]);
        return atoi(argv[2]);
    }
    /* "lines N": N lines "line I", then "end" with no newline, buffered as
     * musl buffers a terminal (line by line) or anything else (in blocks). */
    if (argc == 3 && strcmp(argv[1], "lines") == 0) {
        for (long i = 0, n = atol(argv[2]); i < n; i++)
            printf("line %ld\n", i);
        printf("end");
        return 0;
    }
    counter = malloc(sizeof *counter);
    memlog = open_memstream(&memlog_data, &memlog_size);
    if (!counter || !memlog)
        return 99;
    *counter = 100;
    const char *greeting = getenv("GREETING");
    printf("musl guest: %g %s, tls %lld, %d argument%s\n", 0.5, greeting ? greeting : "(no GREETING)",
           (long long)tls_calls, argc - 1, argc == 2 ? "" : "s");
    hl_serve();
}
