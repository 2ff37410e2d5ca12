/* gan/eval.h - metrics of generated images against real ones, on any data
 * set: the Frechet distance, KID, precision and recall, density and
 * coverage, exact k nearest neighbours, the memorisation distance, and a
 * feature extractor that needs no labels.  `ganrun eval` prints them;
 * ganrun(1) EVAL METRICS documents each estimator.
 *
 * Points are rows of float matrices x (n, d).  Distances are Euclidean;
 * every distance the functions return or compare is the exact double
 * sum_k ((double)x_k - (double)y_k)^2 of the two rows (the GEMM that finds
 * candidates only decides where its error bound proves the answer), so
 * the results do not depend on the BLAS, the threads or the blocking.
 */
#ifndef GAN_EVAL_H
#define GAN_EVAL_H

#include "gan/api.h"

#include <stdint.h>
#include "gan/error.h"
#include "gan/layer.h"

/* ---- Frechet distance (src/eval/frechet.c), in double precision ---- */
/* Eigen-decomposition of a symmetric A (n, n) by cyclic Jacobi rotations:
 * w (n) eigenvalues (ascending), V (n, n) eigenvectors as columns (row
 * major: V[i*n + j] is component i of vector j).  A is not changed.
 * Returns the sweeps used, or -1 if it did not converge (or no memory). */
GAN_API int gan_sym_eigen(const double *A, int n, double *w, double *V);
/* Symmetric positive semi-definite square root: out (n, n) = V
 * diag(sqrt(max(w, 0))) V^T.  0, or -1 on failure. */
GAN_API int gan_sqrtm_psd(const double *S, int n, double *out);
/* mean mu (F) and covariance S (F, F) (divided by n - 1) of x (n, F) */
GAN_API void gan_mean_cov(const float *x, long n, int F, double *mu, double *S);
/* FD between N(mu1, S1) and N(mu2, S2): |mu1 - mu2|^2 + tr S1 + tr S2 -
 * 2 tr sqrt(S1^(1/2) S2 S1^(1/2)) (the same trace as tr sqrt(S1 S2), with
 * only symmetric eigenproblems).  NaN on failure. */
GAN_API double gan_frechet_distance(const double *mu1, const double *S1, const double *mu2, const double *S2, int n);
/* The Frechet distance between the Gaussians fitted (mean, covariance
 * divided by n - 1) to a (na, d) and b (nb, d): gan_frechet_distance's
 * estimator, computed with dsyrk and LAPACK's dsyevd (fast at d = 512,
 * equal to rounding); NaN on failure (no memory, no convergence). */
GAN_API double gan_frechet_sets(const float *a, long na, const float *b, long nb, int d);

/* ---- exact nearest neighbours (src/eval/knn.c) ---------------------- */
/* For each query row q_i (nq, d), its k nearest rows of r (nr, d):
 * dist2 (nq, k) their squared distances, ascending, and idx (nq, k) their
 * rows (may be NULL).  skip (nq) or NULL: row skip[i] of r is left out
 * for query i (its own row, when q are rows of r; -1: none).  Ties are
 * broken by the lower row.  Distances by one cblas_sgemm per block of
 * rows (|x|^2 + |y|^2 - 2 x.y, norms in double), each candidate whose
 * error bound (d u |x||y|, u = 2^-24) leaves it in doubt recomputed
 * exactly: memory is a fixed block, not nq x nr.  Error: fewer than k
 * rows to choose from, or no memory. */
GAN_API gan_status gan_knn(const float *q, long nq, const float *r, long nr, int d, int k, const long *skip,
                           double *dist2, long *idx, gan_error *err);

/* ---- precision, recall, density, coverage (src/eval/prdc.c) --------- */
typedef struct gan_prdc {
    double precision;   /* share of generated points inside some real ball (k_pr, <=) */
    double recall;      /* share of real points inside some generated ball (k_pr, <=) */
    double density;     /* sum over generated of the real balls (k_dc, <) holding it / (k_dc ng) */
    double coverage;    /* share of real balls (k_dc, <) holding some generated point */
} gan_prdc;
/* Kynkaanniemi et al. 2019 (precision, recall; ball radius: the distance
 * to the k_pr-th nearest other point of the same set, inside when
 * distance <= radius) and Naeem et al. 2020 (density, coverage; real
 * balls of the k_dc-th neighbour, inside when distance < radius, as their
 * code compares) of gen (ng, d) against real (nr, d).  Needs more than
 * k_pr generated and more than max(k_pr, k_dc) real points. */
GAN_API gan_status gan_prdc_compute(const float *real, long nr, const float *gen, long ng, int d, int k_pr,
                                    int k_dc, gan_prdc *out, gan_error *err);

/* ---- KID (src/eval/kid.c) -------------------------------------------- */
/* Kernel Inception Distance's estimator (Binkowski et al. 2018) as
 * stylegan2-ada's metric computes it: kernel k(x, y) = (x.y / d + 1)^3;
 * `subsets` times, m = min(subset, nr, ng) rows of each set drawn without
 * repeats (stream GAN_STREAM_EVAL_KID of seed), the unbiased MMD^2
 *   sum_{i != j} (k(g_i, g_j) + k(r_i, r_j)) / (m (m - 1)) - 2 sum_{i,j} k(g_i, r_j) / m^2;
 * *mean their mean, *std their standard deviation (divided by subsets).
 * Dot products by cblas_sgemm (float), kernel values and sums in
 * double.  Needs m >= 2. */
GAN_API gan_status gan_kid(const float *real, long nr, const float *gen, long ng, int d, int subsets, long subset,
                           uint64_t seed, double *mean, double *std, gan_error *err);

/* ---- memorisation (src/eval/knn.c) ----------------------------------- */
typedef struct gan_nn_summary {
    long n;             /* generated points */
    double min, median, mean;   /* of each one's distance to its nearest training point */
    long nref;          /* training points measured against the others */
    double ref_median;  /* median distance of a training point to its nearest other */
    double closer;      /* share of generated points nearer a training point than ref_median */
} gan_nn_summary;
/* Distances as root mean squares per value, sqrt(|x - y|^2 / d).  The
 * training side: nref = min(nself, nt) training rows picked by seed
 * (stream GAN_STREAM_EVAL_NN), each against all the others. */
GAN_API gan_status gan_nn_train(const float *gen, long ng, const float *train, long nt, int d, long nself,
                                uint64_t seed, gan_nn_summary *out, gan_error *err);

/* ---- the label-free feature extractor (src/eval/features.c) ---------- */
/* A fixed random-weight convolutional network (weights drawn in code from
 * a fixed seed, the same on every build): images (1 or 3, H, W) (or
 * (H*W) vectors, gray) in [-1, 1]; gray is repeated to 3 channels; the
 * image is resized to 3 x 64 x 64 (a linear filter widened by the factor
 * when shrinking, aspect not kept); four stages of conv 3x3 + relu + 2x2
 * average pooling (32, 64, 128, 256 filters, He-uniform weights, no bias),
 * then the mean of each channel: GAN_FEATURES_DIM values. */
#define GAN_FEATURES_DIM 256
#define GAN_FEATURES_SIDE 64
typedef struct gan_features gan_features;
GAN_API gan_status gan_features_create(gan_features **out, gan_error *err);
GAN_API void gan_features_free(gan_features *f);
/* Its name and version for output lines ("random-conv-v1"). */
GAN_API const char *gan_features_name(void);
/* feat (n, GAN_FEATURES_DIM) of x (n, shape s).  Error: a shape that is
 * not an image. */
GAN_API gan_status gan_features_run(gan_features *f, const float *x, long n, gan_shape s, float *feat,
                                    gan_error *err);
/* The resize the extractor applies: x (C, H, W) -> y (C, OH, OW), each
 * axis by a triangle filter of half-width max(1, in/out) input pixels,
 * weights normalised per output pixel. */
GAN_API void gan_resize_linear(const float *x, int C, int H, int W, float *y, int OH, int OW);

/* The shape (C, H, W) of the first PNG or JPEG of folder dir (strcmp
 * order of the names): C = 1 for a gray image (with or without alpha),
 * else 3.  Error: no such folder, no image in it, or a bad first image. */
GAN_API gan_status gan_images_folder_shape(const char *dir, gan_shape *shape, gan_error *err);

#endif
