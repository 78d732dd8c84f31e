/* Signals and threads: a signal sent to the process (kill) is taken by a thread that does
 * not block it when the main thread does; pthread_kill (tgkill) reaches the thread named,
 * even one that is not the main thread; sigqueue to the process likewise; tgkill with a
 * thread of another group is ESRCH. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile pid_t handled_by[65];
static volatile int count[65];
static volatile int worker_ready, stop;
static pid_t worker_tid;

static void on_sig(int sig) {
    handled_by[sig] = (pid_t)syscall(SYS_gettid);
    count[sig]++;
}

static void *worker(void *arg) {
    (void)arg;
    worker_tid = (pid_t)syscall(SYS_gettid);
    /* This thread takes SIGUSR1 and SIGUSR2; it blocks SIGTERM. */
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    worker_ready = 1;
    while (!stop) usleep(1000);
    return NULL;
}

static const char *who(int sig) {
    if (!count[sig]) return "nobody";
    return handled_by[sig] == getpid() ? "the main thread" : handled_by[sig] == worker_tid ? "the worker" : "another";
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGUSR1, on_sig);
    signal(SIGUSR2, on_sig);
    signal(SIGTERM, on_sig);
    signal(SIGRTMIN + 1, on_sig);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGRTMIN + 1);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!worker_ready) usleep(1000);
    /* The main thread blocks SIGUSR1 and SIGRTMIN+1 now (the worker did not inherit it). */
    pthread_sigmask(SIG_BLOCK, &s, NULL);

    kill(getpid(), SIGUSR1);
    while (!count[SIGUSR1]) usleep(1000);
    printf("kill SIGUSR1 (main blocks it): taken by %s\n", who(SIGUSR1));

    union sigval v = {.sival_int = 5};
    sigqueue(getpid(), SIGRTMIN + 1, v);
    while (!count[SIGRTMIN + 1]) usleep(1000);
    printf("sigqueue RTMIN+1 (main blocks it): taken by %s\n", who(SIGRTMIN + 1));

    pthread_kill(t, SIGUSR2);
    while (!count[SIGUSR2]) usleep(1000);
    printf("pthread_kill SIGUSR2 to the worker: taken by %s\n", who(SIGUSR2));

    kill(getpid(), SIGTERM);
    while (!count[SIGTERM]) usleep(1000);
    printf("kill SIGTERM (the worker blocks it): taken by %s\n", who(SIGTERM));

    long r = syscall(SYS_tgkill, getpid() + 1000, worker_tid, SIGUSR2);
    printf("tgkill with the wrong group: %s\n", r ? strerror(errno) : "ok");
    r = syscall(SYS_tgkill, getpid(), worker_tid, 0);
    printf("tgkill signal 0 to the worker: %s\n", r ? strerror(errno) : "ok");
    stop = 1;
    pthread_join(t, NULL);
    printf("counts %d %d %d %d\n", count[SIGUSR1], count[SIGUSR2], count[SIGTERM],
           count[SIGRTMIN + 1]);
    return 0;
}
