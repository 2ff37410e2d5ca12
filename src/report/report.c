/* report.c - gan_report_write (gan/report.h, run by `ganrun report`): one
 * self-contained page about a run directory (its layout in gan/run.h):
 *
 *   - the run's name and its expanded model (RUN/model.yaml, escaped);
 *   - d_loss and g_loss, D(x) and D(G(z)) over the steps of RUN/log.csv as
 *     inline SVG line charts (axes, ticks, legend; no script);
 *   - the sample grids RUN/samples/step-N.png in step order, at most
 *     MAX_IMAGES of them evenly spaced, embedded as data: URIs (base64);
 *   - the timings: steps, seconds, mean images/s;
 *   - the health columns (d_grad_norm, g_grad_norm, diversity) charted.
 * With several runs (`ganrun report RUN RUN... [-o FILE]`) one page
 * compares them instead (see "several runs" below).
 *
 * Whatever is missing or damaged (no log, malformed rows, NaN losses, no
 * samples) becomes a note on the page; only a RUN that is not a run
 * directory at all is an error.  The page is written to a temporary file
 * and renamed, so the page is always whole.
 *
 * This file is over 800 lines: it is one page's engine (the log reader,
 * the SVG charts, the sample grids, the comparison of several runs), each
 * part small and used only here; tests/fuzz/fuzz_report.c compiles it in
 * whole to reach its static readers (read_log, report_runs).
 */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "gan/gan.h"
#include "gan/report.h"
#include "core/text.h"
#include "report/report.h"
#include "core/file.h"

#define MAX_IMAGES 24                    /* sample grids embedded */
#define MAX_IMAGE_BYTES (4L << 20)       /* one PNG */
#define MAX_IMAGES_BYTES (16L << 20)     /* all PNGs together */
#define MAX_SAMPLE_FILES 100000          /* step-*.png files looked at */
#define MAX_MODEL_BYTES (1L << 20)       /* model.yaml shown */
#define MAX_ROWS 1000000                 /* log rows read */
#define MAX_POINTS 1500                  /* points per polyline */
#define BIG 1e15                         /* larger values are plotted as gaps */

/* text with & < > " ' as character references */
static void put_escaped(gan_text *b, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        case 0: rep = "\xef\xbf\xbd"; break;   /* U+FFFD for a NUL byte */
        }
        if (!rep) continue;
        gan_text_add(b, s + run, i - run);
        gan_text_add(b, rep, strlen(rep));
        run = i + 1;
    }
    gan_text_add(b, s + run, n - run);
}

/* RFC 4648 base64: every 3 bytes become 4 characters, '=' pads the end */
static void put_base64(gan_text *b, const unsigned char *d, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char out[4096];
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)d[i] << 16;
        if (i + 1 < n) v |= (unsigned)d[i + 1] << 8;
        if (i + 2 < n) v |= d[i + 2];
        out[k++] = abc[v >> 18 & 63];
        out[k++] = abc[v >> 12 & 63];
        out[k++] = i + 1 < n ? abc[v >> 6 & 63] : '=';
        out[k++] = i + 2 < n ? abc[v & 63] : '=';
        if (k == sizeof out) {
            gan_text_add(b, out, k);
            k = 0;
        }
    }
    gan_text_add(b, out, k);
}

/* ---- files ------------------------------------------------------------------ */

/* Whole file if it is a regular file of at most max bytes; NULL otherwise
 * (*len = -1 when it is too large). */
static unsigned char *read_file(const char *path, long max, long *len)
{
    *len = 0;
    FILE *f = core_fopen_read(path, NULL, NULL);
    if (!f) return NULL;
    struct stat st;
    int regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
    if (!regular || st.st_size > max) {
        if (regular) *len = -1;
        fclose(f);
        return NULL;
    }
    unsigned char *d = malloc((size_t)st.st_size + 1);
    size_t got = d ? fread(d, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (!d || got != (size_t)st.st_size) {
        free(d);
        return NULL;
    }
    d[got] = 0;
    *len = (long)got;
    return d;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---- log.csv ------------------------------------------------------------------ */
enum { C_STEP, C_DLOSS, C_GLOSS, C_DREAL, C_DFAKE, C_SECONDS, C_IPS, C_DGN, C_GGN, C_DIV, NCOL };
static const char *const col_name[NCOL] = { "step", "d_loss", "g_loss", "d_real", "d_fake",
                                            "seconds", "images_per_s", "d_grad_norm", "g_grad_norm",
                                            "diversity" };

typedef struct row {
    double c[NCOL];       /* NAN where the column is absent */
} row;

typedef struct logdata {
    int found;            /* log.csv exists */
    row *r;               /* (n) in step order */
    long n, cap;
    long malformed;       /* rows skipped */
    long dropped;         /* rows superseded by a resumed run's rows */
    long nonfinite;       /* NaN / infinite values met in kept rows */
    int col[NCOL];        /* field index of each column, -1: absent */
    int nfields;          /* fields per row (the header's count) */
    double seconds;       /* sum of the sessions' last `seconds` */
} logdata;

/* Split line s in place at commas: up to max fields, returns the count
 * (max + 1 when there are more). */
static int split(char *s, char **f, int max)
{
    int n = 0;
    for (;;) {
        if (n == max) return max + 1;
        f[n++] = s;
        char *c = strchr(s, ',');
        if (!c) return n;
        *c = 0;
        s = c + 1;
    }
}

static int parse_num(const char *s, double *out)
{
    char *end;
    while (*s == ' ') s++;
    if (!*s) return 0;
    errno = 0;
    *out = strtod(s, &end);
    while (*end == ' ' || *end == '\r' || *end == '\n') end++;
    return *end == 0;
}

static void add_row(logdata *L, const row *r, double *session_seconds)
{
    /* a resumed run starts its `seconds` again: close the last session */
    double s = r->c[C_SECONDS];
    if (isfinite(s)) {
        if (s < *session_seconds) L->seconds += *session_seconds;
        *session_seconds = s;
    }
    /* rows at or after this step from before a resume are replaced */
    while (L->n > 0 && L->r[L->n - 1].c[C_STEP] >= r->c[C_STEP]) {
        L->n--;
        L->dropped++;
    }
    if (L->n == L->cap) {
        long cap = L->cap ? 2 * L->cap : 1024;
        row *p = realloc(L->r, (size_t)cap * sizeof *p);
        if (!p) {
            L->malformed++;
            return;
        }
        L->r = p;
        L->cap = cap;
    }
    L->r[L->n++] = *r;
}

static void read_log(const char *path, logdata *L)
{
    memset(L, 0, sizeof *L);
    for (int c = 0; c < NCOL; c++) L->col[c] = -1;
    off_t size = 0;
    FILE *f = core_fopen_read(path, NULL, &size);
    if (!f) return;
    L->found = 1;
    char line[2048], *fld[33];
    int header = 1;
    long rows = 0;
    double session = 0;
    while (ftello(f) < size && fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            /* an over-long line: skip the rest of it */
            int ch;
            while ((ch = getc(f)) != EOF && ch != '\n') {}
            L->malformed++;
            continue;
        }
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0]) continue;
        int nf = split(line, fld, 32);
        if (header) {
            header = 0;
            if (nf > 32) break;
            L->nfields = nf;
            for (int i = 0; i < nf; i++)
                for (int c = 0; c < NCOL; c++)
                    if (strcmp(fld[i], col_name[c]) == 0) L->col[c] = i;
            if (L->col[C_STEP] < 0) break;   /* not our log: no rows */
            continue;
        }
        if (++rows > MAX_ROWS) {
            L->malformed++;
            continue;
        }
        row r;
        int ok = nf == L->nfields;
        for (int c = 0; c < NCOL && ok; c++) {
            r.c[c] = NAN;
            if (L->col[c] >= 0) ok = parse_num(fld[L->col[c]], &r.c[c]);
        }
        if (!ok || !isfinite(r.c[C_STEP]) || r.c[C_STEP] < 0 || r.c[C_STEP] > BIG) {
            L->malformed++;
            continue;
        }
        add_row(L, &r, &session);
    }
    fclose(f);
    L->seconds += session;
    for (long i = 0; i < L->n; i++)
        for (int c = 0; c < NCOL; c++)
            if (L->col[c] >= 0 && !isfinite(L->r[i].c[c])) L->nonfinite++;
}

/* ---- SVG line charts ------------------------------------------------------------ */
#define CW 560            /* chart size in user units */
#define CH 300
#define ML 60             /* margins: left, right, top, bottom */
#define MR 16
#define MT 34
#define MB 46

typedef struct axis {
    double lo, hi, step;   /* nice range and tick spacing */
} axis;

/* Ticks at multiples of 1, 2 or 5 times a power of ten, about 5 of them,
 * with lo and hi widened to the enclosing ticks. */
static axis nice_axis(double min, double max)
{
    if (!(max > min)) {
        double pad = fabs(min) * 0.1 + 0.5;
        min -= pad;
        max += pad;
    }
    double raw = (max - min) / 5, p = pow(10, floor(log10(raw))), m = raw / p;
    double step = (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
    axis a = { floor(min / step) * step, ceil(max / step) * step, step };
    if (!(a.hi > a.lo)) a.hi = a.lo + step;   /* huge values, tiny spread */
    return a;
}

static void put_tick_label(gan_text *b, double v, double step, const char *attrs)
{
    if (fabs(v) < step * 1e-6) v = 0;   /* no "-1e-17" at zero */
    gan_text_put(b, "<text %s>%.6g</text>", attrs, v);
}

typedef struct series {
    int col;
    const char *label, *color;
} series;

/* one curve of a chart: column col of log L; cls, when set, a class for
 * its polylines (the multi-run page marks each run's) */
typedef struct curve {
    const logdata *L;
    int col;
    const char *label, *color, *cls;
} curve;

static void chart_curves(gan_text *b, const char *title, const char *ylabel, const curve *s, int ns, int legend)
{
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (int k = 0; k < ns; k++) {
        const logdata *L = s[k].L;
        if (L->col[s[k].col] < 0) continue;
        for (long i = 0; i < L->n; i++) {
            double x = L->r[i].c[C_STEP], y = L->r[i].c[s[k].col];
            xmin = fmin(xmin, x);
            xmax = fmax(xmax, x);
            if (!isfinite(y) || fabs(y) > BIG) continue;
            ymin = fmin(ymin, y);
            ymax = fmax(ymax, y);
        }
    }
    gan_text_put(b, "<figure class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                 "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"", CW, CH, CW, CH);
    put_escaped(b, title, strlen(title));
    gan_text_put(b, "\">\n<text x=\"%d\" y=\"20\" class=\"title\">", ML);
    put_escaped(b, title, strlen(title));
    gan_text_put(b, "</text>\n");
    int pw = CW - ML - MR, ph = CH - MT - MB;
    gan_text_put(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"plot\"/>\n", ML, MT, pw, ph);
    if (!(ymin <= ymax)) {
        gan_text_put(b, "<text x=\"%d\" y=\"%d\" class=\"nodata\">no data</text>\n</svg></figure>\n",
                     ML + pw / 2, MT + ph / 2);
        return;
    }
    axis ax = nice_axis(xmin, xmax), ay = nice_axis(ymin, ymax);
    if (xmin >= 0 && ax.lo < 0) ax.lo = 0;
    /* user coordinates of a data point */
#define PX(x) (ML + ((x) - ax.lo) / (ax.hi - ax.lo) * pw)
#define PY(y) (MT + ph - ((y) - ay.lo) / (ay.hi - ay.lo) * ph)
    gan_text_put(b, "<g class=\"grid\">");
    for (int i = 0; i <= 20; i++) {
        double v = ay.lo + i * ay.step;
        if (v > ay.hi + ay.step * 1e-6) break;
        char at[96];
        gan_text_put(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>", ML, ML + pw, PY(v), PY(v));
        snprintf(at, sizeof at, "x=\"%d\" y=\"%.1f\" class=\"ytick\"", ML - 6, PY(v) + 4);
        put_tick_label(b, v, ay.step, at);
    }
    for (int i = 0; i <= 20; i++) {
        double v = ax.lo + i * ax.step;
        if (v > ax.hi + ax.step * 1e-6) break;
        char at[96];
        gan_text_put(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>", PX(v), PX(v), MT, MT + ph);
        snprintf(at, sizeof at, "x=\"%.1f\" y=\"%d\" class=\"xtick\"", PX(v), MT + ph + 16);
        put_tick_label(b, v, ax.step, at);
    }
    gan_text_put(b, "</g>\n<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" class=\"axis\"/>", ML, ML + pw,
                 MT + ph, MT + ph);
    gan_text_put(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" class=\"axis\"/>\n", ML, ML, MT, MT + ph);
    gan_text_put(b, "<text x=\"%d\" y=\"%d\" class=\"xlabel\">step</text>\n", ML + pw / 2, CH - 8);
    gan_text_put(b, "<text transform=\"translate(16 %d) rotate(-90)\" class=\"ylabel\">", MT + ph / 2);
    put_escaped(b, ylabel, strlen(ylabel));
    gan_text_put(b, "</text>\n");

    /* one polyline per run of finite values, every stride-th point */
    for (int k = 0; k < ns; k++) {
        const logdata *L = s[k].L;
        if (L->col[s[k].col] < 0) continue;
        long stride = L->n / MAX_POINTS + 1;
        int open = 0;
        for (long i = 0; i < L->n; i++) {
            double y = L->r[i].c[s[k].col];
            int ok = isfinite(y) && fabs(y) <= BIG;
            if (!ok || (i % stride && i != L->n - 1)) {
                if (!ok && open) gan_text_put(b, "\"/>\n"), open = 0;
                continue;
            }
            if (!open) {
                gan_text_put(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" ", s[k].color);
                if (s[k].cls) gan_text_put(b, "class=\"%s\" ", s[k].cls);
                gan_text_put(b, "points=\"");
                open = 1;
            }
            gan_text_put(b, "%.1f,%.1f ", PX(L->r[i].c[C_STEP]), PY(y));
        }
        if (open) gan_text_put(b, "\"/>\n");
    }
#undef PX
#undef PY
    if (!legend) {
        gan_text_put(b, "</svg></figure>\n");
        return;
    }
    /* legend: one row in the top margin, ending at the plot's right edge */
    int lw = 0;
    for (int k = 0; k < ns; k++) lw += 34 + 7 * (int)strlen(s[k].label);
    int lx = ML + pw - lw;
    for (int k = 0; k < ns; k++) {
        gan_text_put(b, "<line x1=\"%d\" x2=\"%d\" y1=\"16\" y2=\"16\" stroke=\"%s\" stroke-width=\"3\"/>", lx,
                     lx + 20, s[k].color);
        gan_text_put(b, "<text x=\"%d\" y=\"20\">", lx + 25);
        put_escaped(b, s[k].label, strlen(s[k].label));
        gan_text_put(b, "</text>\n");
        lx += 34 + 7 * (int)strlen(s[k].label);
    }
    gan_text_put(b, "</svg></figure>\n");
}

/* a chart of columns of one log */
static void chart(gan_text *b, const char *title, const char *ylabel, const logdata *L,
                  const series *s, int ns)
{
    curve c[8];
    for (int k = 0; k < ns && k < 8; k++) c[k] = (curve){ L, s[k].col, s[k].label, s[k].color, NULL };
    chart_curves(b, title, ylabel, c, ns < 8 ? ns : 8, 1);
}

/* ---- samples ---------------------------------------------------------------------- */
typedef struct sample {
    long step;
    char name[64];
} sample;

static int by_step(const void *a, const void *b)
{
    long x = ((const sample *)a)->step, y = ((const sample *)b)->step;
    return (x > y) - (x < y);
}

/* step-N.png -> N, or -1 */
static long sample_step(const char *name)
{
    if (strncmp(name, "step-", 5) != 0) return -1;
    const char *p = name + 5, *q = p;
    while (*q >= '0' && *q <= '9') q++;
    if (q == p || q - p > 15 || strcmp(q, ".png") != 0) return -1;
    return strtol(p, NULL, 10);
}

static void samples_section(gan_text *b, const char *run)
{
    char dir[1200], path[1300];
    snprintf(dir, sizeof dir, "%s/samples", run);
    gan_text_put(b, "<h2>Samples</h2>\n");
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT) gan_text_put(b, "<p class=\"note\">No samples folder: no sample grids yet.</p>\n");
        else gan_text_put(b, "<p class=\"note\">samples/ cannot be read: %s.</p>\n", strerror(errno));
        return;
    }
    sample *s = NULL;
    long n = 0, cap = 0, big = 0, bad = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < MAX_SAMPLE_FILES) {
        long st = sample_step(e->d_name);
        if (st < 0 || strlen(e->d_name) >= sizeof s->name) continue;
        if (n == cap) {
            long c = cap ? 2 * cap : 64;
            sample *p = realloc(s, (size_t)c * sizeof *p);
            if (!p) break;
            s = p;
            cap = c;
        }
        s[n].step = st;
        snprintf(s[n].name, sizeof s[n].name, "%s", e->d_name);
        n++;
    }
    closedir(d);
    if (n == 0) {
        gan_text_put(b, "<p class=\"note\">No sample grids (samples/step-N.png) yet.</p>\n");
        free(s);
        return;
    }
    qsort(s, (size_t)n, sizeof *s, by_step);
    /* k evenly spaced grids, first and last included; fewer while the
     * files together are over the size budget */
    int k = n < MAX_IMAGES ? (int)n : MAX_IMAGES;
    long pick[MAX_IMAGES];
    for (; k > 0; k--) {
        long total = 0;
        for (int j = 0; j < k; j++) {
            pick[j] = k == 1 ? n - 1 : (long)((double)j * (double)(n - 1) / (k - 1) + 0.5);
            struct stat st;
            snprintf(path, sizeof path, "%s/%s", dir, s[pick[j]].name);
            if (stat(path, &st) == 0 && st.st_size <= MAX_IMAGE_BYTES) total += (long)st.st_size;
        }
        if (total <= MAX_IMAGES_BYTES) break;
    }
    gan_text_put(b, "<p>%ld sample grid%s from a fixed noise batch; %d shown%s.</p>\n<div class=\"samples\">\n",
                 n, n == 1 ? "" : "s", k, k < n ? ", evenly spaced" : "");
    for (int j = 0; j < k; j++) {
        long len;
        snprintf(path, sizeof path, "%s/%s", dir, s[pick[j]].name);
        unsigned char *png = read_file(path, MAX_IMAGE_BYTES, &len);
        if (!png || len < 24 || memcmp(png, "\x89PNG\r\n\x1a\n", 8) != 0) {
            free(png);
            if (len < 0) big++;
            else bad++;
            continue;
        }
        /* IHDR width: small grids scale up by whole pixels, large ones
         * (scatter plots) down smoothly */
        long w = (long)png[16] << 24 | (long)png[17] << 16 | png[18] << 8 | png[19];
        long shown = w < 1 ? 200 : w < 160 ? w * ((159 + w) / w) : w > 300 ? 300 : w;
        gan_text_put(b, "<figure><img src=\"data:image/png;base64,");
        put_base64(b, png, (size_t)len);
        gan_text_put(b, "\" class=\"%s\" width=\"%ld\" alt=\"samples at step %ld\"><figcaption>step %ld</figcaption></figure>\n",
                     w > 0 && w < 300 ? "px" : "smooth", shown, s[pick[j]].step, s[pick[j]].step);
        free(png);
    }
    gan_text_put(b, "</div>\n");
    if (big) gan_text_put(b, "<p class=\"note\">%ld grid%s over %ld MiB left out.</p>\n", big,
                          big == 1 ? "" : "s", MAX_IMAGE_BYTES >> 20);
    if (bad) gan_text_put(b, "<p class=\"note\">%ld unreadable or non-PNG file%s left out.</p>\n", bad,
                          bad == 1 ? "" : "s");
    free(s);
}

/* ---- the page ------------------------------------------------------------------------ */
static const char style[] =
    "body{font:15px/1.45 system-ui,sans-serif;color:#222;max-width:1340px;margin:24px auto;padding:0 20px}"
    "h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #ddd}"
    ".sub{color:#666;margin:0 0 12px}.note{color:#8a5a00}"
    "table{border-collapse:collapse}td,th{padding:3px 14px 3px 0;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}"
    "svg{max-width:100%;height:auto;font-size:12px;background:#fff}"
    "svg .title{font-size:14px;font-weight:600}svg .plot{fill:#fafafa;stroke:none}"
    "svg .grid line{stroke:#e4e4e4}svg .axis{stroke:#444}"
    "svg .ytick{text-anchor:end;fill:#555}svg .xtick{text-anchor:middle;fill:#555}"
    "svg .xlabel,svg .ylabel,svg .nodata{text-anchor:middle;fill:#333}"
        ".samples{display:flex;flex-wrap:wrap;gap:10px}"
    ".samples img{height:auto;border:1px solid #ddd}.samples img.px{image-rendering:pixelated}"
    "figcaption{text-align:center;color:#555;font-size:13px}"
    "pre{background:#f6f6f6;padding:10px 12px;overflow:auto;font-size:13px}";

/* the name: key of model.yaml (a plain or double-quoted scalar), or "" */
static void model_name(const char *yaml, char *out, size_t n)
{
    out[0] = 0;
    for (const char *p = yaml; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, "name:", 5) != 0) continue;
        p += 5;
        while (*p == ' ') p++;
        int q = *p == '"';
        p += q;
        size_t k = 0;
        for (; *p && *p != '\n' && k + 1 < n; p++) {
            if (q && *p == '"') break;
            if (q && *p == '\\' && p[1]) p++;
            out[k++] = *p;
        }
        while (k > 0 && !q && out[k - 1] == ' ') k--;
        out[k] = 0;
        return;
    }
}

static void timings(gan_text *b, const logdata *L)
{
    gan_text_put(b, "<h2>Timings</h2>\n");
    if (!L->found || L->n == 0) {
        gan_text_put(b, "<p class=\"note\">%s</p>\n", !L->found ? "No log.csv: no losses or timings to show."
                                                       : "log.csv has no rows yet.");
        return;
    }
    double ips = 0;
    long nips = 0;
    for (long i = 0; i < L->n; i++)
        if (isfinite(L->r[i].c[C_IPS])) ips += L->r[i].c[C_IPS], nips++;
    const row *last = &L->r[L->n - 1];
    gan_text_put(b, "<table>\n<tr><th>steps</th><td class=\"n\">%.0f</td></tr>\n", last->c[C_STEP]);
    gan_text_put(b, "<tr><th>log rows</th><td class=\"n\">%ld</td></tr>\n", L->n);
    if (L->col[C_SECONDS] >= 0)
        gan_text_put(b, "<tr><th>total seconds</th><td class=\"n\">%.1f</td></tr>\n", L->seconds);
    if (nips) gan_text_put(b, "<tr><th>mean images/s</th><td class=\"n\">%.1f</td></tr>\n", ips / (double)nips);
    const char *lab[] = { NULL, "last d_loss", "last g_loss", "last D(x)", "last D(G(z))" };
    for (int c = C_DLOSS; c <= C_DFAKE; c++)
        if (L->col[c] >= 0) gan_text_put(b, "<tr><th>%s</th><td class=\"n\">%.4g</td></tr>\n", lab[c], last->c[c]);
    gan_text_put(b, "</table>\n");
}

static void log_notes(gan_text *b, const logdata *L)
{
    if (L->found && L->col[C_STEP] < 0)
        gan_text_put(b, "<p class=\"note\">log.csv has no header with a step column.</p>\n");
    if (L->malformed)
        gan_text_put(b, "<p class=\"note\">%ld malformed row%s of log.csv skipped.</p>\n", L->malformed,
                     L->malformed == 1 ? "" : "s");
    if (L->dropped)
        gan_text_put(b, "<p class=\"note\">%ld row%s replaced by a resumed run.</p>\n", L->dropped,
                     L->dropped == 1 ? "" : "s");
    if (L->nonfinite)
        gan_text_put(b, "<p class=\"note\">%ld NaN or infinite value%s (gaps in the curves).</p>\n",
                     L->nonfinite, L->nonfinite == 1 ? "" : "s");
}

/* the collapse signals of log.csv, when it has them: gradient norms and
 * the diversity of the fixed-noise samples */
static void health_charts(gan_text *b, const logdata *L)
{
    if (L->col[C_DGN] < 0 && L->col[C_GGN] < 0 && L->col[C_DIV] < 0) return;
    gan_text_put(b, "<h2>Training health</h2>\n<div class=\"charts\">\n");
    series gn[] = { { C_DGN, "D grad norm", "#1f6fb4" }, { C_GGN, "G grad norm", "#e0701a" } };
    series dv[] = { { C_DIV, "diversity", "#2b8a3e" } };
    if (L->col[C_DGN] >= 0 || L->col[C_GGN] >= 0) chart(b, "Gradient norms", "L2 norm", L, gn, 2);
    if (L->col[C_DIV] >= 0) chart(b, "Sample diversity", "mean pairwise distance", L, dv, 1);
    gan_text_put(b, "</div>\n");
}

static gan_status build_page(gan_text *b, const char *run, gan_error *err)
{
    char path[1300], name[256];
    long ylen;
    snprintf(path, sizeof path, "%s/model.yaml", run);
    char *yaml = (char *)read_file(path, MAX_MODEL_BYTES, &ylen);
    model_name(yaml, name, sizeof name);
    if (!name[0]) {
        const char *slash = strrchr(run, '/');
        snprintf(name, sizeof name, "%s", slash && slash[1] ? slash + 1 : run);
    }
    logdata L;
    snprintf(path, sizeof path, "%s/log.csv", run);
    read_log(path, &L);

    gan_text_put(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    put_escaped(b, name, strlen(name));
    gan_text_put(b, " - ganrun report</title>\n<style>");
    gan_text_add(b, style, sizeof style - 1);
    gan_text_put(b, "</style>\n</head>\n<body>\n<h1>");
    put_escaped(b, name, strlen(name));
    gan_text_put(b, "</h1>\n<p class=\"sub\">ganrun %s report of ", gan_version());
    put_escaped(b, run, strlen(run));
    gan_text_put(b, "</p>\n");
    timings(b, &L);
    log_notes(b, &L);
    if (L.n > 0) {
        gan_text_put(b, "<h2>Training curves</h2>\n<div class=\"charts\">\n");
        series loss[] = { { C_DLOSS, "d_loss", "#1f6fb4" }, { C_GLOSS, "g_loss", "#e0701a" } };
        series dout[] = { { C_DREAL, "D(x)", "#1f6fb4" }, { C_DFAKE, "D(G(z))", "#e0701a" } };
        chart(b, "Losses", "loss", &L, loss, 2);
        chart(b, "Discriminator outputs", "mean D output", &L, dout, 2);
        gan_text_put(b, "</div>\n");
        health_charts(b, &L);
    }
    samples_section(b, run);
    char *nets = yaml ? report_graph_html(yaml, (size_t)ylen) : NULL;
    if (nets) {
        gan_text_put(b, "<h2>Networks</h2>\n");
        gan_text_add(b, nets, strlen(nets));
    }
    free(nets);
    gan_text_put(b, "<h2>Model</h2>\n");
    if (yaml) {
        gan_text_put(b, "<pre>");
        put_escaped(b, yaml, (size_t)ylen);
        gan_text_put(b, "</pre>\n");
    } else {
        gan_text_put(b, "<p class=\"note\">%s</p>\n", ylen < 0 ? "model.yaml is over 1 MiB: not shown."
                                                               : "No model.yaml in the run directory.");
    }
    gan_text_put(b, "</body>\n</html>\n");
    free(yaml);
    free(L.r);
    if (b->oom) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory building the report");
    return GAN_OK;
}

/* libgan's atomic writer (gan/data.h): a failure leaves what was at path */
static gan_status write_atomic(const char *path, const gan_text *b, gan_error *err)
{
    return gan_file_write(path, b->p, b->n, err);
}

/* ---- several runs: `ganrun report RUN RUN...` --------------------------------------
 * One page comparing runs: a legend of the run names and colours; for each
 * log column one chart with every run's curve in its colour (polylines of
 * run k have class "runK"); a table of the final figures; the keys whose
 * values differ between the expanded models; each run's latest sample grid,
 * scaled up by whole pixels. */
#define MAX_RUNS GAN_REPORT_MAX_RUNS
#define MAX_KEYS 4096

static const char *const run_color[8] = { "#1f6fb4", "#e0701a", "#2b8a3e", "#c92a2a",
                                          "#7048e8", "#8c564b", "#d6336c", "#495057" };

typedef struct kv {
    char *key, *val;
} kv;

/* the expanded model as flat "a.b.c" -> value pairs: block mappings by
 * indentation, list items "- x" as key[i]; comments and blank lines skipped */
static int flatten_yaml(const char *yaml, kv *out, int max)
{
    char path[8][128];
    int indent[8], depth = 0, n = 0, item[8] = { 0 };
    for (const char *p = yaml; p && *p && n < max;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char line[2048];
        if (len >= sizeof line) len = sizeof line - 1;
        memcpy(line, p, len);
        line[len] = 0;
        p = e ? e + 1 : NULL;
        int ind = 0;
        while (line[ind] == ' ') ind++;
        char *t = line + ind;
        if (!*t || *t == '#') continue;
        while (depth > 0 && indent[depth - 1] >= ind) depth--;
        char key[400];
        const char *val;
        if (t[0] == '-' && (t[1] == ' ' || !t[1])) {
            int d = depth - 1;
            snprintf(key, sizeof key, "%s[%d]", d >= 0 ? path[d] : "", d >= 0 ? item[d]++ : 0);
            val = t[1] ? t + 2 : "";
        } else {
            char *c = strstr(t, ": ");
            if (!c && t[strlen(t) - 1] == ':') c = t + strlen(t) - 1;
            if (!c) continue;
            *c = 0;
            val = c[1] ? c + 2 : "";
            snprintf(key, sizeof key, "%s%s%s", depth ? path[depth - 1] : "", depth ? "." : "", t);
            if (!*val && depth < 8) {   /* a block: its children follow, indented */
                snprintf(path[depth], sizeof path[depth], "%s", key);
                indent[depth] = ind;
                item[depth] = 0;
                depth++;
                continue;
            }
        }
        out[n].key = strdup(key);
        out[n].val = strdup(val);
        if (!out[n].key || !out[n].val) {
            free(out[n].key);
            free(out[n].val);
            break;
        }
        n++;
    }
    return n;
}

static const char *kv_get(const kv *a, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(a[i].key, key)) return a[i].val;
    return NULL;
}

typedef struct runinfo {
    const char *dir;
    char name[256], label[320], cls[16];
    char *yaml;
    long ylen;
    logdata L;
    kv *keys;
    int nkeys;
} runinfo;

static void model_differences(gan_text *b, runinfo *r, int n)
{
    gan_text_put(b, "<h2>Model differences</h2>\n");
    int shown = 0;
    for (int k = 0; k < n; k++)
        for (int i = 0; i < r[k].nkeys; i++) {
            const char *key = r[k].keys[i].key;
            int first = 1, differ = 0;
            for (int j = 0; j < k && first; j++)
                if (kv_get(r[j].keys, r[j].nkeys, key)) first = 0;   /* listed already */
            if (!first) continue;
            for (int j = 0; j < n && !differ; j++) {
                const char *v = kv_get(r[j].keys, r[j].nkeys, key);
                differ = !v || strcmp(v, r[k].keys[i].val) != 0;
            }
            if (!differ || !strcmp(key, "name") || !strncmp(key, "output.dir", 10)) continue;
            if (!shown++) {
                gan_text_put(b, "<table class=\"diff\">\n<tr><th>key</th>");
                for (int j = 0; j < n; j++) {
                    gan_text_put(b, "<th>");
                    put_escaped(b, r[j].label, strlen(r[j].label));
                    gan_text_put(b, "</th>");
                }
                gan_text_put(b, "</tr>\n");
            }
            gan_text_put(b, "<tr><td><code>");
            put_escaped(b, key, strlen(key));
            gan_text_put(b, "</code></td>");
            for (int j = 0; j < n; j++) {
                const char *v = kv_get(r[j].keys, r[j].nkeys, key);
                gan_text_put(b, "<td><code>");
                if (v) put_escaped(b, v, strlen(v));
                else gan_text_put(b, "&mdash;");
                gan_text_put(b, "</code></td>");
            }
            gan_text_put(b, "</tr>\n");
        }
    if (shown) gan_text_put(b, "</table>\n");
    else gan_text_put(b, "<p>The expanded models are the same%s.</p>\n", n > 1 ? " (apart from name and output.dir)" : "");
}

static void final_figures(gan_text *b, const runinfo *r, int n)
{
    static const struct { int col; const char *head; } cols[] = {
        { C_DLOSS, "d_loss" }, { C_GLOSS, "g_loss" }, { C_DREAL, "D(x)" }, { C_DFAKE, "D(G(z))" },
        { C_DGN, "D grad norm" }, { C_GGN, "G grad norm" }, { C_DIV, "diversity" },
    };
    gan_text_put(b, "<h2>Final figures</h2>\n<table class=\"final\">\n<tr><th>run</th><th>steps</th><th>seconds</th>"
                 "<th>images/s</th>");
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) gan_text_put(b, "<th>%s</th>", cols[c].head);
    gan_text_put(b, "</tr>\n");
    for (int k = 0; k < n; k++) {
        const logdata *L = &r[k].L;
        gan_text_put(b, "<tr><td><span class=\"sw\" style=\"background:%s\"></span>", run_color[k % 8]);
        put_escaped(b, r[k].label, strlen(r[k].label));
        gan_text_put(b, "</td>");
        if (L->n == 0) {
            gan_text_put(b, "<td colspan=\"%d\" class=\"note\">%s</td></tr>\n", 3 + (int)(sizeof cols / sizeof cols[0]),
                         L->found ? "log.csv has no rows" : "no log.csv");
            continue;
        }
        const row *last = &L->r[L->n - 1];
        double ips = 0;
        long nips = 0;
        for (long i = 0; i < L->n; i++)
            if (isfinite(L->r[i].c[C_IPS])) ips += L->r[i].c[C_IPS], nips++;
        gan_text_put(b, "<td class=\"n\">%.0f</td>", last->c[C_STEP]);
        if (L->col[C_SECONDS] >= 0) gan_text_put(b, "<td class=\"n\">%.1f</td>", L->seconds);
        else gan_text_put(b, "<td></td>");
        if (nips) gan_text_put(b, "<td class=\"n\">%.1f</td>", ips / (double)nips);
        else gan_text_put(b, "<td></td>");
        for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
            if (L->col[cols[c].col] >= 0) gan_text_put(b, "<td class=\"n\">%.4g</td>", last->c[cols[c].col]);
            else gan_text_put(b, "<td></td>");
        gan_text_put(b, "</tr>\n");
    }
    gan_text_put(b, "</table>\n");
}

/* the newest samples/step-N.png of a run, scaled up by whole pixels to at
 * least about 320 pixels wide */
static void latest_grid(gan_text *b, const runinfo *r)
{
    char dir[1200], path[1300], best[64] = "";
    long beststep = -1;
    snprintf(dir, sizeof dir, "%s/samples", r->dir);
    DIR *d = opendir(dir);
    struct dirent *e;
    for (long seen = 0; d && (e = readdir(d)) && seen < MAX_SAMPLE_FILES; seen++) {
        long st = sample_step(e->d_name);
        if (st > beststep && strlen(e->d_name) < sizeof best) {
            beststep = st;
            snprintf(best, sizeof best, "%s", e->d_name);
        }
    }
    if (d) closedir(d);
    gan_text_put(b, "<figure>");
    long len = 0;
    unsigned char *png = NULL;
    if (beststep >= 0) {
        snprintf(path, sizeof path, "%s/%s", dir, best);
        png = read_file(path, MAX_IMAGE_BYTES, &len);
    }
    if (png && len >= 24 && !memcmp(png, "\x89PNG\r\n\x1a\n", 8)) {
        long w = (long)png[16] << 24 | (long)png[17] << 16 | png[18] << 8 | png[19];
        long scale = w > 0 && w < 320 ? (320 + w - 1) / w : 1;
        gan_text_put(b, "<img src=\"data:image/png;base64,");
        put_base64(b, png, (size_t)len);
        gan_text_put(b, "\" class=\"px\" width=\"%ld\" alt=\"latest samples\">", w > 0 ? w * scale : 320);
        gan_text_put(b, "<figcaption><span class=\"sw\" style=\"background:%s\"></span>", run_color[atoi(r->cls + 3) % 8]);
        put_escaped(b, r->label, strlen(r->label));
        gan_text_put(b, ", step %ld</figcaption>", beststep);
    } else {
        gan_text_put(b, "<figcaption>");
        put_escaped(b, r->label, strlen(r->label));
        gan_text_put(b, ": no sample grid</figcaption>");
    }
    free(png);
    gan_text_put(b, "</figure>\n");
}

static gan_status build_compare(gan_text *b, runinfo *r, int n, gan_error *err)
{
    gan_text_put(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>%d runs - ganrun report</title>\n"
                 "<style>", n);
    gan_text_add(b, style, sizeof style - 1);
    gan_text_put(b, ".sw{display:inline-block;width:22px;height:4px;margin:0 6px 3px 0;vertical-align:middle}"
                 ".legend span.run{margin-right:18px;white-space:nowrap}table.diff td,table.final td{border-top:1px solid #eee}"
                 "</style>\n</head>\n<body>\n<h1>%d runs compared</h1>\n<p class=\"sub\">ganrun %s report</p>\n"
                 "<p class=\"legend\">", n, gan_version());
    for (int k = 0; k < n; k++) {
        gan_text_put(b, "<span class=\"run %s\"><span class=\"sw\" style=\"background:%s\"></span>", r[k].cls, run_color[k % 8]);
        put_escaped(b, r[k].label, strlen(r[k].label));
        gan_text_put(b, " <small>(");
        put_escaped(b, r[k].dir, strlen(r[k].dir));
        gan_text_put(b, ")</small></span>");
    }
    gan_text_put(b, "</p>\n");
    final_figures(b, r, n);
    static const struct { int col; const char *title, *ylabel; } charts[] = {
        { C_DLOSS, "d_loss", "loss" }, { C_GLOSS, "g_loss", "loss" },
        { C_DREAL, "D(x)", "mean D output" }, { C_DFAKE, "D(G(z))", "mean D output" },
        { C_DGN, "D gradient norm", "L2 norm" }, { C_GGN, "G gradient norm", "L2 norm" },
        { C_DIV, "Sample diversity", "mean pairwise distance" },
    };
    for (int c = 0; c < (int)(sizeof charts / sizeof charts[0]); c++) {
        if (c == 0) gan_text_put(b, "<h2>Training curves</h2>\n<div class=\"charts\">\n");
        if (c == 4) gan_text_put(b, "</div>\n<h2>Training health</h2>\n<div class=\"charts\">\n");
        curve cv[MAX_RUNS];
        int nc = 0;
        for (int k = 0; k < n; k++)
            if (r[k].L.n > 0 && r[k].L.col[charts[c].col] >= 0)
                cv[nc++] = (curve){ &r[k].L, charts[c].col, r[k].label, run_color[k % 8], r[k].cls };
        if (nc) chart_curves(b, charts[c].title, charts[c].ylabel, cv, nc, 0);
    }
    gan_text_put(b, "</div>\n");
    for (int k = 0; k < n; k++) log_notes(b, &r[k].L);
    model_differences(b, r, n);
    gan_text_put(b, "<h2>Latest samples</h2>\n<div class=\"samples\">\n");
    for (int k = 0; k < n; k++) latest_grid(b, &r[k]);
    gan_text_put(b, "</div>\n</body>\n</html>\n");
    if (b->oom) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory building the report");
    return GAN_OK;
}

static gan_status report_runs(const char *const *dirs, int n, const char *out, gan_error *err)
{
    runinfo *r = calloc((size_t)n, sizeof *r);
    kv *all = calloc((size_t)n * MAX_KEYS, sizeof *all);
    gan_status st = GAN_OK;
    if (!r || !all) st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    for (int k = 0; st == GAN_OK && k < n; k++) {
        char path[1300];
        r[k].dir = dirs[k];
        snprintf(r[k].cls, sizeof r[k].cls, "run%d", k);
        snprintf(path, sizeof path, "%s/model.yaml", dirs[k]);
        r[k].yaml = (char *)read_file(path, MAX_MODEL_BYTES, &r[k].ylen);
        model_name(r[k].yaml, r[k].name, sizeof r[k].name);
        r[k].keys = all + (size_t)k * MAX_KEYS;
        r[k].nkeys = r[k].yaml ? flatten_yaml(r[k].yaml, r[k].keys, MAX_KEYS) : 0;
        snprintf(path, sizeof path, "%s/log.csv", dirs[k]);
        read_log(path, &r[k].L);
    }
    /* labels: the model names, or the directories' last components where
     * names repeat, or the directories as given */
    for (int k = 0; st == GAN_OK && k < n; k++) {
        int dup = !r[k].name[0];
        for (int j = 0; j < n; j++) dup |= j != k && !strcmp(r[j].name, r[k].name);
        const char *base = strrchr(dirs[k], '/');
        base = base && base[1] ? base + 1 : dirs[k];
        if (!dup) snprintf(r[k].label, sizeof r[k].label, "%s", r[k].name);
        else snprintf(r[k].label, sizeof r[k].label, "%s", base);
    }
    for (int k = 0; st == GAN_OK && k < n; k++)
        for (int j = 0; j < n; j++)
            if (j != k && !strcmp(r[j].label, r[k].label)) snprintf(r[k].label, sizeof r[k].label, "%s", dirs[k]);
    gan_text b = { 0 };
    if (st == GAN_OK) st = build_compare(&b, r, n, err);
    if (st == GAN_OK) st = write_atomic(out, &b, err);
    gan_text_free(&b);
    for (int k = 0; r && k < n; k++) {
        free(r[k].yaml);
        free(r[k].L.r);
        for (int i = 0; i < r[k].nkeys; i++) {
            free(r[k].keys[i].key);
            free(r[k].keys[i].val);
        }
    }
    free(all);
    free(r);
    return st;
}

/* RUN must be a run directory: one error line otherwise */
static gan_status check_run(const char *run, gan_error *err)
{
    char p[4][1300];
    if (strlen(run) > 1024) return gan_error_set(err, GAN_ERR_INVALID, "run directory name too long");
    snprintf(p[0], sizeof p[0], "%s/model.yaml", run);
    snprintf(p[1], sizeof p[1], "%s/log.csv", run);
    snprintf(p[2], sizeof p[2], "%s/samples", run);
    snprintf(p[3], sizeof p[3], "%s/latest.ckpt", run);
    if (!is_dir(run))
        return gan_error_at(err, GAN_ERR_IO, run, 0, 0, "not a run directory: %s",
                            exists(run) ? "not a directory" : strerror(errno));
    if (!exists(p[0]) && !exists(p[1]) && !is_dir(p[2]) && !exists(p[3]))
        return gan_error_at(err, GAN_ERR_INVALID, run, 0, 0,
                            "not a run directory (expected model.yaml, log.csv, samples/ or latest.ckpt in it)");
    /* the files the page reads: regular files or nothing (a FIFO would
     * hang the reader, a device never end) */
    for (int k = 0; k < 2; k++) {
        struct stat st;
        if (stat(p[k], &st) == 0 && !S_ISREG(st.st_mode))
            return gan_error_at(err, GAN_ERR_IO, p[k], 0, 0, "is %s, not a regular file",
                                S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO"
                                : S_ISCHR(st.st_mode) ? "a character device" : "not a regular file");
    }
    return GAN_OK;
}

gan_status gan_report_write(const char *const *runs, int n, const char *out, int force, gan_error *err)
{
    if (n < 1 || n > MAX_RUNS)
        return gan_error_set(err, GAN_ERR_INVALID, "a report needs 1 to %d run directories, not %d", MAX_RUNS, n);
    for (int k = 0; k < n; k++) {
        gan_status st = check_run(runs[k], err);
        if (st != GAN_OK) return st;
    }
    gan_status st = gan_output_check(out, GAN_OUT_HTML, force, err);
    if (st != GAN_OK) return st;
    if (n > 1) return report_runs(runs, n, out, err);
    gan_text b = { 0 };
    st = build_page(&b, runs[0], err);
    if (st == GAN_OK) st = write_atomic(out, &b, err);
    gan_text_free(&b);
    return st;
}
