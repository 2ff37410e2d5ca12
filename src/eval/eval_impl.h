/* eval_impl.h - private to src/eval: the blocked distance driver that
 * knn.c and prdc.c share.  Names are eval_* (kept out of libgan's
 * exports, which are ^gan_). */
#ifndef GAN_EVAL_IMPL_H
#define GAN_EVAL_IMPL_H

#include "gan/eval.h"
#include "gan/error.h"
#include "gan/rng.h"

/* One block of pairs: rows i0 .. i0 + bq - 1 of q against rows
 * j0 .. j0 + br - 1 of r, G (bq, br) their float dot products. */
typedef struct eval_block {
    const float *q, *r;         /* (nq, d), (nr, d) */
    const double *qn2, *qn1;    /* (nq) |q_i|^2 (double), |q_i| */
    const double *rn2, *rn1;    /* (nr) */
    const float *G;             /* (bq, br) */
    long i0, j0;
    int bq, br, d;
    double gam2;                /* 2 gamma_d */
    double eps;                 /* relative rounding of the norms and the sum */
} eval_block;

typedef void (*eval_block_fn)(void *ctx, const eval_block *b);

/* Call fn for every block of q (nq, d) x r (nr, d), in order (query
 * blocks outer, reference blocks inner, both ascending). */
gan_status eval_pairs(const float *q, long nq, const float *r, long nr, int d, eval_block_fn fn, void *ctx,
                      gan_error *err);
/* The exact squared distance sum_k ((double)x_k - y_k)^2. */
double eval_exact2(const float *x, const float *y, int d);
/* Median of v (n) (sorts v); the mean of the middle two when n is even. */
double eval_median(double *v, long n);

/* The GEMM's squared distance of pair (i, j) and its error bound. */
static inline double eval_approx(const eval_block *b, long i, long j, float g)
{
    return b->qn2[i] + b->rn2[j] - 2.0 * (double)g;
}
static inline double eval_tol(const eval_block *b, long i, long j)
{
    return b->gam2 * b->qn1[i] * b->rn1[j] + b->eps * (b->qn2[i] + b->rn2[j]) + 1e-300;
}

#endif
