/* Standard output as musl buffers it, which depends on whether it is a terminal:
 *   t_lines N     N lines "line I", then "end" with no newline
 *   t_lines tty   for fds 1 and 2, whether each is a terminal and of what
 *                 size, as isatty() and ioctl(TIOCGWINSZ) say */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void describe(int fd)
{
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) == 0)
        printf("fd %d: terminal, %u columns, %u rows, isatty %d\n", fd, size.ws_col, size.ws_row, isatty(fd));
    else
        printf("fd %d: no window size, isatty %d\n", fd, isatty(fd));
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "tty") == 0) {
        describe(1);
        describe(2);
        return 0;
    }
    const long n = argc > 1 ? atol(argv[1]) : 0;
    for (long i = 0; i < n; i++)
        printf("line %ld\n", i);
    printf("end");
    return 0;
}
