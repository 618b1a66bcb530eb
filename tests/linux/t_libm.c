/* libm: the functions numeric code reaches for, printed exactly. */
#include <math.h>
#include <stdio.h>

int main(void)
{
    const double x = 0.7, y = 2.3;
    printf("sin %.17g cos %.17g tan %.17g\n", sin(x), cos(x), tan(x));
    printf("exp %.17g log %.17g log10 %.17g log2 %.17g\n", exp(y), log(y), log10(y), log2(y));
    printf("pow %.17g sqrt %.17g cbrt %.17g hypot %.17g\n", pow(x, y), sqrt(y), cbrt(y), hypot(x, y));
    printf("atan2 %.17g asin %.17g acos %.17g sinh %.17g\n", atan2(x, y), asin(x), acos(x), sinh(y));
    printf("fmod %.17g floor %.17g ceil %.17g round %.17g\n", fmod(y, x), floor(-y), ceil(-y), round(2.5));
    printf("lgamma %.17g tgamma %.17g erf %.17g\n", lgamma(y), tgamma(y), erf(x));
    printf("nan %d inf %d\n", isnan(sqrt(-1.0)) != 0, isinf(1.0 / 0.0) != 0);
    return 0;
}
