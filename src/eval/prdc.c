/* prdc.c - precision and recall (Kynkaanniemi et al. 2019), density and
 * coverage (Naeem et al. 2020), from exact k nearest neighbours.
 *
 * With rr_p(j), rr_c(j) the squared distance of real point j to its k_pr-th
 * and k_dc-th nearest other real point, and rg(i) that of generated point
 * i to its k_pr-th nearest other generated point:
 *   precision = 1/ng #{i : exists j, e_ij <= rr_p(j)}
 *   recall    = 1/nr #{j : exists i, e_ij <= rg(i)}
 *   density   = 1/(k_dc ng) sum_i #{j : e_ij < rr_c(j)}
 *   coverage  = 1/nr #{j : exists i, e_ij < rr_c(j)}
 * (<= as Kynkaanniemi et al.'s code compares, < as Naeem et al.'s.)  All
 * four come from one pass over the ng x nr pairs (knn.c's blocks); a
 * comparison the GEMM's distance settles by its error bound is taken from
 * it, and only a pair within that bound of a radius gets its exact
 * distance, so every answer is the exact one.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "eval/eval_impl.h"

typedef struct prdc_ctx {
    const double *rr_p, *rr_c, *rg;   /* (nr), (nr), (ng) radii, squared */
    unsigned char *in_real;   /* (ng) generated i is inside some real ball (precision) */
    long *dens;               /* (ng) real balls (k_dc) holding generated i */
    unsigned char *rec;       /* (nr) real j inside some generated ball */
    unsigned char *cov;       /* (nr) real ball j (k_dc) holds some generated point */
} prdc_ctx;

/* e <= T (le) or e < T, for the exact e of a pair known to lie within
 * tol of a: the GEMM's value decides unless it is within tol of T */
static int below(double a, double tol, double T, int le, double *e, const eval_block *b, const float *gi, long j)
{
    if (a - tol > T) return 0;
    if (a + tol < T) return 1;
    if (*e < 0) *e = eval_exact2(gi, b->r + (size_t)j * b->d, b->d);
    return le ? *e <= T : *e < T;
}

static void prdc_block(void *vc, const eval_block *b)
{
    prdc_ctx *c = vc;
    for (int ii = 0; ii < b->bq; ii++) {
        long i = b->i0 + ii;
        const float *g = b->G + (size_t)ii * b->br;
        const float *gi = b->q + (size_t)i * b->d;
        double rg = c->rg[i];
        for (int jj = 0; jj < b->br; jj++) {
            long j = b->j0 + jj;
            double T = c->rr_c[j] > c->rr_p[j] ? c->rr_c[j] : c->rr_p[j];
            if (rg > T) T = rg;
            double a = eval_approx(b, i, j, g[jj]), tol = eval_tol(b, i, j), e = -1;
            if (a - tol > T) continue;   /* outside every ball */
            if (below(a, tol, c->rr_p[j], 1, &e, b, gi, j)) c->in_real[i] = 1;
            if (below(a, tol, rg, 1, &e, b, gi, j)) c->rec[j] = 1;
            if (below(a, tol, c->rr_c[j], 0, &e, b, gi, j)) {
                c->dens[i]++;
                c->cov[j] = 1;
            }
        }
    }
}

/* radii (n) = squared distance of each row of x to its k-th nearest other
 * row; with k2 > 0 also radii2 from the k2-th */
static gan_status self_radii(const float *x, long n, int d, int k, int k2, double *radii, double *radii2,
                             gan_error *err)
{
    int K = k2 > k ? k2 : k;
    double *dist = malloc((size_t)n * K * sizeof *dist);
    long *skip = calloc((size_t)n, sizeof *skip);
    gan_status st = dist && skip ? GAN_OK : gan_error_set(err, GAN_ERR_NOMEM, "out of memory for neighbours");
    for (long i = 0; skip && i < n; i++) skip[i] = i;
    if (st == GAN_OK) st = gan_knn(x, n, x, n, d, K, skip, dist, NULL, err);
    for (long i = 0; st == GAN_OK && i < n; i++) {
        radii[i] = dist[(size_t)i * K + k - 1];
        if (k2 > 0) radii2[i] = dist[(size_t)i * K + k2 - 1];
    }
    free(dist);
    free(skip);
    return st;
}

gan_status gan_prdc_compute(const float *real, long nr, const float *gen, long ng, int d, int k_pr, int k_dc,
                            gan_prdc *out, gan_error *err)
{
    memset(out, 0, sizeof *out);
    int kmax = k_pr > k_dc ? k_pr : k_dc;
    if (k_pr < 1 || k_dc < 1)
        return gan_error_set(err, GAN_ERR_INVALID, "precision and recall: k must be positive");
    if (ng <= k_pr || nr <= kmax)
        return gan_error_set(err, GAN_ERR_INVALID, "precision, recall, density and coverage need more than %d "
                             "generated and %d real images (have %ld and %ld)", k_pr, kmax, ng, nr);
    prdc_ctx c;
    double *rr_p = malloc((size_t)nr * sizeof *rr_p), *rr_c = malloc((size_t)nr * sizeof *rr_c);
    double *rg = malloc((size_t)ng * sizeof *rg);
    c.in_real = calloc((size_t)ng, 1);
    c.dens = calloc((size_t)ng, sizeof *c.dens);
    c.rec = calloc((size_t)nr, 1);
    c.cov = calloc((size_t)nr, 1);
    gan_status st = rr_p && rr_c && rg && c.in_real && c.dens && c.rec && c.cov
                        ? GAN_OK : gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    if (st == GAN_OK) st = self_radii(real, nr, d, k_pr, k_dc, rr_p, rr_c, err);
    if (st == GAN_OK) st = self_radii(gen, ng, d, k_pr, 0, rg, NULL, err);
    c.rr_p = rr_p;
    c.rr_c = rr_c;
    c.rg = rg;
    if (st == GAN_OK) st = eval_pairs(gen, ng, real, nr, d, prdc_block, &c, err);
    if (st == GAN_OK) {
        long p = 0, r = 0, cv = 0;
        double dn = 0;
        for (long i = 0; i < ng; i++) {
            p += c.in_real[i];
            dn += (double)c.dens[i];
        }
        for (long j = 0; j < nr; j++) {
            r += c.rec[j];
            cv += c.cov[j];
        }
        out->precision = (double)p / ng;
        out->recall = (double)r / nr;
        out->density = dn / ((double)k_dc * ng);
        out->coverage = (double)cv / nr;
    }
    free(rr_p);
    free(rr_c);
    free(rg);
    free(c.in_real);
    free(c.dens);
    free(c.rec);
    free(c.cov);
    return st;
}
