/* vfork: the parent sleeps until the child exits; the child only writes and _exits. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    pid_t p = vfork();
    if (p == 0) {
        write(1, "child runs first\n", 17);
        _exit(5);
    }
    printf("parent after the child\n");
    int st;
    waitpid(p, &st, 0);
    printf("vfork child exited %d\n", WEXITSTATUS(st));
    return 0;
}
