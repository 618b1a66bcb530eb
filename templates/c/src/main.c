/* {{name}}: an hl guest. It runs in its own micro-VM with no OS: only the
 * calls in <hl/guest.h> and the small libc of hl-abi(7) reach the outside. */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("hello from {{name}}, a guest with %d argument%s\n", argc - 1, argc == 2 ? "" : "s");
    for (int i = 1; i < argc; i++)
        printf("  argv[%d] = \"%s\"\n", i, argv[i]);
    return 0;
}
