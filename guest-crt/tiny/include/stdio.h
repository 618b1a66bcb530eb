/* <stdio.h>: stdout/stderr output, stdin input and printf formatting of the hl guest libc. */
#ifndef HL_STDIO_H
#define HL_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EOF (-1)

/* Only the three host streams exist: stdout is line-buffered on a terminal
 * and written in 16 KiB blocks otherwise (the host says which in the boot
 * info), stderr is written at the end of every call, stdin reads the host's
 * input in blocks of up to 4 KiB. Buffered output goes out at fflush, exit,
 * return from main, abort and a failed assert, and after each call of a
 * function guest; a fault, hl_exit and hl_abort lose it. Reading works on
 * stdin only, writing on stdout and stderr only. */
typedef struct hl_file FILE;
extern FILE *stdin;
extern FILE *stdout;
extern FILE *stderr;

int fgetc(FILE *stream);
int getc(FILE *stream);
int getchar(void);
/* Reads up to n - 1 bytes, through the first newline; NULL at the end of the input. */
char *fgets(char *__restrict s, int n, FILE *__restrict stream);
size_t fread(void *__restrict ptr, size_t size, size_t count, FILE *__restrict stream);
int feof(FILE *stream);
int ferror(FILE *stream);

int putchar(int c);
int puts(const char *s);
int fputc(int c, FILE *stream);
int fputs(const char *__restrict s, FILE *__restrict stream);
/* NULL flushes every stream. */
int fflush(FILE *stream);

__attribute__((__format__(__printf__, 1, 2))) int printf(const char *__restrict fmt, ...);
__attribute__((__format__(__printf__, 2, 3))) int fprintf(FILE *__restrict stream,
                                                  const char *__restrict fmt, ...);
__attribute__((__format__(__printf__, 1, 0))) int vprintf(const char *__restrict fmt, va_list ap);
__attribute__((__format__(__printf__, 2, 0))) int vfprintf(FILE *__restrict stream,
                                                   const char *__restrict fmt, va_list ap);
__attribute__((__format__(__printf__, 2, 3))) int sprintf(char *__restrict buf,
                                                  const char *__restrict fmt, ...);
__attribute__((__format__(__printf__, 3, 4))) int snprintf(char *__restrict buf, size_t size,
                                                   const char *__restrict fmt, ...);
__attribute__((__format__(__printf__, 3, 0))) int vsnprintf(char *__restrict buf, size_t size,
                                                    const char *__restrict fmt, va_list ap);

/* Implementation detail shared by the string and FILE printf variants: formats
 * into a sink called with each piece; returns the length, or -1 past INT_MAX. */
typedef void (*__hl_sink)(void *ctx, const char *s, size_t n);
int __hl_vformat(__hl_sink sink, void *ctx, const char *fmt, va_list ap);

#ifdef __cplusplus
}
#endif

#endif /* HL_STDIO_H */
