/* knn.c - exact nearest neighbours by GEMM, and the memorisation distance.
 *
 * Squared distances of a block of queries Q (bq, d) to a block of
 * reference rows R (br, d):
 *   G (bq, br) = Q R^T                      one cblas_sgemm (float)
 *   a_ij = |q_i|^2 + |r_j|^2 - 2 G_ij       norms in double
 * A float dot product of length d is within gamma_d sum_k |x_k y_k| <=
 * gamma_d |x||y| of the exact one (gamma_d = d u / (1 - d u), u = 2^-24,
 * any summation order, FMA or not), so |a_ij - e_ij| <= tol_ij with
 *   tol_ij = 2 gamma_d |q_i||r_j| + (norms' double rounding).
 * A pair whose answer the bound settles is never computed again; every
 * other pair gets e_ij = sum_k ((double)q_ik - r_jk)^2, the exact value
 * everything here returns and compares.  So the answers are those of the
 * naive double computation, whatever the BLAS, threads or blocks.
 * Memory: one (QB, RB) float block and the norms, never nq x nr.
 */
#include "config.h"
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "eval/eval_impl.h"

#define QB 512    /* query rows per block */
#define RB 2048   /* reference rows per block */

double eval_exact2(const float *x, const float *y, int d)
{
    double s = 0;
    for (int k = 0; k < d; k++) {
        double t = (double)x[k] - (double)y[k];
        s += t * t;
    }
    return s;
}

static void norms(const float *x, long n, int d, double *n2, double *n1)
{
    for (long i = 0; i < n; i++) {
        const float *p = x + (size_t)i * d;
        double s = 0;
        for (int k = 0; k < d; k++) s += (double)p[k] * p[k];
        n2[i] = s;
        n1[i] = sqrt(s);
    }
}

gan_status eval_pairs(const float *q, long nq, const float *r, long nr, int d, eval_block_fn fn, void *ctx,
                      gan_error *err)
{
    double *qn2 = malloc((size_t)nq * sizeof *qn2), *qn1 = malloc((size_t)nq * sizeof *qn1);
    double *rn2 = malloc((size_t)nr * sizeof *rn2), *rn1 = malloc((size_t)nr * sizeof *rn1);
    float *G = gan_alloc_floats((size_t)QB * RB);   /* (QB, RB) */
    gan_status st = GAN_OK;
    if (!qn2 || !qn1 || !rn2 || !rn1 || !G) {
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory for distances");
        goto out;
    }
    norms(q, nq, d, qn2, qn1);
    norms(r, nr, d, rn2, rn1);
    const double u = ldexp(1.0, -24), du = d * u;
    eval_block b;
    b.d = d;
    b.gam2 = 2 * du / (1 - du);
    b.eps = 4.0 * (d + 4) * ldexp(1.0, -53);
    b.q = q;
    b.r = r;
    b.qn2 = qn2;
    b.qn1 = qn1;
    b.rn2 = rn2;
    b.rn1 = rn1;
    b.G = G;
    for (long i0 = 0; i0 < nq; i0 += QB) {
        int bq = nq - i0 < QB ? (int)(nq - i0) : QB;
        for (long j0 = 0; j0 < nr; j0 += RB) {
            int br = nr - j0 < RB ? (int)(nr - j0) : RB;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, bq, br, d, 1.0f, q + (size_t)i0 * d, d,
                        r + (size_t)j0 * d, d, 0.0f, G, br);
            b.i0 = i0;
            b.bq = bq;
            b.j0 = j0;
            b.br = br;
            fn(ctx, &b);
        }
    }
out:
    free(qn2);
    free(qn1);
    free(rn2);
    free(rn1);
    gan_free_floats(G);
    return st;
}

/* ---- k nearest ---------------------------------------------------------- */
typedef struct knn_ctx {
    int k;
    const long *skip;
    double *dist2;   /* (nq, k), +inf until filled */
    long *idx;       /* (nq, k) */
} knn_ctx;

static void knn_block(void *vc, const eval_block *b)
{
    knn_ctx *c = vc;
    int k = c->k;
    for (int ii = 0; ii < b->bq; ii++) {
        long i = b->i0 + ii;
        double *bd = c->dist2 + (size_t)i * k;
        long *bi = c->idx + (size_t)i * k;
        long skip = c->skip ? c->skip[i] : -1;
        const float *g = b->G + (size_t)ii * b->br;
        const float *qi = b->q + (size_t)i * b->d;
        for (int jj = 0; jj < b->br; jj++) {
            long j = b->j0 + jj;
            double a = eval_approx(b, i, j, g[jj]), kth = bd[k - 1];
            if (j == skip || a - eval_tol(b, i, j) > kth) continue;   /* exact > kth: not among them */
            double e = eval_exact2(qi, b->r + (size_t)j * b->d, b->d);
            if (!(e < kth || (e == kth && j < bi[k - 1]))) continue;
            int m = k - 1;   /* insert, keeping (distance, row) ascending */
            while (m > 0 && (bd[m - 1] > e || (bd[m - 1] == e && bi[m - 1] > j))) {
                bd[m] = bd[m - 1];
                bi[m] = bi[m - 1];
                m--;
            }
            bd[m] = e;
            bi[m] = j;
        }
    }
}

gan_status gan_knn(const float *q, long nq, const float *r, long nr, int d, int k, const long *skip,
                   double *dist2, long *idx, gan_error *err)
{
    if (k < 1 || d < 1 || nq < 0) return gan_error_set(err, GAN_ERR_INVALID, "k nearest: k and d must be positive");
    if (nr - (skip ? 1 : 0) < k)
        return gan_error_set(err, GAN_ERR_INVALID, "k nearest: %ld points to choose %d nearest neighbours from "
                             "(expected more)", nr, k);
    long *own = idx ? NULL : malloc((size_t)nq * k * sizeof *own);
    if (!idx && !own && nq > 0) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory for neighbours");
    knn_ctx c = { k, skip, dist2, idx ? idx : own };
    for (size_t t = 0; t < (size_t)nq * k; t++) {
        dist2[t] = INFINITY;
        c.idx[t] = nr;
    }
    gan_status st = nq > 0 ? eval_pairs(q, nq, r, nr, d, knn_block, &c, err) : GAN_OK;
    free(own);
    return st;
}

/* ---- memorisation ------------------------------------------------------- */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double eval_median(double *v, long n)
{
    if (n < 1) return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

gan_status gan_nn_train(const float *gen, long ng, const float *train, long nt, int d, long nself, uint64_t seed,
                        gan_nn_summary *out, gan_error *err)
{
    memset(out, 0, sizeof *out);
    if (ng < 1 || nt < 2) return gan_error_set(err, GAN_ERR_INVALID, "nearest training image: needs generated "
                                               "images and at least 2 training images (%ld, %ld)", ng, nt);
    long nref = nself < nt ? nself : nt;
    if (nref < 1) nref = 1;
    double *dg = malloc((size_t)ng * sizeof *dg), *dr = malloc((size_t)nref * sizeof *dr);
    long *skip = malloc((size_t)nref * sizeof *skip);
    uint32_t *perm = malloc((size_t)nt * sizeof *perm);
    float *tq = gan_alloc_floats((size_t)nref * d);
    gan_status st = dg && dr && skip && perm && tq ? GAN_OK : gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    if (st == GAN_OK) st = gan_knn(gen, ng, train, nt, d, 1, NULL, dg, NULL, err);
    if (st == GAN_OK) {
        /* nref training rows picked by the seed, each against all the others */
        for (long i = 0; i < nt; i++) perm[i] = (uint32_t)i;
        gan_rng rng;
        gan_rng_seed_stream(&rng, seed, GAN_STREAM_EVAL_NN);
        if (nref < nt) gan_rng_shuffle(&rng, perm, (size_t)nt);
        for (long i = 0; i < nref; i++) {
            skip[i] = perm[i];
            memcpy(tq + (size_t)i * d, train + (size_t)perm[i] * d, (size_t)d * sizeof *tq);
        }
        st = gan_knn(tq, nref, train, nt, d, 1, skip, dr, NULL, err);
    }
    if (st == GAN_OK) {
        double s = 0;
        for (long i = 0; i < ng; i++) s += dg[i] = sqrt(dg[i] / d);
        for (long i = 0; i < nref; i++) dr[i] = sqrt(dr[i] / d);
        out->n = ng;
        out->nref = nref;
        out->mean = s / ng;
        out->ref_median = eval_median(dr, nref);
        long closer = 0;
        for (long i = 0; i < ng; i++) closer += dg[i] < out->ref_median;
        out->closer = (double)closer / ng;
        out->median = eval_median(dg, ng);
        out->min = dg[0];
    }
    free(dg);
    free(dr);
    free(skip);
    free(perm);
    gan_free_floats(tq);
    return st;
}
