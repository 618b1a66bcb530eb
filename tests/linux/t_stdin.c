/* Standard input through stdio: lines in, a summary and the text upper-cased out. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    char line[256];
    int lines = 0;
    size_t bytes = 0;
    while (fgets(line, sizeof line, stdin)) {
        ++lines;
        bytes += strlen(line);
        for (char* c = line; *c; ++c)
            *c = (char)toupper((unsigned char)*c);
        fputs(line, stdout);
    }
    printf("%d lines, %zu bytes, eof %d\n", lines, bytes, feof(stdin) != 0);
    return 0;
}
