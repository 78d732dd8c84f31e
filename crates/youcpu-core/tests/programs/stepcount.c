/* The native oracle for retired-instruction counts: runs a program under ptrace with
 * PTRACE_SINGLESTEP and counts the single-step stops (one per retired user instruction, one
 * per iteration of a REP string instruction). The exiting system call never stops again, so
 * it is added once. ASLR is switched off for the child (personality ADDR_NO_RANDOMIZE) so its
 * stack sits at the same addresses as the simulator's.
 *
 * usage: stepcount RESULT_FILE PROGRAM [ARG...]   (environment passed through)
 * RESULT_FILE gets "steps <n> status <wait status>". With STEPCOUNT_TRACE=FILE in the
 * environment, the RIP of every stop is written there too (for finding where counts differ).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: stepcount RESULT_FILE PROGRAM [ARG...]\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 2; }
    if (pid == 0) {
        personality(ADDR_NO_RANDOMIZE);
        if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0) { perror("ptrace"); _exit(126); }
        execv(argv[2], argv + 2);
        perror("execv");
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st)) { fprintf(stderr, "child did not stop at exec\n"); return 2; }
    unsigned long steps = 0;
    FILE *trace = getenv("STEPCOUNT_TRACE") ? fopen(getenv("STEPCOUNT_TRACE"), "w") : NULL;
    int sig = 0;
    for (;;) {
        if (ptrace(PTRACE_SINGLESTEP, pid, 0, (void *)(long)sig) != 0) { perror("singlestep"); return 2; }
        sig = 0;
        if (waitpid(pid, &st, 0) < 0) { perror("waitpid"); return 2; }
        if (WIFEXITED(st)) { steps += 1; break; }
        if (WIFSIGNALED(st)) break;
        if (!WIFSTOPPED(st)) continue;
        int s = WSTOPSIG(st);
        if (s == SIGTRAP) {
            siginfo_t si;
            memset(&si, 0, sizeof si);
            ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
            steps++;
            if (trace) {
                struct user_regs_struct r;
                ptrace(PTRACE_GETREGS, pid, 0, &r);
                fprintf(trace, "%llx\n", r.rip);
            }
            /* int3 raises a real SIGTRAP (si_code SI_KERNEL): pass it on. */
            if (si.si_code == SI_KERNEL) sig = SIGTRAP;
        } else {
            /* A fault (SIGSEGV, SIGFPE, SIGILL...): the instruction did not retire. */
            sig = s;
        }
    }
    FILE *f = fopen(argv[1], "w");
    if (!f) { perror("result file"); return 2; }
    fprintf(f, "steps %lu status %d\n", steps, st);
    fclose(f);
    return 0;
}
