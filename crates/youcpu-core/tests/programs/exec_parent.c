/* execve inside the simulation: a child that forks and execs another static program with
 * its own argv and envp (pid kept, close-on-exec descriptors closed, caught signals back to
 * default, ignored ones and the mask kept), a vfork child that execs, a `#!` script whose
 * interpreter is that program, and execve's refusals (ENOENT, EACCES for a file without
 * execute permission and for a directory, ENOEXEC for a file no handler takes, EFAULT).
 * argv[1] is the path of exec_child. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void handler(int sig) { (void)sig; }

static void run(const char *what, const char *path, char **argv, char **envp) {
    int p[2];
    pipe(p); /* p[0] plain, p[1] close-on-exec */
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
    char a0[16], a1[16];
    snprintf(a0, sizeof a0, "fd=%d", p[0]);
    snprintf(a1, sizeof a1, "fd=%d", p[1]);
    char *full[8];
    int n = 0;
    for (; argv[n] && n < 5; n++) full[n] = argv[n];
    full[n++] = a0;
    full[n++] = a1;
    full[n] = NULL;
    printf("%s:\n", what);
    pid_t c = fork();
    if (c == 0) {
        execve(path, full, envp);
        printf("  execve failed: %s\n", strerror(errno));
        _exit(127);
    }
    int st;
    waitpid(c, &st, 0);
    printf("  status %d\n", WEXITSTATUS(st));
    close(p[0]);
    close(p[1]);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) return 1;
    const char *child = argv[1];
    signal(SIGUSR1, handler);
    signal(SIGUSR2, SIG_IGN);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGTERM);
    sigprocmask(SIG_BLOCK, &m, NULL);

    char *env[] = {"FOO=bar baz", NULL};
    char *args[] = {"child-name", "one", "two words", NULL};
    run("fork + execve", child, args, env);

    /* A script whose interpreter is the child, with an optional argument. */
    int fd = open("script.sh", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    dprintf(fd, "#!%s  -x opt\nnot read by anyone\n", child);
    close(fd);
    char *sargs[] = {"ignored-argv0", "s1", NULL};
    run("#! script", "./script.sh", sargs, env);

    fd = open("data.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    write(fd, "#!/bin/sh\n", 10);
    close(fd);
    fd = open("junk.bin", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    write(fd, "\x7f" "ELX not an ELF file, no handler takes it", 41);
    close(fd);
    mkdir("adir", 0755);
    const char *bad[] = {"/nonexistent/prog", "data.txt", "adir", "junk.bin", ""};
    for (int i = 0; i < 5; i++) {
        errno = 0;
        int r = execve(bad[i], args, env);
        printf("execve(\"%s\"): %d %s\n", bad[i], r, strerror(errno));
    }
    errno = 0;
    char *volatile badp = (char *)8;
    int r = execve(badp, args, env);
    printf("execve(bad pointer): %d %s\n", r, strerror(errno));

    pid_t c = vfork();
    if (c == 0) {
        char *vargs[] = {"vforked", NULL};
        execve(child, vargs, NULL);
        _exit(127);
    }
    int st;
    waitpid(c, &st, 0);
    printf("vfork + execve: status %d\n", WEXITSTATUS(st));
    unlink("script.sh");
    unlink("data.txt");
    unlink("junk.bin");
    rmdir("adir");
    return 0;
}
