/* nanosleep: sleepers wake in deadline order; the clock moves on while everybody sleeps. */
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Integer nanoseconds. */
static long long now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    long long t0 = now();
    pid_t a = fork();
    if (a == 0) {
        usleep(300000);
        printf("slow child awake\n");
        _exit(1);
    }
    pid_t b = fork();
    if (b == 0) {
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
        printf("fast child awake\n");
        _exit(2);
    }
    printf("parent waits\n");
    int st, sum = 0;
    while (wait(&st) > 0) sum += WEXITSTATUS(st);
    long long dt = now() - t0;
    printf("sum %d, slept at least 0.3 s: %d\n", sum, dt >= 300000000LL);
    struct timespec bad = {0, 1000000000};
    printf("bad nanosleep: %d\n", nanosleep(&bad, NULL));
    sleep(0);
    return 0;
}
