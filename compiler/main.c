/* main.c - the sigc command line (placeholder until the driver lands). */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("sigc %s\n", SIGC_VERSION);
        return 0;
    }
    fputs("usage: sigc <command> [options]\n", stderr);
    return 2;
}
