/* stdout fully buffered (a pipe): text printed before fork is in both copies of the buffer
 * and is written twice; the parent's exit status comes from the child's. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    printf("before fork (buffered)\n");
    pid_t p = fork();
    if (p == 0) {
        printf("in the child\n");
        fflush(stdout);
        exit(12);
    }
    int st;
    waitpid(p, &st, 0);
    printf("in the parent, child said %d\n", WEXITSTATUS(st));
    fprintf(stderr, "stderr line\n");
    return WEXITSTATUS(st) + 1;
}
