/* abort() and a failed assert(), which musl ends by sending the process
 * SIGABRT: the run must end as aborted, not as a crash; and with "segv",
 * raise(SIGSEGV), another signal the process sends itself. */
#include <assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    printf("before\n");
    fflush(stdout);
    if (argc > 1 && strcmp(argv[1], "assert") == 0)
        assert(argc == 0);
    if (argc > 1 && strcmp(argv[1], "segv") == 0)
        raise(SIGSEGV);
    abort();
}
