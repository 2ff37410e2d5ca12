/* check_blas.c - gan/blas.h: cpuid values -> instruction-set level -> the
 * OpenBLAS core to ask for, on tables of real and made-up CPUs; this CPU's
 * reading against /proc/cpuinfo; the kernels' self-check. */
#include "config.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan/gan.h"
#include "testutil.h"

/* register bits (gan/blas.h) */
#define SSE3 (1u << 0)
#define FMA (1u << 12)
#define OSXSAVE (1u << 27)
#define AVX (1u << 28)
#define AVX2 (1u << 5)
#define F512 (1u << 16)
#define DQ512 (1u << 17)
#define BW512 (1u << 30)
#define VL512 (1u << 31)
#define BF16 (1u << 5)
#define XCR0_AVX 0x7u       /* x87, SSE, AVX state */
#define XCR0_AVX512 0xe7u   /* and opmask, ZMM 0-15 upper halves, ZMM 16-31 */

typedef struct cpu_case {
    const char *what;
    gan_cpuid c;
    int level;
    const char *core;   /* gan_blas_core_for, NULL: none */
} cpu_case;

#define L1_AVX2 (SSE3 | FMA | OSXSAVE | AVX)
#define L7_512 (AVX2 | F512 | DQ512 | BW512 | VL512)

static const cpu_case cases[] = {
    { "Pentium 4 (SSE3 only)", { "GenuineIntel", SSE3, 0, 0, 0 }, GAN_CPU_BASE, NULL },
    { "Nehalem (no AVX)", { "GenuineIntel", SSE3 | (1u << 19) | (1u << 20), 0, 0, 0 }, GAN_CPU_BASE, NULL },
    { "Sandy Bridge", { "GenuineIntel", SSE3 | OSXSAVE | AVX, 0, 0, XCR0_AVX }, GAN_CPU_AVX, "Sandybridge" },
    { "AVX without OSXSAVE (OS off)", { "GenuineIntel", SSE3 | AVX, 0, 0, 0 }, GAN_CPU_BASE, NULL },
    { "AVX, OS saves only SSE state", { "GenuineIntel", SSE3 | OSXSAVE | AVX, 0, 0, 0x3 }, GAN_CPU_BASE, NULL },
    { "Haswell", { "GenuineIntel", L1_AVX2, AVX2, 0, XCR0_AVX }, GAN_CPU_AVX2, "Haswell" },
    { "AVX2 without FMA", { "GenuineIntel", SSE3 | OSXSAVE | AVX, AVX2, 0, XCR0_AVX }, GAN_CPU_AVX, "Sandybridge" },
    { "Zen 2", { "AuthenticAMD", L1_AVX2, AVX2, 0, XCR0_AVX }, GAN_CPU_AVX2, "Zen" },
    { "Hygon Dhyana", { "HygonGenuine", L1_AVX2, AVX2, 0, XCR0_AVX }, GAN_CPU_AVX2, "Zen" },
    { "Skylake-X", { "GenuineIntel", L1_AVX2, L7_512, 0, XCR0_AVX512 }, GAN_CPU_AVX512, "SkylakeX" },
    { "Skylake-X, OS without AVX-512 state", { "GenuineIntel", L1_AVX2, L7_512, 0, XCR0_AVX }, GAN_CPU_AVX2,
      "Haswell" },
    { "Knights Landing (F, no BW/DQ/VL)", { "GenuineIntel", L1_AVX2, AVX2 | F512, 0, XCR0_AVX512 }, GAN_CPU_AVX2,
      "Haswell" },
    { "AVX-512 without VL", { "GenuineIntel", L1_AVX2, AVX2 | F512 | DQ512 | BW512, 0, XCR0_AVX512 },
      GAN_CPU_AVX2, "Haswell" },
    { "Cooper Lake / Sapphire Rapids", { "GenuineIntel", L1_AVX2, L7_512, BF16, XCR0_AVX512 },
      GAN_CPU_AVX512BF16, "Cooperlake" },
    { "Zen 4 / Zen 5", { "AuthenticAMD", L1_AVX2, L7_512, BF16, XCR0_AVX512 }, GAN_CPU_AVX512BF16, "Cooperlake" },
    { "BF16 bit without AVX-512", { "GenuineIntel", L1_AVX2, AVX2, BF16, XCR0_AVX }, GAN_CPU_AVX2, "Haswell" },
    { "no cpuid (other architecture)", { "", 0, 0, 0, 0 }, GAN_CPU_BASE, NULL },
};
#define NCASES (int)(sizeof cases / sizeof cases[0])

START_TEST(cpuid_flags_give_the_level_and_core)
{
    const cpu_case *k = &cases[_i];
    ck_assert_msg(gan_cpu_level(&k->c) == k->level, "%s: level %d, want %d", k->what, gan_cpu_level(&k->c),
                  k->level);
    const char *core = gan_blas_core_for(&k->c);
    if (!k->core) ck_assert_msg(core == NULL, "%s: core %s, want none", k->what, core);
    else ck_assert_msg(core && !strcmp(core, k->core), "%s: core %s, want %s", k->what, core ? core : "none",
                       k->core);
    /* the core asked for never needs more than the CPU has */
    if (core) ck_assert_int_le(gan_blas_core_level(core), gan_cpu_level(&k->c));
}
END_TEST

START_TEST(core_names_have_levels)
{
    ck_assert_int_eq(gan_blas_core_level("Prescott"), GAN_CPU_BASE);
    ck_assert_int_eq(gan_blas_core_level("prescott"), GAN_CPU_BASE);   /* OpenBLAS ignores case */
    ck_assert_int_eq(gan_blas_core_level("Core2"), GAN_CPU_BASE);
    ck_assert_int_eq(gan_blas_core_level("Barcelona"), GAN_CPU_BASE);
    ck_assert_int_eq(gan_blas_core_level("Sandybridge"), GAN_CPU_AVX);
    ck_assert_int_eq(gan_blas_core_level("Haswell"), GAN_CPU_AVX2);
    ck_assert_int_eq(gan_blas_core_level("ZEN"), GAN_CPU_AVX2);
    ck_assert_int_eq(gan_blas_core_level("SkylakeX"), GAN_CPU_AVX512);
    ck_assert_int_eq(gan_blas_core_level("Cooperlake"), GAN_CPU_AVX512BF16);
    ck_assert_int_eq(gan_blas_core_level("ARMV8"), -1);
    ck_assert_int_eq(gan_blas_core_level("unknown-core"), -1);
    ck_assert_int_eq(gan_blas_core_level(""), -1);
    ck_assert_int_eq(gan_blas_core_level(NULL), -1);
}
END_TEST

static const gan_cpuid *cpu(const char *what)
{
    for (int i = 0; i < NCASES; i++)
        if (!strcmp(cases[i].what, what)) return &cases[i].c;
    ck_abort_msg("no case %s", what);
    return NULL;
}

static void upgrade(const char *picked, const char *what, const char *want)
{
    const char *u = gan_blas_upgrade(picked, cpu(what));
    if (!want) ck_assert_msg(u == NULL, "%s on %s: %s, want none", picked, what, u);
    else ck_assert_msg(u && !strcmp(u, want), "%s on %s: %s, want %s", picked, what, u ? u : "none", want);
}
#define UPGRADE upgrade

START_TEST(a_generic_or_older_core_is_upgraded)
{
    UPGRADE("Prescott", "Skylake-X", "SkylakeX");   /* the Xeon */
    UPGRADE("Prescott", "Cooper Lake / Sapphire Rapids", "Cooperlake");
    UPGRADE("Nehalem", "Haswell", "Haswell");
    UPGRADE("Barcelona", "Zen 2", "Zen");
    UPGRADE("Haswell", "Skylake-X", "SkylakeX");    /* AVX2 kernels on an AVX-512 CPU */
    UPGRADE("Core2", "Sandy Bridge", "Sandybridge");
    UPGRADE("prescott", "Zen 4 / Zen 5", "Cooperlake");
}
END_TEST

START_TEST(a_core_as_good_or_unknown_is_kept)
{
    UPGRADE("SkylakeX", "Skylake-X", NULL);
    UPGRADE("Cooperlake", "Zen 4 / Zen 5", NULL);
    UPGRADE("Zen", "Haswell", NULL);            /* same level, other vendor's tuning: leave it */
    UPGRADE("Haswell", "Zen 2", NULL);
    UPGRADE("SkylakeX", "Haswell", NULL);       /* above the CPU (forced by someone): not ours to fix */
    UPGRADE("Prescott", "Pentium 4 (SSE3 only)", NULL);
    UPGRADE("Prescott", "Skylake-X, OS without AVX-512 state", "Haswell");
    UPGRADE("ARMV8", "Skylake-X", NULL);
    UPGRADE("SapphireRapids", "Zen 4 / Zen 5", NULL);
    UPGRADE("Prescott", "no cpuid (other architecture)", NULL);
}
END_TEST

/* /proc/cpuinfo's flags already hide what the kernel did not enable */
static int cpuinfo_has(const char *flags, const char *f)
{
    size_t n = strlen(f);
    for (const char *p = flags; (p = strstr(p, f)) != NULL; p += n)
        if ((p == flags || p[-1] == ' ' || p[-1] == '\t') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
            return 1;
    return 0;
}

START_TEST(this_cpu_reads_as_proc_cpuinfo_says)
{
#if defined(__x86_64__) || defined(__i386__)
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;   /* not Linux: nothing to compare with */
    static char line[8192];
    int found = 0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "flags", 5)) {
            found = 1;
            break;
        }
    fclose(f);
    if (!found) return;
    int want = GAN_CPU_BASE;
    if (cpuinfo_has(line, "avx")) want = GAN_CPU_AVX;
    if (want == GAN_CPU_AVX && cpuinfo_has(line, "avx2") && cpuinfo_has(line, "fma")) want = GAN_CPU_AVX2;
    if (want == GAN_CPU_AVX2 && cpuinfo_has(line, "avx512f") && cpuinfo_has(line, "avx512bw") &&
        cpuinfo_has(line, "avx512dq") && cpuinfo_has(line, "avx512vl"))
        want = GAN_CPU_AVX512;
    if (want == GAN_CPU_AVX512 && cpuinfo_has(line, "avx512_bf16")) want = GAN_CPU_AVX512BF16;
    gan_cpuid c;
    gan_cpuid_read(&c);
    ck_assert_msg(gan_cpu_level(&c) == want, "cpuid says level %d, /proc/cpuinfo %d", gan_cpu_level(&c), want);
    ck_assert(c.vendor[0] != '\0');
#endif
}
END_TEST

START_TEST(the_kernels_in_use_pass_the_self_check)
{
    gan_error err;
    gan_error_clear(&err);
    ck_assert_msg(gan_blas_selfcheck(&err) == GAN_OK, "%s", err.msg);
}
END_TEST

START_TEST(the_description_names_the_core_in_use)
{
    const char *d = gan_blas_describe(), *core = gan_blas_core();
    ck_assert_msg(!strncmp(d, core, strlen(core)), "'%s' does not start with '%s'", d, core);
    const char *user = getenv("OPENBLAS_CORETYPE");
    if (user && *user && !getenv("GANRUN_BLAS_RESTART")) {
        char want[96];
        snprintf(want, sizeof want, "(OPENBLAS_CORETYPE=%s)", user);
        ck_assert_msg(strstr(d, want) != NULL, "'%s' lacks '%s'", d, want);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("blas");
    TCase *t = tcase_create("detect");
    tcase_add_loop_test(t, cpuid_flags_give_the_level_and_core, 0, NCASES);
    tcase_add_test(t, core_names_have_levels);
    tcase_add_test(t, a_generic_or_older_core_is_upgraded);
    tcase_add_test(t, a_core_as_good_or_unknown_is_kept);
    tcase_add_test(t, this_cpu_reads_as_proc_cpuinfo_says);
    suite_add_tcase(s, t);
    TCase *k = tcase_create("kernels");
    tcase_add_test(k, the_kernels_in_use_pass_the_self_check);
    tcase_add_test(k, the_description_names_the_core_in_use);
    suite_add_tcase(s, k);
    return s;
}

int main(void)
{
    return tu_run_suite(suite());
}
