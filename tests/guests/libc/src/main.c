/* Test guest: the libc of guest-crt checked from inside a guest.
 *
 *   libc [GROUP]   runs the checks of GROUP (printf, string, stdlib, malloc,
 *                  data, ctype), or all of them; a failed check prints
 *                  "FAIL group: what: got "..." expected "..."" to stderr, and
 *                  the run ends with "libc: N checks, M failed" on stdout and
 *                  status M ? 1 : 0.
 *   libc hello     boot info sanity, then the same summary line.
 *   libc abort     calls abort().
 *   libc assert    fails assert(1 == 2).
 *   libc exit7     prints "bye" with no newline, then exit(7): exit() flushes.
 *   libc float     prints "half: " with no newline, then printf("%1.17g") of
 *                  0.5, which the tiny libc refuses by aborting.
 *   libc wide      snprintf("%ls"), refused the same way.
 *   libc cat       copies stdin to stdout with fgets (63-byte pieces), then
 *                  "cat: P pieces, B bytes, eof E, error R, then C"; C is
 *                  getchar() after the end (-1).
 *   libc lines N [END]
 *                  N lines "line I" with printf, then "end" with no newline,
 *                  then END: return from main (the default), exit, abort,
 *                  assert (a failed assert), or fault (a write to address 0).
 *   libc prompt    "name? " with no newline, reads a line from stdin, then
 *                  "hello, NAME" (NAME without its newline). */
#include <assert.h>
#include <hl/guest.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const struct {
    const char *name;
    void (*run)(void);
} groups[] = {
    {"printf", group_printf}, {"string", group_string}, {"stdlib", group_stdlib},
    {"malloc", group_malloc}, {"data", group_data},     {"ctype", group_ctype},
};

static void group_hello(int argc, char **argv)
{
    const struct hl_boot_info *info = hl_boot_info();
    if (!check_true("hl_boot_info() not NULL", info != NULL))
        return;
    check_int("boot info argc", info->argc, argc);
    check_true("boot info argv", (uintptr_t)info->argv == (uintptr_t)argv);
    check_true("argv[argc] is NULL", argv[argc] == NULL);
    check_true("heap_size > 0", info->heap_size > 0);
    check_true("heap_size >= 4 MiB (hlbuild.toml)", info->heap_size >= 4u << 20);
    check_true("stack_size > 0", info->stack_size > 0);
    check_true("heap inside memory", info->heap_start + info->heap_size <= info->memory_size);
    void *p = malloc(16);
    check_true("malloc lands in the heap",
               (uintptr_t)p >= info->heap_start &&
                   (uintptr_t)p < info->heap_start + info->heap_size);
    free(p);
    printf("hello: argc=%d heap_size>0=%s\n", argc, info->heap_size > 0 ? "yes" : "no");
}

/* "destructor" mode: destructors run at exit, after main, in reverse order. */
static int report_destructors;
__attribute__((destructor)) static void destroy_first(void)
{
    if (report_destructors)
        printf("destructor 2\n");
}
__attribute__((destructor)) static void destroy_second(void)
{
    if (report_destructors)
        printf("destructor 1\n");
}

int main(int argc, char **argv)
{
    const char *want = argc > 1 ? argv[1] : NULL;

    if (want && strcmp(want, "abort") == 0) {
        abort();
    } else if (want && strcmp(want, "assert") == 0) {
        assert(1 == 2);
        return 3; /* not reached */
    } else if (want && strcmp(want, "exit7") == 0) {
        printf("bye");
        exit(7);
    } else if (want && strcmp(want, "float") == 0) {
        printf("half: ");
        printf("%1.17g\n", 0.5);
        return 3; /* not reached */
    } else if (want && strcmp(want, "wide") == 0) {
        char text[8];
        snprintf(text, sizeof text, "%-3ls", L"w");
        return 3; /* not reached */
    } else if (want && strcmp(want, "cat") == 0) {
        char piece[64];
        int pieces = 0;
        unsigned long bytes = 0;
        while (fgets(piece, sizeof piece, stdin)) {
            ++pieces;
            bytes += strlen(piece);
            fputs(piece, stdout);
        }
        printf("cat: %d pieces, %lu bytes, eof %d, error %d, then %d\n", pieces, bytes, feof(stdin),
               ferror(stdin), getchar());
        return 0;
    } else if (want && strcmp(want, "lines") == 0 && argc > 2) {
        const char *end = argc > 3 ? argv[3] : "return";
        for (long i = 0, n = atol(argv[2]); i < n; i++)
            printf("line %ld\n", i);
        printf("end");
        if (strcmp(end, "exit") == 0)
            exit(0);
        if (strcmp(end, "abort") == 0)
            abort();
        assert(strcmp(end, "assert") != 0);
        if (strcmp(end, "fault") == 0)
            *(volatile int *)(uintptr_t)argc = 0; /* argc < 4096: the null page */
        return 0;
    } else if (want && strcmp(want, "prompt") == 0) {
        char name[64];
        printf("name? ");
        if (!fgets(name, sizeof name, stdin))
            return 1;
        char *newline = strchr(name, '\n');
        if (newline)
            *newline = '\0';
        printf("hello, %s\n", name);
        return 0;
    } else if (want && strcmp(want, "destructor") == 0) {
        report_destructors = 1;
        printf("main\n");
        return 0;
    } else if (want && strcmp(want, "hello") == 0) {
        check_group = "hello";
        group_hello(argc, argv);
    } else {
        int found = 0;
        for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
            if (want == NULL || strcmp(want, groups[i].name) == 0) {
                check_group = groups[i].name;
                groups[i].run();
                found = 1;
            }
        }
        if (!found) {
            fprintf(stderr, "libc: unknown group '%s' (printf string stdlib malloc data ctype"
                            " hello abort assert exit7 float wide cat lines prompt)\n", want);
            return 2;
        }
    }
    printf("libc: %d checks, %d failed\n", check_count, check_failed);
    return check_failed ? 1 : 0;
}
