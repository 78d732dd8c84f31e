/* Copy-on-write: a child's writes to globals, the heap and the stack stay its own; a
 * MAP_SHARED mapping is seen by both. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int global = 1;
char bss[8192];

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int local = 2;
    char *heap = malloc(100000);
    strcpy(heap, "parent heap");
    strcpy(bss + 5000, "parent bss");
    int *shared = mmap(NULL, 4096 * 3, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int *private = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED || private == MAP_FAILED) return 100;
    shared[0] = 10;
    private[0] = 20;
    pid_t p = fork();
    if (p == 0) {
        global = 100;
        local = 200;
        strcpy(heap, "child heap");
        strcpy(bss + 5000, "child bss");
        shared[0] = 11;
        shared[2048] = 12; /* a page the parent never touched */
        private[0] = 21;
        printf("child: %d %d %s %s %d %d\n", global, local, heap, bss + 5000, shared[0],
               private[0]);
        _exit(0);
    }
    int st;
    waitpid(p, &st, 0);
    printf("parent: %d %d %s %s shared %d %d private %d\n", global, local, heap, bss + 5000,
           shared[0], shared[2048], private[0]);
    /* The parent writes after the child is gone: its pages are its own again. */
    global = 3;
    heap[0] = 'P';
    printf("parent again: %d %s\n", global, heap);
    /* Two children write the same page one after the other. */
    for (int i = 0; i < 2; i++) {
        if (fork() == 0) {
            global += 10 * (i + 1);
            shared[1] += global;
            _exit(global);
        }
        wait(&st);
        printf("child %d exited %d\n", i, WEXITSTATUS(st));
    }
    printf("shared[1] = %d, global = %d\n", shared[1], global);
    return 0;
}
