/* Run by exec_parent.c through execve: prints what it was given (argv, an environment
 * variable), which of the descriptors named in argv are still open, the dispositions and
 * mask it inherited, and exits with 3. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    printf("  child argc %d:", argc);
    for (int i = 1; i < argc; i++) printf(" [%s]", argv[i]);
    printf("\n  FOO=%s PATH=%s\n", getenv("FOO") ? getenv("FOO") : "(unset)",
           getenv("PATH") ? getenv("PATH") : "(unset)");
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "fd=", 3) == 0) {
            int fd = atoi(argv[i] + 3);
            printf("  fd %d open %d\n", fd, fcntl(fd, F_GETFD) >= 0);
        }
    }
    struct sigaction sa;
    sigaction(SIGUSR1, NULL, &sa);
    printf("  SIGUSR1 %s", sa.sa_handler == SIG_DFL ? "default" : "not default");
    sigaction(SIGUSR2, NULL, &sa);
    printf(", SIGUSR2 %s", sa.sa_handler == SIG_IGN ? "ignored" : "not ignored");
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    printf(", SIGTERM blocked %d\n", sigismember(&m, SIGTERM));
    fflush(stdout);
    return 3;
}
