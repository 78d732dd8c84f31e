/* fork: one process becomes two; the child writes to a copy-on-write page, then both report. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static int counter = 1;

int main(void) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        counter += 41; /* the first write to this page copies it for the child */
        printf("child:  pid %d, counter %d\n", (int)getpid(), counter);
        return 7;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    printf("parent: pid %d, counter %d, child exited with %d\n", (int)getpid(), counter,
           WEXITSTATUS(status));
    return 0;
}
