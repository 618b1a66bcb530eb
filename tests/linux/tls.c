/* A static Linux executable with thread-local storage: its PT_TLS has a
 * template from the file (counter) and zero-filled bytes (scratch). */
#include <stdio.h>
#include <string.h>

static __thread int counter = 41;
static __thread char scratch[64];

int main(void)
{
    counter++;
    strcpy(scratch, "thread-local");
    printf("%s %d\n", scratch, counter);
    return counter == 42 ? 0 : 1;
}
