/* A plain C program built as a static Linux executable (tests/CMakeLists.txt
 * builds it with musl-gcc -static, and with the system's glibc as hl must
 * refuse it): its image rules are hl-abi(7), "Static Linux executables". */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("hello from %s with %d arguments\n", argv[0], argc - 1);
    return argc > 1 ? 3 : 0;
}
