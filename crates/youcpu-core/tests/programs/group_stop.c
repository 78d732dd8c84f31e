/* Group stop (kernel/signal.c do_signal_stop, prepare_signal): SIGSTOP stops every thread of
 * a process, not only the one it was sent to, and SIGCONT continues them all. A child with
 * two threads counts in shared memory; the parent stops it, sees both counters frozen while
 * it sleeps, continues it and sees both move again. Then a worker thread stops its own
 * process with tgkill to itself: the main thread stops too, and the parent's wait reports
 * the process stopped with SIGSTOP. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct shared {
    volatile long main_count, worker_count;
    volatile int worker_running;
    volatile int stop_self;
};
static struct shared *sh;

static void nap(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static void *worker(void *arg) {
    (void)arg;
    sh->worker_running = 1;
    for (;;) {
        sh->worker_count++;
        if (sh->stop_self == 1) {
            sh->stop_self = 2;
            syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGSTOP);
        }
        if ((sh->worker_count & 1023) == 0) sched_yield();
    }
    return NULL;
}

static void child(void) {
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    for (;;) {
        sh->main_count++;
        if ((sh->main_count & 1023) == 0) sched_yield();
    }
}

/* Waits until both counters pass what they were. */
static int both_move(long m, long w) {
    for (int i = 0; i < 2000; i++) {
        if (sh->main_count > m && sh->worker_count > w) return 1;
        nap(1);
    }
    return 0;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    memset((void *)sh, 0, sizeof *sh);
    pid_t p = fork();
    if (p == 0) child();
    while (!sh->worker_running) nap(1);
    printf("both threads count: %d\n", both_move(0, 0));

    int st;
    kill(p, SIGSTOP);
    pid_t w = waitpid(p, &st, WUNTRACED);
    printf("kill SIGSTOP: same %d stopped %d sig %d\n", w == p, WIFSTOPPED(st), WSTOPSIG(st));
    long m = sh->main_count, wk = sh->worker_count;
    nap(30);
    printf("while stopped: main frozen %d, worker frozen %d\n", sh->main_count == m,
           sh->worker_count == wk);

    kill(p, SIGCONT);
    w = waitpid(p, &st, WCONTINUED);
    printf("SIGCONT: same %d continued %d\n", w == p, WIFCONTINUED(st));
    printf("after SIGCONT both count: %d\n", both_move(sh->main_count, sh->worker_count));

    sh->stop_self = 1;
    w = waitpid(p, &st, WUNTRACED);
    printf("worker stops itself: same %d stopped %d sig %d, flag %d\n", w == p, WIFSTOPPED(st),
           WSTOPSIG(st), sh->stop_self);
    m = sh->main_count;
    wk = sh->worker_count;
    nap(30);
    printf("while stopped: main frozen %d, worker frozen %d\n", sh->main_count == m,
           sh->worker_count == wk);
    kill(p, SIGCONT);
    printf("after SIGCONT both count: %d\n", both_move(sh->main_count, sh->worker_count));

    kill(p, SIGKILL);
    waitpid(p, &st, 0);
    printf("killed: signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
    return 0;
}
