/* frechet.c - symmetric eigen-decomposition (cyclic Jacobi), the PSD matrix
 * square root and the Frechet distance between two Gaussians.
 *
 * FD(N(mu1, S1), N(mu2, S2)) = |mu1 - mu2|^2 + tr S1 + tr S2 - 2 tr (S1 S2)^(1/2).
 * S1 S2 is not symmetric; with A = S1^(1/2) (symmetric PSD) the matrix
 * A S2 A is, and it is similar to S1 S2 (A S2 A = A (S2 A A) A^-1 when A is
 * invertible, and by continuity otherwise), so tr (S1 S2)^(1/2) = sum of the
 * square roots of the eigenvalues of A S2 A.  Two symmetric eigenproblems,
 * each solved by Jacobi rotations (accurate for small eigenvalues too);
 * eigenvalues a rounding error below 0 are clamped to 0.
 */
#include "config.h"
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "gan/eval.h"

int gan_sym_eigen(const double *A0, int n, double *w, double *V)
{
    double *A = malloc((size_t)n * n * sizeof *A);
    if (!A) return -1;
    memcpy(A, A0, (size_t)n * n * sizeof *A);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) V[i * n + j] = i == j;
    double total = 0;
    for (int i = 0; i < n * n; i++) total += A[i] * A[i];
    int sweep;
    for (sweep = 1; sweep <= 100; sweep++) {
        double off = 0;
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++) off += 2 * A[p * n + q] * A[p * n + q];
        if (off <= 1e-30 * total || off == 0) break;
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++) {
                double apq = A[p * n + q];
                if (apq == 0) continue;
                /* rotation (c, s) zeroing A[p][q] (Golub & Van Loan 8.4) */
                double theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
                double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < n; k++) {   /* A = A J (columns p, q) */
                    double akp = A[k * n + p], akq = A[k * n + q];
                    A[k * n + p] = c * akp - s * akq;
                    A[k * n + q] = s * akp + c * akq;
                }
                for (int k = 0; k < n; k++) {   /* A = J^T A (rows p, q) */
                    double apk = A[p * n + k], aqk = A[q * n + k];
                    A[p * n + k] = c * apk - s * aqk;
                    A[q * n + k] = s * apk + c * aqk;
                }
                for (int k = 0; k < n; k++) {   /* V = V J */
                    double vkp = V[k * n + p], vkq = V[k * n + q];
                    V[k * n + p] = c * vkp - s * vkq;
                    V[k * n + q] = s * vkp + c * vkq;
                }
            }
    }
    if (sweep > 100) {
        free(A);
        return -1;
    }
    for (int i = 0; i < n; i++) w[i] = A[i * n + i];
    free(A);
    /* ascending, vectors along (selection sort: n is small) */
    for (int i = 0; i < n; i++) {
        int m = i;
        for (int j = i + 1; j < n; j++)
            if (w[j] < w[m]) m = j;
        if (m == i) continue;
        double t = w[i];
        w[i] = w[m];
        w[m] = t;
        for (int k = 0; k < n; k++) {
            t = V[k * n + i];
            V[k * n + i] = V[k * n + m];
            V[k * n + m] = t;
        }
    }
    return sweep;
}

int gan_sqrtm_psd(const double *S, int n, double *out)
{
    double *w = malloc((size_t)n * sizeof *w), *V = malloc((size_t)n * n * sizeof *V);
    int rc = -1;
    if (w && V && gan_sym_eigen(S, n, w, V) >= 0) {
        for (int j = 0; j < n; j++) w[j] = w[j] > 0 ? sqrt(w[j]) : 0;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += V[i * n + j] * w[j] * V[k * n + j];
                out[i * n + k] = s;
            }
        rc = 0;
    }
    free(w);
    free(V);
    return rc;
}

void gan_mean_cov(const float *x, long n, int F, double *mu, double *S)
{
    memset(mu, 0, (size_t)F * sizeof *mu);
    memset(S, 0, (size_t)F * F * sizeof *S);
    for (long i = 0; i < n; i++)
        for (int a = 0; a < F; a++) mu[a] += x[(size_t)i * F + a];
    for (int a = 0; a < F; a++) mu[a] /= (double)n;
    double *d = malloc((size_t)F * sizeof *d);
    if (!d) return;
    for (long i = 0; i < n; i++) {
        for (int a = 0; a < F; a++) d[a] = x[(size_t)i * F + a] - mu[a];
        for (int a = 0; a < F; a++)
            for (int b = a; b < F; b++) S[a * F + b] += d[a] * d[b];
    }
    free(d);
    double den = n > 1 ? (double)(n - 1) : 1.0;
    for (int a = 0; a < F; a++)
        for (int b = a; b < F; b++) S[b * F + a] = S[a * F + b] /= den;
}

double gan_frechet_distance(const double *mu1, const double *S1, const double *mu2, const double *S2, int n)
{
    size_t nn = (size_t)n * n;
    double *A = malloc(nn * sizeof *A), *T = malloc(nn * sizeof *T), *M = malloc(nn * sizeof *M);
    double *w = malloc((size_t)n * sizeof *w), fd = NAN;
    if (!A || !T || !M || !w || gan_sqrtm_psd(S1, n, A) < 0) goto out;
    /* T = S2 A, M = A T (symmetrised against rounding) */
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++) {
            double s = 0;
            for (int j = 0; j < n; j++) s += S2[i * n + j] * A[j * n + k];
            T[i * n + k] = s;
        }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++) {
            double s = 0;
            for (int j = 0; j < n; j++) s += A[i * n + j] * T[j * n + k];
            M[i * n + k] = s;
        }
    for (int i = 0; i < n; i++)
        for (int k = i + 1; k < n; k++) M[i * n + k] = M[k * n + i] = 0.5 * (M[i * n + k] + M[k * n + i]);
    if (gan_sym_eigen(M, n, w, T) < 0) goto out;
    double d2 = 0, tr = 0, trs = 0;
    for (int i = 0; i < n; i++) {
        d2 += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]);
        tr += S1[i * n + i] + S2[i * n + i];
        trs += w[i] > 0 ? sqrt(w[i]) : 0;
    }
    fd = d2 + tr - 2 * trs;
out:
    free(A);
    free(T);
    free(M);
    free(w);
    return fd;
}

/* ---- the Frechet distance of two point sets, by LAPACK ---------------
 * gan_frechet_sets: the same estimator as gan_mean_cov +
 * gan_frechet_distance (covariance divided by n - 1, trace of the square
 * root from S1^(1/2) S2 S1^(1/2)), with dsyrk for the covariances and
 * LAPACK's dsyevd (OpenBLAS ships LAPACK) for the two eigenproblems: the
 * Jacobi sweeps above take minutes at d = 512, this a fraction of a second.
 * The results agree to rounding (check_eval). */
extern void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
                    double *work, const int *lwork, int *iwork, const int *liwork, int *info, size_t ljobz,
                    size_t luplo);

/* eigenvalues w (n) ascending of symmetric A (n, n), overwritten by the
 * eigenvectors as its rows when vectors; 0 or -1 */
static int eig(double *A, int n, double *w, int vectors)
{
    const char jobz = vectors ? 'V' : 'N', uplo = 'U';
    int lwork = -1, liwork = -1, info = 0, iq;
    double q;
    dsyevd_(&jobz, &uplo, &n, A, &n, w, &q, &lwork, &iq, &liwork, &info, 1, 1);
    if (info) return -1;
    lwork = (int)q + 1;
    liwork = iq + 1;
    double *work = malloc((size_t)lwork * sizeof *work);
    int *iwork = malloc((size_t)liwork * sizeof *iwork);
    if (work && iwork) dsyevd_(&jobz, &uplo, &n, A, &n, w, work, &lwork, iwork, &liwork, &info, 1, 1);
    else info = -1;
    free(work);
    free(iwork);
    return info ? -1 : 0;
}

/* mean mu (d) and covariance S (d, d) / (n - 1) of x (n, d), by dsyrk */
static int mean_cov_fast(const float *x, long n, int d, double *mu, double *S)
{
    double *X = calloc((size_t)n * d, sizeof *X);
    if (!X) return -1;
    memset(mu, 0, (size_t)d * sizeof *mu);
    for (long i = 0; i < n; i++)
        for (int a = 0; a < d; a++) mu[a] += x[(size_t)i * d + a];
    for (int a = 0; a < d; a++) mu[a] /= (double)n;
    for (long i = 0; i < n; i++)
        for (int a = 0; a < d; a++) X[(size_t)i * d + a] = x[(size_t)i * d + a] - mu[a];
    double den = n > 1 ? (double)(n - 1) : 1.0;
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, d, (int)n, 1.0 / den, X, d, 0.0, S, d);
    for (int a = 0; a < d; a++)
        for (int b = a + 1; b < d; b++) S[(size_t)b * d + a] = S[(size_t)a * d + b];
    free(X);
    return 0;
}

double gan_frechet_sets(const float *a, long na, const float *b, long nb, int d)
{
    size_t dd = (size_t)d * d;
    double *m1 = malloc((size_t)d * sizeof *m1), *m2 = malloc((size_t)d * sizeof *m2), *w = malloc((size_t)d * sizeof *w);
    double *S1 = malloc(dd * sizeof *S1), *S2 = malloc(dd * sizeof *S2), *A = malloc(dd * sizeof *A);
    double *T = malloc(dd * sizeof *T), fd = NAN;
    if (!m1 || !m2 || !w || !S1 || !S2 || !A || !T || na < 1 || nb < 1) goto out;
    if (mean_cov_fast(a, na, d, m1, S1) || mean_cov_fast(b, nb, d, m2, S2)) goto out;
    double d2 = 0, tr = 0, trs = 0;
    for (int i = 0; i < d; i++) {
        d2 += (m1[i] - m2[i]) * (m1[i] - m2[i]);
        tr += S1[(size_t)i * d + i] + S2[(size_t)i * d + i];
    }
    /* A = S1^(1/2) = V^T diag(sqrt w) V with V's rows the eigenvectors:
     * B = diag(w^(1/4)) V, A = B^T B */
    memcpy(T, S1, dd * sizeof *T);
    if (eig(T, d, w, 1)) goto out;
    for (int j = 0; j < d; j++) {
        double s = w[j] > 0 ? sqrt(sqrt(w[j])) : 0;
        for (int k = 0; k < d; k++) T[(size_t)j * d + k] *= s;
    }
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, d, d, 1.0, T, d, 0.0, A, d);
    for (int i = 0; i < d; i++)
        for (int k = i + 1; k < d; k++) A[(size_t)k * d + i] = A[(size_t)i * d + k];
    /* M = A S2 A (symmetric), its eigenvalues */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, d, d, d, 1.0, S2, d, A, d, 0.0, T, d);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, d, d, d, 1.0, A, d, T, d, 0.0, S1, d);
    for (int i = 0; i < d; i++)
        for (int k = i + 1; k < d; k++)
            S1[(size_t)i * d + k] = S1[(size_t)k * d + i] = 0.5 * (S1[(size_t)i * d + k] + S1[(size_t)k * d + i]);
    if (eig(S1, d, w, 0)) goto out;
    for (int i = 0; i < d; i++) trs += w[i] > 0 ? sqrt(w[i]) : 0;
    fd = d2 + tr - 2 * trs;
out:
    free(m1), free(m2), free(w), free(S1), free(S2), free(A), free(T);
    return fd;
}
