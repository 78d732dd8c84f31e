/* musl's string functions (rep movs/stos in memcpy/memset, word-at-a-time strlen), qsort, malloc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
int main(void) {
    char *buf = malloc(10000);
    memset(buf, 'x', 9999);
    buf[9999] = 0;
    char *copy = malloc(20000);
    memcpy(copy, buf, 10000);
    memmove(copy + 1, copy, 5000);
    printf("%zu %zu %d\n", strlen(buf), strlen(copy), strcmp(buf, copy));
    int a[200];
    unsigned s = 12345;
    for (int i = 0; i < 200; i++) { s = s * 1103515245 + 12345; a[i] = (s >> 8) % 1000; }
    qsort(a, 200, sizeof a[0], cmp);
    long sum = 0;
    for (int i = 0; i < 200; i++) sum += (long)a[i] * i;
    printf("%d %d %ld\n", a[0], a[199], sum);
    char *big = malloc(1 << 20);
    memset(big, 1, 1 << 20);
    printf("%d %s\n", big[12345] + big[(1 << 20) - 1], strchr("hello world", 'w'));
    free(big);
    free(copy);
    free(buf);
    return 0;
}
