/* main.c - ganrun command line. */
#include "config.h"
#include <stdio.h>
#include "gan/gan.h"

int main(int argc, char **argv)
{
    (void)argc; (void)argv;
    printf("ganrun %s\n", gan_version());
    return 0;
}
