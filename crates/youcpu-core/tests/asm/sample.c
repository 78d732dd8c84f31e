/* Varied compiler output for the disassembler round-trip test (tests/asm_disasm_oracle.rs):
 * loops, switches, 64-bit and float arithmetic, string ops, vectorizable code. */
typedef __SIZE_TYPE__ size_t; /* no headers: builds with -m32 without a 32-bit libc */

struct item { long key; double weight; char name[24]; };

long sum(const long *a, size_t n) {
    long s = 0;
    for (size_t i = 0; i < n; i++) s += a[i] * 3 + (a[i] >> 2);
    return s;
}

double dot(const double *a, const double *b, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

void scale(float *v, float k, size_t n) {
    for (size_t i = 0; i < n; i++) v[i] = v[i] * k + 1.0f;
}

int classify(int c) {
    switch (c) {
    case 0: return 10;
    case 1: return 22;
    case 2: return 37;
    case 3: return 41;
    case 4: return 59;
    case 5: return 63;
    default: return -1;
    }
}

unsigned hash(const char *s) {
    unsigned h = 2166136261u;
    while (*s) h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

void copy_items(struct item *dst, const struct item *src, size_t n) {
    __builtin_memcpy(dst, src, n * sizeof *src);
    for (size_t i = 0; i < n; i++) dst[i].weight /= (double)(dst[i].key | 1);
}

long divide(long a, long b, unsigned char shift) {
    return (a / b) + (a % b) + (a << shift) + ((unsigned long)a >> (shift & 7));
}

int find(const int *a, int n, int x) {
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (a[mid] == x) return mid;
        if (a[mid] < x) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
}
