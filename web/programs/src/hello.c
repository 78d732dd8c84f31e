/* The program the article follows: one line to standard output, then exit. */
#include <stdio.h>

int main(void) {
    printf("hello, world\n");
    return 0;
}
