/* Floating point end to end: printf of float/double/long double in every format, strtod,
   libm, conversions, and the C library's SIMD string functions on unaligned buffers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile double vd[] = {0.0, -0.0, 1.0, 0.1, 1.0 / 3.0, 2.5, -7.25e-5, 123456.789, 1e300, 5e-324, 2.2250738585072014e-308, 1e22, 9007199254740993.0};
static volatile float vf[] = {0.0f, 1.0f, 0.1f, 3.14159265f, -2.5e-3f, 1e30f, 1.17549435e-38f};

int main(int argc, char **argv) {
    int n = (int)(sizeof vd / sizeof vd[0]);
    for (int i = 0; i < n; i++) {
        double x = vd[i];
        printf("%d: %f %e %g %a %.17g\n", i, x, x, x, x, x);
    }
    for (int i = 0; i < (int)(sizeof vf / sizeof vf[0]); i++) {
        float f = vf[i];
        printf("f%d: %f %g %a %.9g\n", i, f, f, f, f * 3.0f + 1.0f);
    }
    const char *strs[] = {"3.14159", "1e-310", "0x1.8p3", "-inf", "nan", "2.2250738585072011e-308", "123456789012345678901234567890", "4.9e-324", "1.7976931348623157e308"};
    for (int i = 0; i < 9; i++) {
        double d = strtod(strs[i], NULL);
        printf("strtod(%s) = %.17g %a\n", strs[i], d, d);
    }
    for (int i = 1; i < 8; i++) {
        double x = vd[i] + i * 0.37;
        printf("m%d: sqrt=%.17g sin=%.17g cos=%.17g exp=%.17g log=%.17g pow=%.17g atan2=%.17g\n", i, sqrt(fabs(x)), sin(x), cos(x), exp(x / 10), log(fabs(x) + 1), pow(fabs(x), 1.7), atan2(x, 2.0));
        printf("  floor=%g ceil=%g round=%g trunc=%g lrint=%ld fmod=%g\n", floor(x * 10), ceil(x * 10), round(x * 10), trunc(x * 10), lrint(x * 10), fmod(x * 10, 3.0));
    }
    double acc = 0;
    for (int i = 1; i <= 1000; i++) acc += 1.0 / ((double)i * i);
    printf("sum=%.17g int=%d uint=%u ll=%lld\n", acc, (int)(acc * 1e6), (unsigned)(acc * 1e9), (long long)(acc * 1e15));
    float fa = 0;
    for (int i = 0; i < 1000; i++) fa += 0.1f * (float)i;
    printf("fsum=%.9g\n", fa);
    static char buf[5000], buf2[5000];
    for (int i = 0; i < 4999; i++) buf[i] = 'a' + (i * 7) % 26;
    for (int off = 0; off < 17; off++) {
        memcpy(buf2 + off, buf + 3, 4000 - off);
        buf2[off + 3990] = 0;
        printf("len=%zu cmp=%d chr=%td rchr=%td\n", strlen(buf2 + off), memcmp(buf2 + off, buf + 3, 3000), strchr(buf2 + off, 'z') - buf2, strrchr(buf2 + off, 'q') - buf2);
    }
    long double ld = 1.0L;
    for (int i = 1; i < 30; i++) ld = ld * 1.1L + 1.0L / (long double)i;
    printf("ld=%Lf %Le %Lg %La %.21Lg\n", ld, ld, ld, ld, ld);
    long double third = 1.0L / 3.0L;
    printf("third=%.25Lf sqrtl=%.21Lg\n", third, sqrtl(2.0L));
    for (int i = 0; i < n; i++) {
        long double e = vd[i];
        printf("e%d: %.20Lg %d %lld\n", i, e * e - 1.0L, e < 0.5L, (long long)(e * 1000.0L));
    }
    unsigned long u = (unsigned long)(vd[12] * 1.5);
    printf("u=%lu f=%f back=%f\n", u, (double)u, (double)(float)vd[4]);
    return argc - 1;
}
