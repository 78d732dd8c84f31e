/* Files through stdio and system calls, in the current directory: create, write, read back,
 * seek, append, truncate, stat, dup2, directories, and the errors of each. */
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

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    FILE *f = fopen("notes.txt", "w");
    if (!f) return 100;
    for (int i = 0; i < 5; i++) fprintf(f, "line %d: %s\n", i, i % 2 ? "odd" : "even");
    fclose(f);
    f = fopen("notes.txt", "r");
    char buf[256];
    while (fgets(buf, sizeof buf, f)) printf("read: %s", buf);
    fseek(f, 8, SEEK_SET);
    printf("at %ld: %c\n", ftell(f), fgetc(f));
    fseek(f, -4, SEEK_END);
    printf("tail: %s", fgets(buf, sizeof buf, f));
    fclose(f);
    f = fopen("notes.txt", "a");
    fputs("appended\n", f);
    fclose(f);
    struct stat st;
    show("stat", stat("notes.txt", &st));
    printf("size %ld regular %d dir %d\n", (long)st.st_size, S_ISREG(st.st_mode),
           S_ISDIR(st.st_mode));

    /* Binary data larger than stdio's buffer. */
    static unsigned char big[20000], back[20000];
    /* A serial recurrence: the bytes look random and the loop stays scalar. */
    unsigned x = 1;
    for (int i = 0; i < 20000; i++) {
        x = x * 1103515245u + 12345u;
        big[i] = (unsigned char)(x >> 16);
    }
    f = fopen("data.bin", "wb");
    printf("fwrite %zu\n", fwrite(big, 1, sizeof big, f));
    fclose(f);
    f = fopen("data.bin", "rb");
    size_t got = fread(back, 1, sizeof back, f);
    printf("fread %zu same %d\n", got, !memcmp(big, back, 20000));
    got = fread(back, 1, 10, f);
    printf("fread at eof %zu eof %d\n", got, feof(f));
    fclose(f);

    /* System calls directly. */
    int fd = open("raw", O_RDWR | O_CREAT | O_TRUNC, 0644);
    show("write", write(fd, "0123456789", 10));
    show("lseek end", lseek(fd, 0, SEEK_END));
    show("lseek before start", lseek(fd, -20, SEEK_CUR));
    show("pwrite", pwrite(fd, "AB", 2, 3));
    char small[16] = {0};
    show("pread", pread(fd, small, 15, 0));
    printf("contents %s\n", small);
    show("lseek past end", lseek(fd, 100, SEEK_SET));
    show("write after hole", write(fd, "Z", 1));
    fstat(fd, &st);
    printf("size with hole %ld\n", (long)st.st_size);
    show("ftruncate", ftruncate(fd, 4));
    fstat(fd, &st);
    printf("size truncated %ld\n", (long)st.st_size);
    show("lseek bad whence", lseek(fd, 0, 7));
    close(fd);
    show("close again", close(fd));
    show("read closed", read(fd, small, 1));

    fd = open("raw", O_WRONLY);
    show("read write-only", read(fd, small, 1));
    close(fd);
    fd = open("raw", O_RDONLY);
    show("write read-only", write(fd, "x", 1));
    show("fcntl getfd", fcntl(fd, F_GETFD));
    show("fcntl setfd", fcntl(fd, F_SETFD, FD_CLOEXEC));
    show("fcntl getfd", fcntl(fd, F_GETFD));
    show("fcntl getfl accmode", fcntl(fd, F_GETFL) & O_ACCMODE);
    int d = fcntl(fd, F_DUPFD, 200);
    show("F_DUPFD 200", d);
    show("dup shares offset", lseek(d, 2, SEEK_SET) == lseek(fd, 0, SEEK_CUR));
    close(d);
    close(fd);

    show("open missing", open("missing", O_RDONLY));
    show("create exclusive", open("raw", O_RDWR | O_CREAT | O_EXCL, 0644));
    show("open file as dir", open("raw/x", O_RDONLY));
    show("O_DIRECTORY on file", open("raw", O_RDONLY | O_DIRECTORY));
    show("mkdir", mkdir("sub", 0755));
    show("mkdir again", mkdir("sub", 0755));
    show("open dir for writing", open("sub", O_WRONLY));
    show("create in dir", close(open("sub/inner", O_WRONLY | O_CREAT, 0600)));
    show("rmdir non-empty", rmdir("sub"));
    show("unlink dir", unlink("sub"));
    show("access", access("sub/inner", F_OK));
    show("chdir", chdir("sub"));
    char cwd[4096];
    const char *c = getcwd(cwd, sizeof cwd);
    printf("cwd ends in /sub: %d\n", c && strlen(c) >= 4 && !strcmp(c + strlen(c) - 4, "/sub"));
    show("getcwd tiny buffer", getcwd(cwd, 2) ? 0 : -1);
    show("open via ..", close(open("../raw", O_RDONLY)));
    show("unlink inner", unlink("inner"));
    show("chdir ..", chdir(".."));
    show("rmdir", rmdir("sub"));
    show("unlink missing", unlink("sub/inner"));

    /* An open file outlives its name. */
    fd = open("ghost", O_RDWR | O_CREAT, 0600);
    write(fd, "boo", 3);
    show("unlink open file", unlink("ghost"));
    lseek(fd, 0, SEEK_SET);
    memset(small, 0, sizeof small);
    show("read unlinked", read(fd, small, 10));
    printf("ghost says %s\n", small);
    close(fd);

    /* dup2: stdout into a file for a while. */
    int saved = dup(1);
    fd = open("captured", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    close(fd);
    printf("this goes to the file\n");
    dup2(saved, 1);
    close(saved);
    f = fopen("captured", "r");
    printf("captured: %s", fgets(buf, sizeof buf, f));
    fclose(f);
    show("dup2 bad fd", dup2(99, 5));
    show("dup2 same", dup2(1, 1));

    remove("notes.txt");
    remove("data.bin");
    remove("raw");
    remove("captured");
    show("fopen removed", fopen("notes.txt", "r") ? 0 : -1);
    return 0;
}
