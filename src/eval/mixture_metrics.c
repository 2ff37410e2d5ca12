/* mixture_metrics.c - PacGAN's metrics (Lin et al. 2018) of samples of the
 * built-in 2-D Gaussian mixtures (src/io/mixture.c: gan_mixture_modes).
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include "gan/data.h"
#include "gan/eval.h"

#define MAX_MODES 25

/* PacGAN's mixture metrics over samples xy (n, 2):
 *   - each sample belongs to its nearest mode (Euclidean);
 *   - it is high quality when within 3 sigma of that mode;
 *   - a mode is captured when it is the nearest mode of at least one
 *     high-quality sample;
 *   - reverse KL = KL(p || u), p_k the fraction of the high-quality samples
 *     nearest to mode k, u uniform over the M modes:
 *         sum over k with p_k > 0 of  p_k log(p_k / (1/M)) = p_k log(p_k M).
 *     0 when the high-quality samples spread evenly over all modes, log M
 *     when they all sit on one mode.  With no high-quality sample p is
 *     undefined; we report log M, the value for a collapse onto one mode. */
void gan_mixture_evaluate(gan_data_format f, const float *xy, long n, gan_mixture_eval *out)
{
    float c[MAX_MODES][2], sigma;
    int m = gan_mixture_modes(f, c, MAX_MODES, &sigma);
    *out = (gan_mixture_eval){ m, 0, 0, 0 };
    if (m == 0) return;
    long count[MAX_MODES] = { 0 }, hq = 0;
    double r2 = 9.0 * (double)sigma * sigma;   /* (3 sigma)^2 */
    for (long i = 0; i < n; i++) {
        double best = INFINITY;
        int kb = -1;
        for (int k = 0; k < m; k++) {
            double dx = xy[2 * i] - c[k][0], dy = xy[2 * i + 1] - c[k][1];
            double d2 = dx * dx + dy * dy;
            if (d2 < best) { best = d2; kb = k; }
        }
        if (kb >= 0 && best <= r2) {   /* NaN samples have no nearest mode */
            count[kb]++;
            hq++;
        }
    }
    double kl = 0;
    for (int k = 0; k < m; k++) {
        if (!count[k]) continue;
        out->captured++;
        double p = (double)count[k] / (double)hq;
        kl += p * log(p * m);
    }
    out->high_quality = n > 0 ? (double)hq / (double)n : 0;
    out->reverse_kl = hq > 0 ? kl : log((double)m);
}
