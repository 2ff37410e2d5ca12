/* fuzz_csv.c - a CSV file of vectors. */
#include "fuzz.h"

FUZZ_TARGET(csv)
{
    const char *p = fuzz_write("in.csv", data, size);
    char in[600];
    snprintf(in, sizeof in, "%s", p);
    fuzz_data(GAN_DATA_CSV, in, "");
    return 0;
}
