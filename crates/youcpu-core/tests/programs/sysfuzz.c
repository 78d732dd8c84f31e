/* Makes N system calls with numbers and arguments from a seeded generator: numbers 0..460
 * (except those that end, fork, exec, sleep or signal the process), arguments drawn from
 * small integers, descriptors, flag words, paths that try to leave the root, valid buffers,
 * unmapped and kernel addresses, and random 64-bit values. Prints how many calls it made and
 * how many failed, so a run that ends early shows. Usage: sysfuzz SEED N */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

static uint64_t s;
static uint64_t rnd(void) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
}

static char buf[65536];
static const char *paths[] = {
    "/", ".", "..", "../../..", "/etc/secret", "../../../../etc/secret", "abs_link/secret",
    "rel_link/secret", "loop_a", "loop_a/x", "dir", "dir/", "dir/f", "new", "dir/new",
    "/../../../../tmp", "etc_link", "", "a/b/c/d/e", "//dir//f", "dir/f/", "/proc/self/exe",
    "/proc/self", "/dev/null", "/dev/zero",
};

static uint64_t arg(void) {
    switch (rnd() % 10) {
    case 0: return rnd() % 8;
    case 1: return (uint64_t)(int64_t)-100; /* AT_FDCWD */
    case 2: return (uintptr_t)paths[rnd() % (sizeof paths / sizeof paths[0])];
    case 3: return (uintptr_t)(buf + rnd() % 4096);
    case 4: return rnd() % 65536;
    case 5: return rnd() & 0x7fffff; /* flag words */
    case 6: return 0;
    case 7: return 0xffffffff81000000ull + (rnd() & 0xffff); /* kernel */
    case 8: return 0x10000 + (rnd() & 0xfffff000); /* likely unmapped */
    default: return rnd();
    }
}

int main(int argc, char **argv) {
    s = argc > 1 ? strtoull(argv[1], 0, 0) | 1 : 1;
    long n = argc > 2 ? atol(argv[2]) : 1000;
    long failed = 0;
    /* Files left open on purpose, in this process and in a child that exits without closing
     * them: the kernel must close them all at exit. */
    for (int i = 0; i < 5; i++) open("/dir/f", O_RDONLY);
    open("/dir", O_RDONLY | O_DIRECTORY);
    pid_t c = fork();
    if (c == 0) {
        for (int i = 0; i < 5; i++) open("/dir/f", O_RDWR);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    for (long i = 0; i < n; i++) {
        long nr = rnd() % 460;
        switch (nr) {
        /* Calls that end, replace, clone, stop or signal the process, wait for ever, or
         * unmap the program itself: not what this fuzzes. */
        case SYS_exit: case SYS_exit_group: case SYS_fork: case SYS_vfork: case SYS_clone:
        case SYS_clone3: case SYS_execve: case SYS_execveat: case SYS_kill: case SYS_tkill:
        case SYS_tgkill: case SYS_pause: case SYS_nanosleep: case SYS_clock_nanosleep:
        case SYS_rt_sigreturn: case SYS_rt_sigsuspend: case SYS_rt_sigtimedwait:
        case SYS_wait4: case SYS_waitid: case SYS_alarm: case SYS_setitimer: case SYS_munmap:
        case SYS_mremap: case SYS_mprotect: case SYS_madvise: case SYS_brk: case SYS_mmap:
        case SYS_rt_sigaction: case SYS_rt_sigprocmask: case SYS_close: case SYS_dup2:
        case SYS_dup3: case SYS_read: case SYS_readv: case SYS_poll: case SYS_ppoll:
        case SYS_select: case SYS_pselect6: case SYS_futex: case SYS_setsid: case SYS_setpgid:
        case SYS_arch_prctl: case SYS_set_tid_address: case SYS_sigaltstack: case SYS_write:
        case SYS_writev: case SYS_pwrite64: case SYS_chdir: case SYS_fchdir: case SYS_umask:
        case SYS_prctl: case SYS_seccomp: case SYS_ptrace:
            continue;
        }
        long r = syscall(nr, arg(), arg(), arg(), arg(), arg(), arg());
        if (r < 0) failed++;
    }
    /* Descriptors it opened stay open until exit: the kernel must close them then. */
    printf("made %ld calls, %ld failed\n", n, failed);
    return 0;
}
