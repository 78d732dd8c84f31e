/* Links, modes, owners and times, in the current directory: symlink and symlinkat (dangling
 * too), readlink of them, link and linkat (nlink counts, AT_SYMLINK_FOLLOW), chmod, fchmod
 * and fchmodat (the bits stat reports and what access(2) then says), chown/fchown/lchown/
 * fchownat to the caller's own ids (allowed) and to root's (EPERM unless root), utimensat
 * with explicit times, UTIME_OMIT and AT_SYMLINK_NOFOLLOW, futimens, truncate growing and
 * shrinking, and the errors (EEXIST, ENOENT, EISDIR, ENOTDIR, EINVAL, ELOOP). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static void show(const char *what, long r) {
    printf("%s: %s\n", what, r < 0 ? strerror(errno) : "ok");
}

static int times_set;

/* The type, mode, link count and size; the times too once utimensat has set them. */
static void st(const char *what, const char *path, int follow) {
    struct stat s;
    int r = follow ? stat(path, &s) : lstat(path, &s);
    if (r < 0) {
        printf("%s: %s\n", what, strerror(errno));
        return;
    }
    printf("%s: type %o mode %o nlink %ld size %ld", what, (unsigned)(s.st_mode & S_IFMT) >> 12,
           (unsigned)(s.st_mode & 07777), (long)s.st_nlink, (long)s.st_size);
    if (times_set)
        printf(" mtime %ld.%09ld atime %ld.%09ld", (long)s.st_mtim.tv_sec, (long)s.st_mtim.tv_nsec,
               (long)s.st_atim.tv_sec, (long)s.st_atim.tv_nsec);
    printf("\n");
}

static void rl(const char *what, const char *path) {
    char b[256];
    long n = readlink(path, b, sizeof b - 1);
    if (n < 0) {
        printf("%s: %s\n", what, strerror(errno));
        return;
    }
    b[n] = 0;
    printf("%s: %s\n", what, b);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    umask(022);
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(fd, "0123456789", 10);
    mkdir("dir", 0755);
    int dfd = open("dir", O_RDONLY | O_DIRECTORY);

    show("symlink", symlink("file", "sl"));
    show("symlink dangling", symlink("nowhere/at/all", "dangling"));
    show("symlink exists", symlink("file", "sl"));
    show("symlinkat in dir", symlinkat("../file", dfd, "up"));
    show("symlink empty target", symlink("", "empty"));
    show("symlink into missing dir", symlink("file", "missing/sl"));
    rl("readlink sl", "sl");
    rl("readlink dir/up", "dir/up");
    rl("readlink dangling", "dangling");
    rl("readlink a file", "file");
    st("stat through sl", "sl", 1);
    st("lstat dangling", "dangling", 0);
    st("stat dangling", "dangling", 1);
    char b[11] = {0};
    int f2 = open("dir/up", O_RDONLY);
    read(f2, b, 10);
    close(f2);
    printf("read through dir/up: %s\n", b);

    show("link", link("file", "hard"));
    st("nlink after link", "file", 1);
    show("link exists", link("file", "hard"));
    show("link a directory", link("dir", "dir2"));
    show("link missing", link("nothing", "x"));
    show("linkat symlink itself", linkat(AT_FDCWD, "sl", dfd, "slcopy", 0));
    st("linkat copy is a link", "dir/slcopy", 0);
    show("linkat follow", linkat(AT_FDCWD, "sl", dfd, "followed", AT_SYMLINK_FOLLOW));
    st("followed is the file", "dir/followed", 0);
    show("linkat bad flags", linkat(AT_FDCWD, "file", AT_FDCWD, "y", 0x1));
    show("unlink hard", unlink("hard"));
    st("nlink after unlink", "file", 1);

    show("chmod 600", chmod("file", 0600));
    st("after chmod", "file", 1);
    show("chmod through symlink", chmod("sl", 0640));
    st("target after chmod via sl", "file", 1);
    show("fchmod 4755", fchmod(fd, 04755));
    st("after fchmod", "file", 1);
    show("fchmodat", fchmodat(dfd, "followed", 0444, 0));
    st("after fchmodat", "file", 1);
    show("access W_OK on 0444", access("file", W_OK));
    show("chmod missing", chmod("missing", 0644));
    show("fchmodat bad flags", fchmodat(AT_FDCWD, "file", 0644, 0x1));
    chmod("file", 0644);

    uid_t u = getuid();
    gid_t g = getgid();
    show("chown to self", chown("file", u, g));
    show("fchown to self", fchown(fd, u, g));
    show("lchown a symlink to self", lchown("sl", u, g));
    show("fchownat -1 -1", fchownat(dfd, "followed", (uid_t)-1, (gid_t)-1, 0));
    if (u != 0) show("chown to root", chown("file", 0, 0));
    else printf("chown to root: Operation not permitted\n");
    show("chown missing", chown("missing", u, g));

    struct timespec ts[2] = {{1000000000, 5}, {1234567890, 123456789}};
    show("utimensat", utimensat(AT_FDCWD, "file", ts, 0));
    times_set = 1;
    st("after utimensat", "file", 1);
    struct timespec omit[2] = {{0, UTIME_OMIT}, {1500000000, 0}};
    show("utimensat omit atime", utimensat(AT_FDCWD, "file", omit, 0));
    st("after omit", "file", 1);
    struct timespec lt[2] = {{1100000000, 0}, {1200000000, 0}};
    show("utimensat nofollow on a file", utimensat(AT_FDCWD, "file", lt, AT_SYMLINK_NOFOLLOW));
    st("after nofollow", "file", 1);
    show("utimensat through a symlink", utimensat(AT_FDCWD, "sl", ts, 0));
    st("target through sl", "file", 1);
    struct timespec ft[2] = {{1300000000, 0}, {1400000000, 7}};
    show("futimens", futimens(fd, ft));
    st("after futimens", "file", 1);
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    show("utimensat bad nsec", utimensat(AT_FDCWD, "file", bad, 0));
    show("utimensat missing", utimensat(AT_FDCWD, "missing", ts, 0));

    times_set = 0;
    show("truncate grow", truncate("file", 100));
    st("after grow", "file", 1);
    show("truncate through sl", truncate("sl", 4));
    st("after shrink", "file", 1);
    show("truncate a directory", truncate("dir", 0));
    show("truncate negative", truncate("file", -1));
    show("truncate missing", truncate("missing", 0));
    show("truncate dangling", truncate("dangling", 0));

    show("symlink loop a", symlink("loopb", "loopa"));
    show("symlink loop b", symlink("loopa", "loopb"));
    show("open a loop", open("loopa", O_RDONLY));
    show("stat through a file", chmod("file/x", 0644));
    show("open O_NOFOLLOW of a link", open("sl", O_RDONLY | O_NOFOLLOW));
    show("O_CREAT|O_EXCL on a dangling link", open("dangling", O_CREAT | O_EXCL | O_WRONLY, 0644));
    /* O_CREAT through a dangling link makes the file it names. */
    show("symlink to a file to be made", symlink("made", "tomake"));
    show("O_CREAT through a dangling link", open("tomake", O_CREAT | O_WRONLY, 0600));
    st("the file it made", "made", 0);

    close(fd);
    close(dfd);
    return 0;
}
