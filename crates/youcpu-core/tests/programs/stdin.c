/* Standard input to end of file: upper-cased to stdout with word and line counts; a child
 * made afterwards finds the input used up. */
#include <ctype.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    int c, lines = 0, words = 0, in = 0;
    while ((c = getchar()) != EOF) {
        putchar(toupper(c));
        if (c == '\n') lines++;
        if (isspace(c)) in = 0;
        else if (!in) {
            in = 1;
            words++;
        }
    }
    printf("%d lines, %d words\n", lines, words);
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        char b[4];
        _exit((int)read(0, b, 4));
    }
    int st;
    waitpid(p, &st, 0);
    printf("child read %d\n", WEXITSTATUS(st));
    return 0;
}
