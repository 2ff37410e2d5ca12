/* blas.c - OpenBLAS's kernels: which core runs, which the CPU takes, a
 * self-check, and the restart that swaps a generic core for the right one
 * (see gan/blas.h for why a restart). */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <cblas.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include "gan/blas.h"

#define RESTART_VAR "GANRUN_BLAS_RESTART"

/* ---- the CPU ------------------------------------------------------------ */

void gan_cpuid_read(gan_cpuid *c)
{
    memset(c, 0, sizeof *c);
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, cx, d;
    if (!__get_cpuid(0, &a, &b, &cx, &d)) return;
    unsigned max = a;
    memcpy(c->vendor, &b, 4);
    memcpy(c->vendor + 4, &d, 4);
    memcpy(c->vendor + 8, &cx, 4);
    if (max >= 1 && __get_cpuid(1, &a, &b, &cx, &d)) c->l1_ecx = cx;
    if (max >= 7) {
        __cpuid_count(7, 0, a, b, cx, d);
        c->l7_ebx = b;
        unsigned sub = a;   /* leaf 7's highest subleaf */
        if (sub >= 1) {
            __cpuid_count(7, 1, a, b, cx, d);
            c->l7_1_eax = a;
        }
    }
    if (c->l1_ecx & (1u << 27)) {   /* OSXSAVE: xgetbv is allowed */
        unsigned lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        c->xcr0 = ((uint64_t)hi << 32) | lo;
    }
#endif
}

static int has(uint32_t reg, unsigned bit)
{
    return (reg >> bit) & 1u;
}

int gan_cpu_level(const gan_cpuid *c)
{
    /* the OS must save the registers: XMM and YMM state (xcr0 bits 1, 2),
     * for AVX-512 also the opmask and both halves of ZMM (bits 5, 6, 7) */
    int ymm = has(c->l1_ecx, 27) && (c->xcr0 & 0x6) == 0x6;
    int zmm = ymm && (c->xcr0 & 0xe0) == 0xe0;
    if (!ymm || !has(c->l1_ecx, 28)) return GAN_CPU_BASE;
    if (!has(c->l7_ebx, 5) || !has(c->l1_ecx, 12)) return GAN_CPU_AVX;
    /* OpenBLAS's AVX-512 kernels use F, BW, DQ and VL */
    if (!zmm || !has(c->l7_ebx, 16) || !has(c->l7_ebx, 17) || !has(c->l7_ebx, 30) || !has(c->l7_ebx, 31))
        return GAN_CPU_AVX2;
    if (!has(c->l7_1_eax, 5)) return GAN_CPU_AVX512;
    return GAN_CPU_AVX512BF16;
}

const char *gan_blas_core_for(const gan_cpuid *c)
{
    int amd = !strcmp(c->vendor, "AuthenticAMD") || !strcmp(c->vendor, "HygonGenuine");
    switch (gan_cpu_level(c)) {
    case GAN_CPU_AVX512BF16: return "Cooperlake";
    case GAN_CPU_AVX512: return "SkylakeX";
    case GAN_CPU_AVX2: return amd ? "Zen" : "Haswell";
    case GAN_CPU_AVX: return "Sandybridge";
    default: return NULL;
    }
}

/* OpenBLAS 0.3.21's x86-64 cores (driver/others/dynamic.c) and the level
 * their kernels need. */
static const struct {
    const char *name;
    int level;
} cores[] = {
    { "Unknown", GAN_CPU_BASE },     { "Katmai", GAN_CPU_BASE },       { "Coppermine", GAN_CPU_BASE },
    { "Northwood", GAN_CPU_BASE },   { "Prescott", GAN_CPU_BASE },     { "Banias", GAN_CPU_BASE },
    { "Atom", GAN_CPU_BASE },        { "Core2", GAN_CPU_BASE },        { "Penryn", GAN_CPU_BASE },
    { "Dunnington", GAN_CPU_BASE },  { "Nehalem", GAN_CPU_BASE },      { "Athlon", GAN_CPU_BASE },
    { "Opteron", GAN_CPU_BASE },     { "Opteron_SSE3", GAN_CPU_BASE }, { "Barcelona", GAN_CPU_BASE },
    { "Nano", GAN_CPU_BASE },        { "Bobcat", GAN_CPU_BASE },       { "Sandybridge", GAN_CPU_AVX },
    { "Bulldozer", GAN_CPU_AVX },    { "Piledriver", GAN_CPU_AVX },    { "Steamroller", GAN_CPU_AVX },
    { "Haswell", GAN_CPU_AVX2 },     { "Excavator", GAN_CPU_AVX2 },    { "Zen", GAN_CPU_AVX2 },
    { "SkylakeX", GAN_CPU_AVX512 },  { "Cooperlake", GAN_CPU_AVX512BF16 },
    { "SapphireRapids", GAN_CPU_AVX512BF16 },
};

int gan_blas_core_level(const char *core)
{
    if (!core) return -1;
    for (size_t i = 0; i < sizeof cores / sizeof cores[0]; i++)
        if (!strcasecmp(core, cores[i].name)) return cores[i].level;
    return -1;
}

const char *gan_blas_upgrade(const char *picked, const gan_cpuid *c)
{
    const char *best = gan_blas_core_for(c);
    int have = gan_blas_core_level(picked);
    if (!best || have < 0 || have >= gan_blas_core_level(best)) return NULL;
    return best;
}

/* ---- OpenBLAS ------------------------------------------------------------ */

const char *gan_blas_core(void)
{
#ifdef OPENBLAS_VERSION
    const char *n = openblas_get_corename();
    if (n && *n) return n;
#endif
    return "unknown";
}

/* 1 when OPENBLAS_CORETYPE can change the kernels of this OpenBLAS */
static int dynamic_arch(void)
{
#ifdef OPENBLAS_VERSION
    const char *c = openblas_get_config();
    return c && strstr(c, "DYNAMIC_ARCH") != NULL;
#else
    return 0;
#endif
}

/* deterministic values in [-1, 1) */
static void fill(float *x, size_t n, uint32_t *s)
{
    for (size_t i = 0; i < n; i++) {
        *s = *s * 1664525u + 1013904223u;
        x[i] = (float)((*s >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
}

/* one row-major product C = alpha op(A) op(B) + beta C against a naive sum
 * in double; 0 when every element agrees to float rounding */
static int check_gemm(int M, int N, int K, int ta, int tb, int pad, float alpha, float beta, uint32_t *s)
{
    int lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + pad, ldc = N + pad;
    size_t na = (size_t)(ta ? K : M) * lda, nb = (size_t)(tb ? N : K) * ldb, nc = (size_t)M * ldc;
    float *a = malloc(na * sizeof *a), *b = malloc(nb * sizeof *b), *c = malloc(nc * sizeof *c);
    float *c0 = malloc(nc * sizeof *c0);
    int bad = 0;
    if (!a || !b || !c || !c0) goto out;   /* no memory: nothing checked, nothing wrong */
    fill(a, na, s);
    fill(b, nb, s);
    fill(c, nc, s);
    memcpy(c0, c, nc * sizeof *c);
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, alpha,
                a, lda, b, ldb, beta, c, ldc);
    for (int i = 0; i < M && !bad; i++)
        for (int j = 0; j < N; j++) {
            double sum = 0, mag = 0;
            for (int k = 0; k < K; k++) {
                double x = ta ? a[(size_t)k * lda + i] : a[(size_t)i * lda + k];
                double y = tb ? b[(size_t)j * ldb + k] : b[(size_t)k * ldb + j];
                sum += x * y;
                mag += fabs(x * y);
            }
            double want = alpha * sum + beta * c0[(size_t)i * ldc + j];
            double tol = 1e-5 * (fabs(alpha) * mag + fabs(beta * c0[(size_t)i * ldc + j])) + 1e-6;
            if (!(fabs(c[(size_t)i * ldc + j] - want) <= tol)) {
                bad = 1;
                break;
            }
        }
    /* the padding past each row must be untouched */
    for (int i = 0; i < M && !bad; i++)
        for (int j = N; j < ldc; j++)
            if (memcmp(&c[(size_t)i * ldc + j], &c0[(size_t)i * ldc + j], sizeof *c)) bad = 1;
out:
    free(a);
    free(b);
    free(c);
    free(c0);
    return bad;
}

/* y = alpha op(A) x + beta y, A (M, N) row-major */
static int check_gemv(int M, int N, int ta, float alpha, float beta, uint32_t *s)
{
    int ny = ta ? N : M, nx = ta ? M : N;
    float *a = malloc((size_t)M * N * sizeof *a), *x = malloc(nx * sizeof *x), *y = malloc(ny * sizeof *y);
    float *y0 = malloc(ny * sizeof *y0);
    int bad = 0;
    if (!a || !x || !y || !y0) goto out;
    fill(a, (size_t)M * N, s);
    fill(x, nx, s);
    fill(y, ny, s);
    memcpy(y0, y, ny * sizeof *y);
    cblas_sgemv(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, M, N, alpha, a, N, x, 1, beta, y, 1);
    for (int i = 0; i < ny && !bad; i++) {
        double sum = 0, mag = 0;
        for (int k = 0; k < nx; k++) {
            double p = (double)(ta ? a[(size_t)k * N + i] : a[(size_t)i * N + k]) * x[k];
            sum += p;
            mag += fabs(p);
        }
        double want = alpha * sum + beta * y0[i];
        if (!(fabs(y[i] - want) <= 1e-5 * (fabs(alpha) * mag + fabs(beta * y0[i])) + 1e-6)) bad = 1;
    }
out:
    free(a);
    free(x);
    free(y);
    free(y0);
    return bad;
}

static int broken_for_test;   /* GANRUN_TEST_BLAS_BROKEN on a core ganrun chose */

gan_status gan_blas_selfcheck(gan_error *err)
{
    /* M, N, K, transposes, padding of the leading dimensions, alpha, beta;
     * the last is past OpenBLAS 0.3.21's small-matrix kernels (M N K above
     * 100^3) */
    static const struct {
        int m, n, k, ta, tb, pad;
        float alpha, beta;
    } g[] = {
        { 1, 1, 1, 0, 0, 0, 1, 0 },          { 7, 5, 3, 0, 1, 0, 1, 0 },
        { 17, 31, 13, 1, 0, 3, -0.5f, 1 },   { 33, 9, 65, 1, 1, 1, 2, 0.25f },
        { 64, 48, 100, 0, 0, 0, 1, 0 },      { 129, 67, 131, 0, 1, 5, 1, -1 },
    };
    uint32_t s = 12345;
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++)
        if (check_gemm(g[i].m, g[i].n, g[i].k, g[i].ta, g[i].tb, g[i].pad, g[i].alpha, g[i].beta, &s) ||
            (broken_for_test && i == sizeof g / sizeof g[0] - 1))
            return gan_error_set(err, GAN_ERR_NUMERIC,
                                 "OpenBLAS's %s kernels computed a wrong sgemm (M=%d N=%d K=%d%s%s)",
                                 gan_blas_core(), g[i].m, g[i].n, g[i].k, g[i].ta ? ", A transposed" : "",
                                 g[i].tb ? ", B transposed" : "");
    static const struct {
        int m, n, t;
    } v[] = { { 5, 3, 0 }, { 3, 5, 1 }, { 67, 129, 0 }, { 129, 67, 1 } };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (check_gemv(v[i].m, v[i].n, v[i].t, 1.5f, i & 1 ? 0.5f : 0, &s))
            return gan_error_set(err, GAN_ERR_NUMERIC, "OpenBLAS's %s kernels computed a wrong sgemv (M=%d N=%d%s)",
                                 gan_blas_core(), v[i].m, v[i].n, v[i].t ? ", transposed" : "");
    return GAN_OK;
}

/* ---- the restart ---------------------------------------------------------- */

static char describe_buf[192];

/* RESTART_VAR as "PICKED CHOSEN[ failed]"; 0 when absent or malformed */
static int read_marker(char picked[32], char chosen[32], int *failed)
{
    const char *m = getenv(RESTART_VAR);
    char tail[16] = "";
    if (!m || sscanf(m, "%31s %31s %15s", picked, chosen, tail) < 2) return 0;
    *failed = !strcmp(tail, "failed");
    return 1;
}

const char *gan_blas_describe(void)
{
    if (describe_buf[0]) return describe_buf;
    const char *user = getenv("OPENBLAS_CORETYPE");
    char picked[32], chosen[32];
    int failed;
    if (read_marker(picked, chosen, &failed) && failed)
        snprintf(describe_buf, sizeof describe_buf, "%s (OpenBLAS's choice; %s failed ganrun's self-check)",
                 gan_blas_core(), chosen);
    else if (read_marker(picked, chosen, &failed) && user && !strcmp(user, chosen))
        snprintf(describe_buf, sizeof describe_buf, "%s (set by ganrun: OpenBLAS picked %s on this CPU)",
                 gan_blas_core(), picked);
    else if (user && *user)
        snprintf(describe_buf, sizeof describe_buf, "%s (OPENBLAS_CORETYPE=%s)", gan_blas_core(), user);
    else
        snprintf(describe_buf, sizeof describe_buf, "%s (OpenBLAS's choice)", gan_blas_core());
    return describe_buf;
}

static void restart(char **argv)
{
    fflush(NULL);
    execv("/proc/self/exe", argv);
    if (argv[0] && strchr(argv[0], '/')) execv(argv[0], argv);
    execvp(argv[0], argv);
    /* exec failed: carry on with the kernels we have */
}

void gan_blas_select(char **argv)
{
    const char *user = getenv("OPENBLAS_CORETYPE");
    const char *automatic = getenv("GANRUN_BLAS_AUTO");
    const char *test_picked = getenv("GANRUN_TEST_BLAS_PICKED");
    char picked[32], chosen[32];
    int failed = 0, restarted = read_marker(picked, chosen, &failed);
    describe_buf[0] = '\0';
    if (restarted && !failed && user && !strcmp(user, chosen)) {
        /* the restarted process, on the core we set */
        const char *b = getenv("GANRUN_TEST_BLAS_BROKEN");
        broken_for_test = b && !strcmp(b, "1");
        gan_error err;
        gan_error_clear(&err);
        gan_status st = gan_blas_selfcheck(&err);
        broken_for_test = 0;
        if (st == GAN_OK) return;
        fprintf(stderr, "ganrun: %s; going back to OpenBLAS's own choice (%s)\n", err.msg, picked);
        char mark[80];
        snprintf(mark, sizeof mark, "%s %s failed", picked, chosen);
        unsetenv("OPENBLAS_CORETYPE");
        setenv(RESTART_VAR, mark, 1);
        restart(argv);
        return;
    }
    if (restarted || (user && *user) || (automatic && !strcmp(automatic, "0")) || !dynamic_arch() || !argv ||
        !argv[0])
        return;
    const char *now = test_picked && *test_picked ? test_picked : gan_blas_core();
    gan_cpuid c;
    gan_cpuid_read(&c);
    const char *best = gan_blas_upgrade(now, &c);
    if (!best) return;
    char mark[80];
    snprintf(mark, sizeof mark, "%s %s", now, best);
    setenv("OPENBLAS_CORETYPE", best, 1);
    setenv(RESTART_VAR, mark, 1);
    restart(argv);
    unsetenv("OPENBLAS_CORETYPE");   /* still this process: leave no trace */
    unsetenv(RESTART_VAR);
}
