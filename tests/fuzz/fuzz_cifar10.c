/* fuzz_cifar10.c - a CIFAR-10 binary batch file. */
#include "fuzz.h"

FUZZ_TARGET(cifar10)
{
    const char *p = fuzz_write("data_batch_1.bin", data, size);
    char in[600];
    snprintf(in, sizeof in, "%s", p);
    fuzz_data(GAN_DATA_CIFAR10, in, "");
    return 0;
}
