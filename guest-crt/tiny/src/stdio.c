/* stdio.c: the stdin/stdout/stderr streams and the string printfs. Streams
 * buffer in the guest so that output costs one hl_write (one VM exit) per
 * flush, and input one hl_read per 4 KiB. */
#include <hl/guest.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "crt_internal.h"
#include "tiny_internal.h"

/* When a stream's output goes to the host. */
enum buffering {
    UNBUFFERED, /* at the end of every call (of printf, fputs, ...) */
    LINE,       /* at the end of every call that buffered a newline */
    FULL,       /* when the buffer fills */
};

struct hl_file {
    int fd;
    enum buffering mode;
    bool newline;       /* a '\n' is buffered: line mode flushes at call end */
    bool failed;        /* a write failed during the current call */
    char *buf;
    size_t cap;
    size_t len;         /* bytes buffered (input: read from the host) */
    size_t pos;         /* input: the next byte to hand out */
    bool eof;           /* input: the host said the input ended */
};

/* Into a file or a pipe, 200,000 lines of printf("line %d\n", i) (2.3 MB)
 * take 140 writes with 16 KiB, 559 with 4 KiB (2.5 times the run's time,
 * measured), 35 with 64 KiB (a further ~15%, noisy: not worth the memory). A
 * call that prints little dirties one page of it, as with 4 KiB. */
static char stdout_buf[16384];
/* stderr is unbuffered from the caller's view; the buffer only gathers one
 * call's pieces into a single write. */
static char stderr_buf[1024];

static char stdin_buf[4096];

/* stdout's mode is the boot info's to say (__hl_stdio_init). */
static FILE stdout_file = {1, FULL, false, false, stdout_buf, sizeof stdout_buf, 0, 0, false};
static FILE stderr_file = {2, UNBUFFERED, false, false, stderr_buf, sizeof stderr_buf, 0, 0, false};
static FILE stdin_file = {0, UNBUFFERED, false, false, stdin_buf, sizeof stdin_buf, 0, 0, false};
FILE *stdin = &stdin_file;
FILE *stdout = &stdout_file;
FILE *stderr = &stderr_file;

void __hl_stdio_init(uint32_t boot_flags)
{
    /* As C libraries do natively: line by line where someone may be watching. */
    stdout_file.mode = (boot_flags & HL_BOOT_STDOUT_TERMINAL) ? LINE : FULL;
}

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
    if (!f->len || f == stdin) /* stdin's buffer holds input, nothing to write */
        return;
    write_all(f, f->buf, f->len);
    f->len = 0;
    f->newline = false;
}

static void sink(void *ctx, const char *s, size_t n)
{
    FILE *f = ctx;
    if (f == stdin) { /* not a stream to write to */
        f->failed = true;
        return;
    }
    while (n) {
        if (f->len == 0 && n >= f->cap) { /* too big to gather: write in place */
            write_all(f, s, n);
            return;
        }
        size_t k = f->cap - f->len < n ? f->cap - f->len : n;
        memcpy(f->buf + f->len, s, k);
        if (f->mode == LINE && !f->newline && memchr(s, '\n', k))
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
    if (f->mode == UNBUFFERED || (f->mode == LINE && f->newline))
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

/* ---- Input: stdin only ---- */

static bool refill(FILE *f)
{
    if (f->eof || f->failed)
        return false;
    /* A prompt without a newline shows before the program waits for the
     * answer, on a terminal; into a file or a pipe, output keeps its blocks. */
    if (stdout_file.mode == LINE)
        flush(&stdout_file);
    const long got = hl_read(f->fd, f->buf, f->cap);
    if (got <= 0) {
        if (got < 0)
            f->failed = true;
        else
            f->eof = true;
        return false;
    }
    f->pos = 0;
    f->len = (size_t)got;
    return true;
}

int fgetc(FILE *f)
{
    if (f != stdin)
        return EOF;
    if (f->pos == f->len && !refill(f))
        return EOF;
    return (unsigned char)f->buf[f->pos++];
}

int getc(FILE *f) { return fgetc(f); }
int getchar(void) { return fgetc(stdin); }

char *fgets(char *restrict s, int n, FILE *restrict f)
{
    if (n <= 0)
        return NULL;
    int i = 0;
    while (i < n - 1) {
        const int c = fgetc(f);
        if (c == EOF)
            break;
        s[i++] = (char)c;
        if (c == '\n')
            break;
    }
    if (i == 0)
        return NULL;
    s[i] = '\0';
    return s;
}

size_t fread(void *restrict ptr, size_t size, size_t count, FILE *restrict f)
{
    if (f != stdin || size == 0 || count == 0 || count > (size_t)-1 / size)
        return 0;
    const size_t want = size * count;
    char *out = ptr;
    size_t got = 0;
    while (got < want && (f->pos < f->len || refill(f))) {
        size_t k = f->len - f->pos < want - got ? f->len - f->pos : want - got;
        memcpy(out + got, f->buf + f->pos, k);
        f->pos += k;
        got += k;
    }
    return got / size;
}

int feof(FILE *f) { return f == stdin && f->eof && f->pos == f->len; }
int ferror(FILE *f) { return f->failed; }
