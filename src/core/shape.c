/* shape.c - per-sample shapes. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include "gan/layer.h"

size_t gan_shape_size(gan_shape s)
{
    size_t n = 1;
    for (int i = 0; i < s.rank; i++) n *= (size_t)s.d[i];
    return n;
}

int gan_shape_eq(gan_shape a, gan_shape b)
{
    if (a.rank != b.rank) return 0;
    for (int i = 0; i < a.rank; i++)
        if (a.d[i] != b.d[i]) return 0;
    return 1;
}

void gan_shape_str(gan_shape s, char *buf, size_t n)
{
    if (s.rank == 1) snprintf(buf, n, "(%d)", s.d[0]);
    else snprintf(buf, n, "(%d, %d, %d)", s.d[0], s.d[1], s.d[2]);
}

int gan_shape_image(gan_shape s, int *C, int *H, int *W)
{
    int k = s.rank == 1 ? (int)lround(sqrt((double)s.d[0])) : 0;
    if (s.rank == 3 && (s.d[0] == 1 || s.d[0] == 3)) *C = s.d[0], *H = s.d[1], *W = s.d[2];
    else if (s.rank == 1 && k >= 2 && k * k == s.d[0]) *C = 1, *H = k, *W = k;
    else return 0;
    return 1;
}
