/* share: one process becomes two that both compute, so neither waits: the timer interrupt takes
   the CPU from one and the scheduler gives it to the other, again and again, until both end. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/* Enough work to outlast several timer periods; volatile keeps every step of the loop. */
static unsigned long work(unsigned long n) {
    volatile unsigned long sum = 0;
    for (unsigned long i = 1; i <= n; i++)
        sum += i * i % 7;
    return sum;
}

int main(void) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    unsigned long sum = work(20000);
    if (pid == 0) {
        printf("child:  sum %lu\n", sum);
        return 0;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    printf("parent: sum %lu, child exited with %d\n", sum, WEXITSTATUS(status));
    return 0;
}
