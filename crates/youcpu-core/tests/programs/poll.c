/* poll on pipes: nothing ready, a timeout, data from a child that sleeps first, the hang-up
 * when the writer closes, a write end with no reader, bad and negative descriptors, and
 * standard input at end of file. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGPIPE, SIG_IGN);
    int p[2];
    pipe(p);
    struct pollfd f[4] = {{p[0], POLLIN, 0}, {-1, POLLIN, 0}, {99, POLLIN, 0}, {1, POLLOUT, 0}};
    int n = poll(f, 1, 0);
    printf("empty, no wait: %d revents %#x\n", n, f[0].revents);
    n = poll(f, 1, 50);
    printf("empty, 50 ms: %d\n", n);
    n = poll(f, 4, 0);
    printf("four: %d revents %#x %#x %#x %#x\n", n, f[0].revents, f[1].revents, f[2].revents,
           f[3].revents);
    pid_t c = fork();
    if (c == 0) {
        usleep(100000);
        write(p[1], "x", 1);
        _exit(0);
    }
    n = poll(f, 1, -1);
    char b;
    printf("after the child wrote: %d revents %#x read %zd\n", n, f[0].revents, read(p[0], &b, 1));
    waitpid(c, NULL, 0);
    close(p[1]);
    n = poll(f, 1, -1);
    printf("writer closed: %d revents %#x\n", n, f[0].revents);
    close(p[0]);
    pipe(p);
    close(p[0]);
    struct pollfd w = {p[1], POLLOUT, 0};
    n = poll(&w, 1, 0);
    printf("no reader: %d revents %#x\n", n, w.revents);
    struct pollfd in = {0, POLLIN, 0};
    n = poll(&in, 1, -1);
    printf("stdin at end: %d revents %#x\n", n, in.revents);
    return 0;
}
