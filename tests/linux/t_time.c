/* time.h: real clocks (checked, not printed) and calendar arithmetic. */
#include <stdio.h>
#include <time.h>

int main(void)
{
    const time_t now = time(NULL);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    clock_gettime(CLOCK_MONOTONIC, &b);
    const int monotonic = b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec);
    struct timespec real;
    clock_gettime(CLOCK_REALTIME, &real);
    printf("time after 2020: %d; monotonic: %d; realtime agrees: %d\n", now > 1577836800, monotonic,
           real.tv_sec - now >= 0 && real.tv_sec - now < 5);
    const time_t moment = 1700000000;
    struct tm utc;
    gmtime_r(&moment, &utc);
    char text[64];
    strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S %A %j", &utc);
    printf("gmtime: %s; mktime back: %d\n", text, timegm(&utc) == moment);
    printf("difftime: %.1f\n", difftime(moment, moment - 90));
    printf("clock() runs: %d\n", clock() >= 0);
    return 0;
}
