/* sh: a very small shell, enough to start a program the way a shell does: `sh -c 'COMMAND'`
 * splits COMMAND at spaces and tabs into words (no quotes, no variables, no redirections),
 * forks, and the child execs the first word, looked up in $PATH unless it holds a slash; the
 * parent waits and exits with the child's status, as a real shell reports it (128 + N for a
 * child killed by signal N). Several commands may be separated by `;`. A command that cannot
 * be run gets the statuses POSIX gives: 127 when it is not found, 126 otherwise. No stdio: the
 * few messages are written with write(2), which keeps the file small. */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXWORDS 64

static void say(const char *a, const char *b, const char *c) {
    const char *parts[] = {"sh: ", a, b, c, "\n"};
    for (unsigned i = 0; i < sizeof parts / sizeof *parts; i++)
        if (write(2, parts[i], strlen(parts[i])) < 0) return;
}

static int run(char *line) {
    char *argv[MAXWORDS + 1];
    int n = 0;
    for (char *w = strtok(line, " \t"); w && n < MAXWORDS; w = strtok(NULL, " \t")) argv[n++] = w;
    argv[n] = NULL;
    if (n == 0) return 0;
    pid_t pid = fork();
    if (pid < 0) {
        say("fork failed", "", "");
        return 2;
    }
    if (pid == 0) {
        /* execvp searches $PATH for a name without a slash, and runs a file the kernel refuses
         * with ENOEXEC (a script without #!) with /bin/sh, as POSIX asks. */
        execvp(argv[0], argv);
        int notfound = errno == ENOENT;
        say(argv[0], ": ", notfound ? "not found" : "cannot execute");
        _exit(notfound ? 127 : 126);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            say("waitpid failed", "", "");
            return 2;
        }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

int main(int argc, char **argv) {
    if (argc != 3 || strcmp(argv[1], "-c") != 0) {
        say("usage: sh -c 'command [args...][; command...]'", "", "");
        return 2;
    }
    int status = 0;
    /* strtok cannot nest: commands are split at ';' by hand, words inside run(). */
    char *p = argv[2];
    while (p) {
        char *semi = strchr(p, ';');
        if (semi) *semi = '\0';
        status = run(p);
        p = semi ? semi + 1 : NULL;
    }
    return status;
}
