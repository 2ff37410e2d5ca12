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

double gan_frechet_sets(const float *a, long na, const float *b, long nb, int d)
{
    size_t dd = (size_t)d * d;
    double *m1 = malloc((size_t)d * sizeof *m1), *m2 = malloc((size_t)d * sizeof *m2);
    double *S1 = malloc(dd * sizeof *S1), *S2 = malloc(dd * sizeof *S2), fd = NAN;
    if (m1 && m2 && S1 && S2 && na > 0 && nb > 0) {
        gan_mean_cov(a, na, d, m1, S1);
        gan_mean_cov(b, nb, d, m2, S2);
        fd = gan_frechet_distance(m1, S1, m2, S2, d);
    }
    free(m1);
    free(m2);
    free(S1);
    free(S2);
    return fd;
}
