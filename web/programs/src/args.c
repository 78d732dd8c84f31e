/* Prints its arguments, one per line: the interpreter of the #! example, so the reader sees
 * how the kernel rewrote argv. */
#include <stdio.h>

int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++)
        printf("argv[%d] = \"%s\"\n", i, argv[i]);
    return 0;
}
