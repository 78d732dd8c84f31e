/* The C library's SIMD string functions (glibc picks SSE2/SSSE3/SSE4.1/SSE4.2 versions by
   CPUID) on buffers at every alignment, with matches and terminators at every position near
   16- and 64-byte and page boundaries. Prints a checksum per function. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

static unsigned long h = 5381;
static void mix(long v) { h = h * 33 + (unsigned long)v; }

int main(void) {
    char *buf = aligned_alloc(4096, 3 * 4096);
    char *two = aligned_alloc(4096, 3 * 4096);
    for (int i = 0; i < 3 * 4096; i++) {
        buf[i] = 'a' + (i * 7 + i / 13) % 26;
        two[i] = buf[i];
    }
    const int offs[] = {0, 1, 7, 15, 16, 17, 31, 33, 63, 4000, 4081, 4095};
    const int lens[] = {0, 1, 2, 15, 16, 17, 31, 32, 63, 64, 65, 100, 200};
    for (unsigned o = 0; o < sizeof offs / sizeof offs[0]; o++) {
        for (unsigned l = 0; l < sizeof lens / sizeof lens[0]; l++) {
            char *s = buf + offs[o], *t = two + offs[o] + (l & 3);
            int n = lens[l];
            char keep = s[n], keept = t[n];
            s[n] = 0;
            t[n] = 0;
            mix(strlen(s));
            mix(strnlen(s, n / 2 + 1));
            char *p = strchr(s, 'q');
            mix(p ? p - s : -1);
            p = strrchr(s, 'e');
            mix(p ? p - s : -1);
            mix(strcmp(s, t) > 0 ? 1 : strcmp(s, t) < 0 ? -1 : 0);
            mix(strncmp(s, t, n / 2) != 0);
            mix(strcasecmp(s, t) != 0);
            mix(strspn(s, "abcdefghijklm"));
            mix(strcspn(s, "xyz"));
            p = strpbrk(s, "wq");
            mix(p ? p - s : -1);
            p = strstr(s, "ab");
            mix(p ? p - s : -1);
            p = memchr(s, 'k', n);
            mix(p ? p - s : -1);
            p = memrchr(s, 'k', n);
            mix(p ? p - s : -1);
            mix(memcmp(s, t, n) > 0 ? 1 : memcmp(s, t, n) < 0 ? -1 : 0);
            char tmp[300];
            memcpy(tmp + (l & 7), s, n + 1);
            mix(strlen(tmp + (l & 7)));
            mix(strcmp(tmp + (l & 7), s));
            memmove(tmp + 1, tmp, n);
            mix(tmp[n / 2]);
            memset(tmp, 'z', n);
            tmp[n] = 0;
            mix(strlen(tmp) + tmp[0]);
            char *e = stpcpy(tmp, s);
            mix(e - tmp);
            s[n] = keep;
            t[n] = keept;
        }
    }
    wchar_t w[64];
    wmemset(w, L'x', 63);
    w[63] = 0;
    mix(wcslen(w));
    printf("%lu\n", h);
    free(buf);
    free(two);
    return 0;
}
