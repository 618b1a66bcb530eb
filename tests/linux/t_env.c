/* Arguments, environment and exit status. */
#include <stdio.h>
#include <stdlib.h>

extern char** environ;

int main(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i)
        printf("argv[%d] = %s\n", i, argv[i]);
    int count = 0;
    for (char** e = environ; *e; ++e)
        ++count;
    const char* greeting = getenv("GREETING");
    printf("%d environment entries; GREETING=%s\n", count, greeting ? greeting : "(unset)");
    return argc > 1 ? atoi(argv[argc - 1]) : 0;
}
