/* Tries every way out of a --root directory: .. past the root, absolute paths, absolute and
 * relative symbolic links pointing outside, a symbolic link loop, chdir upwards, renames and
 * creations through ../, /proc/self/exe, and many open files. Prints what each attempt saw;
 * the test that runs it knows what lies inside the root and what lies outside. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void show_file(const char *path) {
    char buf[128] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        printf("open %s: %s\n", path, strerror(errno));
        return;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n > 0 && buf[n - 1] == '\n') buf[n - 1] = 0;
    printf("open %s: \"%s\"\n", path, buf);
}

static void show_dir(const char *path) {
    DIR *d = opendir(path);
    if (!d) {
        printf("opendir %s: %s\n", path, strerror(errno));
        return;
    }
    int n = 0, marker = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        n++;
        if (!strcmp(e->d_name, "ROOT_MARKER")) marker = 1;
    }
    closedir(d);
    printf("opendir %s: %d entries, marker %d\n", path, n, marker);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    show_file("/etc/secret");
    show_file("../../../../../../etc/secret");
    show_file("/../../etc/secret");
    show_file("/abs_link/secret");   /* abs_link -> <the host's outside dir> */
    show_file("/rel_link/secret");   /* rel_link -> ../../../../../../<outside dir> */
    show_file("/etc_link");          /* etc_link -> /etc/secret: the root's own */
    show_file("/loop_a");            /* loop_a -> loop_b -> loop_a */
    show_file("/deep/../../../etc/secret");
    show_dir("/");
    show_dir("/..");
    show_dir("../../..");
    struct stat a, b;
    stat("/", &a);
    stat("/../..", &b);
    printf("/ and /../.. same inode: %d\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    for (int i = 0; i < 10; i++) chdir("..");
    char cwd[PATH_MAX];
    printf("cwd after chdir(..) x10: %s\n", getcwd(cwd, sizeof cwd) ? cwd : strerror(errno));
    printf("chdir /abs_link: %d\n", chdir("/abs_link"));
    printf("cwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : strerror(errno));
    chdir("/");
    int fd = open("../../created_outside", O_WRONLY | O_CREAT | O_EXCL, 0644);
    printf("create ../../created_outside: %s\n", fd >= 0 ? "ok" : strerror(errno));
    if (fd >= 0) close(fd);
    printf("rename to ../../moved: %d\n", rename("/created_outside", "../../moved"));
    printf("mkdir /abs_link/newdir: %s\n", mkdir("/abs_link/newdir", 0755) ? strerror(errno) : "ok");
    printf("unlink /rel_link/secret: %s\n", unlink("/rel_link/secret") ? strerror(errno) : "ok");
    /* Links, modes, owners, times and truncation through the links that point outside. */
#define TRY(what, call) printf("%s: %s\n", what, (call) ? strerror(errno) : "ok")
    TRY("chmod /abs_link/secret", chmod("/abs_link/secret", 0600));
    TRY("chmod /rel_link/secret", chmod("/rel_link/secret", 0600));
    TRY("chmod /etc_link", chmod("/etc_link", 0640));
    TRY("truncate /abs_link/secret", truncate("/abs_link/secret", 0));
    TRY("truncate ../../../etc/secret", truncate("../../../etc/secret", 3));
    TRY("chown /rel_link/secret", chown("/rel_link/secret", getuid(), getgid()));
    TRY("lchown /abs_link", lchown("/abs_link", getuid(), getgid()));
    TRY("link /abs_link/secret", link("/abs_link/secret", "/stolen"));
    TRY("linkat follow /abs_link", linkat(AT_FDCWD, "/abs_link", AT_FDCWD, "/abs_copy", AT_SYMLINK_FOLLOW));
    TRY("link /abs_link itself", link("/abs_link", "/abs_link2"));
    TRY("link to ../../hard", link("/etc/secret", "../../hard"));
    TRY("symlink to the outside", symlink("/abs_link/secret", "/newlink"));
    show_file("/newlink");
    show_file("/etc/secret");
    struct timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
    TRY("utimensat /abs_link/secret", utimensat(AT_FDCWD, "/abs_link/secret", ts, 0));
    TRY("utimensat /rel_link/secret", utimensat(AT_FDCWD, "/rel_link/secret", ts, 0));
    char link[PATH_MAX] = {0};
    ssize_t n = readlink("/proc/self/exe", link, sizeof link - 1);
    printf("readlink /proc/self/exe: %s\n", n >= 0 ? link : strerror(errno));
    n = readlink("/abs_link", link, sizeof link - 1);
    if (n >= 0) link[n] = 0;
    printf("readlink /abs_link is the host's text: %d\n", n > 0 && link[0] == '/');
    int opened = 0, last_err = 0, fds[2000];
    for (int i = 0; i < 2000; i++) {
        fds[i] = open("/etc/secret", O_RDONLY);
        if (fds[i] < 0) {
            last_err = errno;
            break;
        }
        opened++;
    }
    printf("opened %d at once, then %s\n", opened, strerror(last_err));
    for (int i = 0; i < opened; i++) close(fds[i]);
    show_file("/etc/secret");
    return 0;
}
