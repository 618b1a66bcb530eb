/* stdio.c: the stdout/stderr streams and the string printfs. Streams buffer in
 * the guest so that output costs one hl_write (one VM exit) per flush. */
#include <hl/guest.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "crt_internal.h"

struct hl_file {
    int fd;
    bool line_buffered; /* else flushed at the end of every call */
    bool newline;       /* a '\n' is buffered: line mode flushes at call end */
    bool failed;        /* a write failed during the current call */
    char *buf;
    size_t cap;
    size_t len;
};

static char stdout_buf[4096];
/* stderr is unbuffered from the caller's view; the buffer only gathers one
 * call's pieces into a single write. */
static char stderr_buf[1024];

static FILE stdout_file = {1, true, false, false, stdout_buf, sizeof stdout_buf, 0};
static FILE stderr_file = {2, false, false, false, stderr_buf, sizeof stderr_buf, 0};
FILE *stdout = &stdout_file;
FILE *stderr = &stderr_file;

static void write_all(FILE *f, const char *p, size_t n)
{
    while (n) {
        long r = hl_write(f->fd, p, n);
        if (r <= 0) { /* nothing to retry against: drop the data, report it */
            f->failed = true;
            return;
        }
        p += r;
        n -= (size_t)r;
    }
}

/* Writes to the FILE only when something was buffered: an idle stream's page
 * stays clean, which keeps it out of the pages a fresh call's restore copies. */
static void flush(FILE *f)
{
    if (!f->len)
        return;
    write_all(f, f->buf, f->len);
    f->len = 0;
    f->newline = false;
}

static void sink(void *ctx, const char *s, size_t n)
{
    FILE *f = ctx;
    while (n) {
        if (f->len == 0 && n >= f->cap) { /* too big to gather: write in place */
            write_all(f, s, n);
            return;
        }
        size_t k = f->cap - f->len < n ? f->cap - f->len : n;
        memcpy(f->buf + f->len, s, k);
        if (f->line_buffered && !f->newline && memchr(s, '\n', k))
            f->newline = true;
        f->len += k;
        s += k;
        n -= k;
        if (f->len == f->cap)
            flush(f);
    }
}

static void begin(FILE *f)
{
    if (f->failed) /* a store only when needed: see flush */
        f->failed = false;
}

/* Flushing once per call, not per '\n', keeps a multi-line printf to one write. */
static bool end(FILE *f)
{
    if (!f->line_buffered || f->newline)
        flush(f);
    return !f->failed;
}

int fputc(int c, FILE *f)
{
    unsigned char ch = (unsigned char)c;
    begin(f);
    sink(f, (const char *)&ch, 1);
    return end(f) ? ch : EOF;
}

int putchar(int c) { return fputc(c, stdout); }

int fputs(const char *restrict s, FILE *restrict f)
{
    begin(f);
    sink(f, s, strlen(s));
    return end(f) ? 1 : EOF;
}

int puts(const char *s)
{
    size_t n = strlen(s);
    begin(stdout);
    sink(stdout, s, n);
    sink(stdout, "\n", 1);
    if (!end(stdout))
        return EOF;
    return n < __INT_MAX__ ? (int)n + 1 : __INT_MAX__;
}

int fflush(FILE *f)
{
    if (f == NULL)
        return (fflush(stdout) == 0) & (fflush(stderr) == 0) ? 0 : EOF;
    begin(f);
    flush(f);
    return f->failed ? EOF : 0;
}

void __hl_stdio_flush(void)
{
    fflush(NULL);
}

int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
    begin(f);
    int n = __hl_vformat(sink, f, fmt, ap);
    return end(f) ? n : -1;
}

int vprintf(const char *restrict fmt, va_list ap) { return vfprintf(stdout, fmt, ap); }

int fprintf(FILE *restrict f, const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(f, fmt, ap);
    va_end(ap);
    return n;
}

int printf(const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(stdout, fmt, ap);
    va_end(ap);
    return n;
}

/* The string printfs: the sink keeps what fits and counts the rest. */
struct strbuf {
    char *buf;
    size_t cap; /* bytes of buf, including the terminator's */
    size_t len;
};

static void strbuf_sink(void *ctx, const char *s, size_t n)
{
    struct strbuf *b = ctx;
    if (b->len + 1 >= b->cap)
        return;
    size_t room = b->cap - 1 - b->len;
    size_t k = n < room ? n : room;
    memcpy(b->buf + b->len, s, k);
    b->len += k;
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
    struct strbuf b = {buf, size, 0};
    int n = __hl_vformat(strbuf_sink, &b, fmt, ap);
    if (size)
        buf[b.len] = '\0';
    return n;
}

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int sprintf(char *restrict buf, const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, SIZE_MAX, fmt, ap);
    va_end(ap);
    return n;
}
