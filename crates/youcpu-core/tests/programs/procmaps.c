/* Reads /proc/self/maps and prints, per region, its permissions and the last component of its
 * name (fs/proc/task_mmu.c show_map_vma): addresses, device and inode differ between the
 * simulator and the machine, names and permissions must not. Left out: the [vvar] and
 * [vvar_vclock] lines (the kernel's vvar layout changed across versions: 6.13 split off
 * [vvar_vclock]; the model maps one [vvar] region) and [vsyscall] (the legacy vsyscall page
 * is the kernel's gate area, not a region of the process; the model has none). Then the
 * fstat of the maps file (a regular file of size 0) and lseek from its end (seq_lseek
 * refuses it). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
    /* brk: a [heap] region exists whatever the C library's malloc did before. */
    sbrk(4096);
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) {
        printf("fopen: %s\n", strerror(errno));
        return 1;
    }
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char perms[8] = "", name[400] = "";
        /* start-end perms offset dev inode [name] */
        if (sscanf(line, "%*s %7s %*s %*s %*s %399[^\n]", perms, name) < 1) {
            printf("bad line: %s", line);
            continue;
        }
        if (strncmp(name, "[vvar", 5) == 0 || strcmp(name, "[vsyscall]") == 0)
            continue;
        char *base = strrchr(name, '/');
        printf("%s %s\n", perms, base ? base + 1 : name);
    }
    fclose(f);
    struct stat st;
    int fd = open("/proc/self/maps", O_RDONLY);
    if (fd < 0 || fstat(fd, &st) != 0)
        printf("fstat: %s\n", strerror(errno));
    else
        printf("maps: regular %d, size %lld\n", S_ISREG(st.st_mode), (long long)st.st_size);
    errno = 0;
    long long end = lseek(fd, 0, SEEK_END);
    printf("lseek end: %lld %s\n", end, strerror(errno));
    close(fd);
    return 0;
}
