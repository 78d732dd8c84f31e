/* Directories: readdir (sorted, since file systems list in their own order), rename in all
 * its cases, and their errors. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(const char *what, long r) {
    printf("%s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) {
        printf("opendir %s: %s\n", dir, strerror(errno));
        return;
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64) {
        char *s = malloc(300);
        snprintf(s, 300, "%s%s", e->d_name, e->d_type == DT_DIR ? "/" : "");
        names[n++] = s;
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp);
    printf("%s:", dir);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static void touch(const char *p, const char *text) {
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    write(fd, text, strlen(text));
    close(fd);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    mkdir("top", 0755);
    mkdir("top/a", 0755);
    mkdir("top/b", 0755);
    touch("top/one", "1");
    touch("top/two", "22");
    for (int i = 0; i < 30; i++) {
        char p[64];
        snprintf(p, sizeof p, "top/a/file-with-a-long-name-%02d", i);
        touch(p, "x");
    }
    list("top");
    list("top/a");
    show("rename file", rename("top/one", "top/b/uno"));
    show("rename over file", rename("top/two", "top/b/uno"));
    char buf[8] = {0};
    int fd = open("top/b/uno", O_RDONLY);
    read(fd, buf, 7);
    close(fd);
    printf("uno holds %s\n", buf);
    show("rename missing", rename("top/nothing", "top/x"));
    show("rename file over dir", rename("top/b/uno", "top/a"));
    show("rename dir over file", rename("top/a", "top/b/uno"));
    show("rename dir into itself", rename("top/a", "top/a/sub"));
    show("rename dir over non-empty dir", rename("top/b", "top/a"));
    mkdir("top/empty", 0755);
    show("rename dir over empty dir", rename("top/b", "top/empty"));
    show("rename to itself", rename("top/empty/uno", "top/empty/uno"));
    show("rename into missing dir", rename("top/empty/uno", "top/nowhere/uno"));
    list("top");
    list("top/empty");
    show("opendir a file", opendir("top/empty/uno") ? 0 : -1);
    show("opendir missing", opendir("top/nowhere") ? 0 : -1);
    for (int i = 0; i < 30; i++) {
        char p[64];
        snprintf(p, sizeof p, "top/a/file-with-a-long-name-%02d", i);
        unlink(p);
    }
    show("rmdir a", rmdir("top/a"));
    unlink("top/empty/uno");
    show("rmdir empty", rmdir("top/empty"));
    show("rmdir top", rmdir("top"));
    return 0;
}
