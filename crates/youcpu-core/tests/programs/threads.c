/* POSIX threads: four threads add to a mutex-protected counter and return values through
 * pthread_join; thread-local variables stay per thread; every thread has its own tid and the
 * process's pid; a producer and a consumer share a bounded buffer through two condition
 * variables; a timed wait on a condition variable times out; the program ends from a thread
 * with exit (exit_group). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define THREADS 4
#define ADDS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static __thread long mine;
static pid_t main_pid;

static void *adder(void *arg) {
    long id = (long)arg;
    for (int i = 0; i < ADDS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
        mine += id;
    }
    long tid = syscall(SYS_gettid);
    int own = tid != main_pid && getpid() == main_pid;
    return (void *)(mine * 10 + own);
}

#define SLOTS 4
#define ITEMS 500
static int buf[SLOTS], head, count;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;

static void *producer(void *arg) {
    (void)arg;
    for (int i = 1; i <= ITEMS; i++) {
        pthread_mutex_lock(&lock);
        while (count == SLOTS) pthread_cond_wait(&not_full, &lock);
        buf[(head + count++) % SLOTS] = i;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void *consumer(void *arg) {
    long sum = 0, waits = 0;
    for (int i = 0; i < ITEMS; i++) {
        pthread_mutex_lock(&lock);
        while (count == 0) {
            waits++;
            pthread_cond_wait(&not_empty, &lock);
        }
        sum += buf[head];
        head = (head + 1) % SLOTS;
        count--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&lock);
    }
    *(long *)arg = sum;
    return NULL;
}

static void *ender(void *arg) {
    (void)arg;
    printf("exit from a thread\n");
    exit(5);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    main_pid = getpid();
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, adder, (void *)(i + 1));
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        printf("thread %d returned %ld\n", i + 1, (long)r);
    }
    printf("counter %ld (expected %d), main's thread-local %ld\n", counter, THREADS * ADDS, mine);

    long sum = 0;
    pthread_t p, c;
    pthread_create(&c, NULL, consumer, &sum);
    pthread_create(&p, NULL, producer, NULL);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    printf("consumed sum %ld (expected %d)\n", sum, ITEMS * (ITEMS + 1) / 2);

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 20 * 1000 * 1000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&lock);
    int r = pthread_cond_timedwait(&not_empty, &lock, &ts);
    pthread_mutex_unlock(&lock);
    printf("timed wait: %s\n", r == ETIMEDOUT ? "ETIMEDOUT" : "other");

    pthread_t e;
    pthread_create(&e, NULL, ender, NULL);
    pthread_join(e, NULL);
    printf("not reached\n");
    return 0;
}
