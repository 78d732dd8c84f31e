/* select on pipes: a timeout (the time left written back), data from a child, the hang-up,
 * writable ends, and a descriptor that is not open. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int p[2];
    pipe(p);
    fd_set r, w;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timeval tv = {0, 50000};
    int n = select(p[0] + 1, &r, NULL, NULL, &tv);
    printf("empty, 50 ms: %d set %d left %ld.%06ld\n", n, FD_ISSET(p[0], &r), (long)tv.tv_sec,
           (long)tv.tv_usec);
    pid_t c = fork();
    if (c == 0) {
        usleep(100000);
        write(p[1], "x", 1);
        _exit(0);
    }
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    FD_ZERO(&w);
    n = select(p[0] + 1, &r, NULL, NULL, NULL);
    printf("after the child wrote: %d set %d\n", n, FD_ISSET(p[0], &r));
    char b;
    read(p[0], &b, 1);
    waitpid(c, NULL, 0);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    FD_SET(1, &w);
    n = select(p[1] + 1, &r, &w, NULL, NULL);
    printf("writable: %d read %d write %d stdout %d\n", n, FD_ISSET(p[0], &r), FD_ISSET(p[1], &w),
           FD_ISSET(1, &w));
    close(p[1]);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    n = select(p[0] + 1, &r, NULL, NULL, NULL);
    printf("writer closed: %d set %d\n", n, FD_ISSET(p[0], &r));
    FD_ZERO(&r);
    FD_SET(40, &r);
    errno = 0;
    n = select(41, &r, NULL, NULL, NULL);
    printf("not open: %d %s\n", n, strerror(errno));
    return 0;
}
