/* check.h: the self-checking helpers shared by the groups of the libc guest.
 * A failed check prints one line to stderr and the run goes on; main prints
 * the totals at the end. */
#ifndef LIBC_CHECK_H
#define LIBC_CHECK_H

#include <stddef.h>

extern const char *check_group; /* the group named in failure lines */
extern int check_count;
extern int check_failed;

/* Each returns 1 when the check passed, 0 when it failed. */
int check_str(const char *what, const char *got, const char *expected);
int check_int(const char *what, long long got, long long expected);
int check_uint(const char *what, unsigned long long got, unsigned long long expected);
int check_true(const char *what, int cond);
int check_mem(const char *what, const void *got, const void *expected, size_t n);

void group_printf(void);
void group_string(void);
void group_stdlib(void);
void group_malloc(void);
void group_data(void);
void group_ctype(void);

#endif
