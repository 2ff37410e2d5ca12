/* gan/report.h - the HTML report of training runs (`ganrun report`).
 *
 * One self-contained page (no script, no network access) about a run
 * directory (gan/run.h): its expanded model, the loss, D-output and health
 * curves of log.csv as inline SVG charts, the sample grids, the timings and
 * both networks drawn; or, for several runs, one page comparing them
 * (curves overlaid, final figures, the model keys that differ, the latest
 * grids).  Whatever is missing or damaged in a run (no log, malformed
 * rows, NaN losses, no samples) becomes a note on the page.
 */
#ifndef GAN_REPORT_H
#define GAN_REPORT_H

#include "gan/api.h"
#include "gan/error.h"

/* the most runs one page compares */
#define GAN_REPORT_MAX_RUNS 16

/* Write the report of the run directories runs[0..n), 1 <= n <=
 * GAN_REPORT_MAX_RUNS, to out: the page of one run (n == 1) or the
 * comparison (n > 1).  A name that is not a run directory (none of
 * model.yaml, log.csv, samples/, latest.ckpt in it) is an error naming it;
 * then out must pass gan_output_check(out, GAN_OUT_HTML, force) (gan/data.h);
 * both before anything is written.  out is written whole or not at all. */
GAN_API gan_status gan_report_write(const char *const *runs, int n, const char *out, int force, gan_error *err);

#endif
