/* Test guest: prints its arguments to stdout, "to stderr" on stderr, and
 * exits with the status given as `--exit N` (default 0). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    int status = 0;
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) {
        printf("argv[%d]=%s\n", i, argv[i]);
        if (strcmp(argv[i], "--exit") == 0 && i + 1 < argc)
            status = atoi(argv[i + 1]);
    }
    fprintf(stderr, "to stderr\n");
    return status;
}
