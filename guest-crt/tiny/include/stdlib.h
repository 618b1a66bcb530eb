/* <stdlib.h>: allocation, process exit and number parsing of the hl guest libc. */
#ifndef HL_STDLIB_H
#define HL_STDLIB_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

/* Every block is 16-byte aligned; NULL when the heap is exhausted. */
__attribute__((__malloc__)) void *malloc(size_t size);
void free(void *ptr);
__attribute__((__malloc__)) void *calloc(size_t nmemb, size_t size);
void *realloc(void *ptr, size_t size);

/* exit() flushes stdout first; abort() ends the guest abnormally. */
__attribute__((__noreturn__)) void exit(int status);
__attribute__((__noreturn__)) void abort(void);

int atoi(const char *s);
long atol(const char *s);
long long atoll(const char *s);
long strtol(const char *__restrict s, char **__restrict endptr, int base);
unsigned long strtoul(const char *__restrict s, char **__restrict endptr, int base);
long long strtoll(const char *__restrict s, char **__restrict endptr, int base);
unsigned long long strtoull(const char *__restrict s, char **__restrict endptr, int base);

int abs(int x);
long labs(long x);
long long llabs(long long x);

#ifdef __cplusplus
}
#endif

#endif /* HL_STDLIB_H */
