/* Loops gcc vectorizes (-O3 -march=x86-64-v2: SSE4.2, SSSE3, POPCNT): integer and float
   arithmetic, reductions, conversions, min/max, shuffles, byte searches, popcount; the
   results printed exactly (%a for floats). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define N 1003
static int32_t a[N], b[N], c[N];
static int16_t s[N];
static uint8_t u8[N];
static float f[N], g[N];
static double d[N];
static int64_t q[N];

int main(int argc, char **argv) {
    (void)argv;
    uint32_t x = 12345 + (uint32_t)argc;
    for (int i = 0; i < N; i++) {
        x = x * 1664525u + 1013904223u;
        a[i] = (int32_t)x >> 7;
        b[i] = (int32_t)(x * 2654435761u) >> 9;
        s[i] = (int16_t)(x >> 11);
        u8[i] = (uint8_t)(x >> 17);
        f[i] = (float)(int32_t)x / 65536.0f;
        g[i] = (float)(i - 500) * 0.37f;
        q[i] = (int64_t)x * (int64_t)(i + 1) - 12345678901LL;
    }
    int64_t sum = 0, prod = 0;
    int32_t mn = INT32_MAX, mx = INT32_MIN;
    for (int i = 0; i < N; i++) {
        c[i] = a[i] * b[i] + (a[i] >> 3) - (b[i] & 0xff);
        sum += c[i];
        prod += (int64_t)a[i] * b[i];
        mn = a[i] < mn ? a[i] : mn;
        mx = b[i] > mx ? b[i] : mx;
    }
    printf("int: %lld %lld %d %d\n", (long long)sum, (long long)prod, mn, mx);
    int32_t ssum = 0;
    for (int i = 0; i < N; i++) {
        int v = s[i] * 3 + u8[i];
        s[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
        ssum += s[i] ^ (u8[i] << 2);
    }
    printf("short: %d\n", ssum);
    float fs = 0, fm = -1e30f;
    for (int i = 0; i < N; i++) {
        f[i] = f[i] * g[i] + 1.5f;
        fs += f[i];
        fm = f[i] > fm ? f[i] : fm;
    }
    printf("float: %a %a\n", fs, fm);
    double ds = 0;
    for (int i = 0; i < N; i++) {
        d[i] = (double)a[i] / (double)(b[i] | 1) + (double)f[i];
        ds += d[i] * d[i];
    }
    printf("double: %a\n", ds);
    int32_t conv = 0;
    for (int i = 0; i < N; i++) {
        conv += (int32_t)(f[i] * 0.25f) + (int32_t)d[i];
        q[i] = q[i] > 0 ? q[i] : -q[i];
    }
    int64_t qs = 0;
    for (int i = 0; i < N; i++) qs ^= q[i] + (q[i] >> 5);
    printf("conv: %d %lld\n", conv, (long long)qs);
    int pop = 0;
    for (int i = 0; i < N; i++) pop += __builtin_popcount((unsigned)a[i]) + __builtin_popcountll((uint64_t)q[i]);
    printf("popcount: %d\n", pop);
    int count = 0;
    for (int i = 0; i < N; i++) count += u8[i] == 0x42 || u8[i] > 250;
    uint8_t rev[N];
    for (int i = 0; i < N; i++) rev[i] = u8[N - 1 - i];
    printf("bytes: %d %d %d\n", count, memcmp(rev, u8, N) > 0, rev[17]);
    return 0;
}
