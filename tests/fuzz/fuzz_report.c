/* fuzz_report.c - the readers of `ganrun report`: the input becomes a run
 * directory (log.csv, model.yaml and one sample grid) and a page is built
 * of it, alone and compared with itself (two runs: the model keys are
 * flattened and compared).  Bytes 0-1 (little-endian) are the length of
 * log.csv, 2-3 that of model.yaml, the rest the grid's bytes
 * (samples/step-00000010.png).  report.c is compiled in (its readers are
 * static); the networks' drawing (graph.c: the model builder, fuzzed by
 * fuzz_model) is stubbed out.
 * Contract: a clean status and an HTML page that ends as a page does. */
#include "fuzz.h"
#include <string.h>
#include <sys/stat.h>
#include "../../src/report/report.c"

char *report_graph_html(const char *yaml, size_t len)
{
    (void)yaml;
    (void)len;
    return NULL;
}

static void put_file(const char *path, const uint8_t *d, size_t n)
{
    FILE *f = fopen(path, "wb");
    FUZZ_ASSERT(f);
    if (n) FUZZ_ASSERT(fwrite(d, 1, n, f) == n);
    FUZZ_ASSERT(fclose(f) == 0);
}

FUZZ_TARGET(report)
{
    if (size < 4) return 0;
    size_t nlog = (size_t)data[0] | (size_t)data[1] << 8, nyaml = (size_t)data[2] | (size_t)data[3] << 8;
    const uint8_t *p = data + 4, *end = data + size;
    if (nlog > (size_t)(end - p)) nlog = (size_t)(end - p);
    const uint8_t *log = p;
    p += nlog;
    if (nyaml > (size_t)(end - p)) nyaml = (size_t)(end - p);
    const uint8_t *yaml = p;
    p += nyaml;
    char run[600], path[700];
    snprintf(run, sizeof run, "%s", fuzz_path("run"));
    mkdir(run, 0755);
    snprintf(path, sizeof path, "%s/samples", run);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/log.csv", run);
    put_file(path, log, nlog);
    snprintf(path, sizeof path, "%s/model.yaml", run);
    put_file(path, yaml, nyaml);
    snprintf(path, sizeof path, "%s/samples/step-00000010.png", run);
    put_file(path, p, (size_t)(end - p));
    gan_error err;
    gan_error_clear(&err);
    FUZZ_ASSERT(check_run(run, &err) == GAN_OK);
    gan_text b = { 0 };
    gan_status st = build_page(&b, run, &err);
    fuzz_check_status("build_page", st, &err);
    if (st == GAN_OK) FUZZ_ASSERT(b.n >= 8 && !memcmp(b.p + b.n - 8, "</html>\n", 8));
    gan_text_free(&b);
    const char *runs[2] = { run, run };
    char out[700];
    snprintf(out, sizeof out, "%s", fuzz_path("cmp.html"));
    st = report_runs(runs, 2, out, &err);
    fuzz_check_status("report_runs", st, &err);
    return 0;
}
