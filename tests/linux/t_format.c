/* Number formatting and parsing as real code uses it: printf's conversions,
 * strtod round trips, sscanf, inttypes. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    const double values[] = {0.1, 1.0 / 3.0, 2.5e-308, 1.7976931348623157e308, -0.0, 123456789.125, 6.02214076e23};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; ++i) {
        char text[64];
        snprintf(text, sizeof text, "%1.17g", values[i]);
        const double back = strtod(text, NULL);
        printf("%-26s %e %f %a %s\n", text, values[i], values[i], values[i],
               memcmp(&back, &values[i], sizeof back) == 0 ? "round-trips" : "DIFFERS");
    }
    int day, year;
    char month[16];
    double ratio;
    const int n = sscanf("14 March 1879 ratio=0.75", "%d %15s %d ratio=%lf", &day, month, &year, &ratio);
    printf("sscanf: %d fields: %d %s %d %.2f\n", n, day, month, year, ratio);
    const uint64_t big = UINT64_C(0xdeadbeefcafef00d);
    printf("inttypes: %" PRIu64 " %" PRIx64 " %" PRId32 "\n", big, big, INT32_MIN);
    printf("strtol: %ld %ld\n", strtol("-0x7f", NULL, 16), strtol("0777", NULL, 0));
    return 0;
}
