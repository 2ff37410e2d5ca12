/* gan/blas.h - which OpenBLAS kernels run, and the best ones this CPU takes.
 *
 * OpenBLAS builds made for many machines (DYNAMIC_ARCH, as Debian's) choose
 * their kernels, a "core" such as Haswell or SkylakeX, once, when the
 * library is loaded: from OPENBLAS_CORETYPE when it is set, otherwise from
 * the CPU models the build knows.  A CPU newer than the build can make it
 * fall back to a generic core (Prescott: SSE3 only), two to five times
 * slower than the AVX2 or AVX-512 kernels the same library holds.  Since
 * the choice is made before main(), a process can only change it by setting
 * OPENBLAS_CORETYPE and executing itself again.
 *
 * ganrun does that first thing in main() through gan_blas_select().  A
 * program linking libgan gets nothing done behind its back: it may call
 * gan_blas_select(argv) at the top of its own main() for the same
 * behaviour, or use the pieces below (what OpenBLAS chose, what the CPU
 * takes, a self-check of the kernels) and decide itself.
 *
 * Environment read by gan_blas_select():
 *   OPENBLAS_CORETYPE     the user's choice: always kept, never replaced
 *   GANRUN_BLAS_AUTO=0    keep OpenBLAS's own choice (no restart)
 *   GANRUN_BLAS_RESTART   set by gan_blas_select() for the restarted
 *                         process: "PICKED CHOSEN" (the core OpenBLAS
 *                         picked, the one set in OPENBLAS_CORETYPE), with
 *                         " failed" appended when CHOSEN failed the
 *                         self-check and the process restarted without it
 *   test only: GANRUN_TEST_BLAS_PICKED=NAME makes gan_blas_select() act as
 *   if OpenBLAS had picked NAME itself (when OPENBLAS_CORETYPE is unset);
 *   GANRUN_TEST_BLAS_BROKEN=1 makes the self-check of a core chosen by
 *   gan_blas_select() fail.
 */
#ifndef GAN_BLAS_H
#define GAN_BLAS_H

#include "gan/api.h"

#include <stdint.h>
#include "gan/error.h"

/* What cpuid and xgetbv say about the CPU (all zero off x86). */
typedef struct gan_cpuid {
    char vendor[13];     /* "GenuineIntel", "AuthenticAMD", "HygonGenuine", ... */
    uint32_t l1_ecx;     /* leaf 1 ECX: SSE3 bit 0, FMA 12, OSXSAVE 27, AVX 28 */
    uint32_t l7_ebx;     /* leaf 7.0 EBX: AVX2 5, AVX512F 16, AVX512DQ 17, AVX512BW 30, AVX512VL 31 */
    uint32_t l7_1_eax;   /* leaf 7.1 EAX: AVX512_BF16 5 */
    uint64_t xcr0;       /* XGETBV(0), 0 without OSXSAVE: bits 1-2 SSE/AVX state, 5-7 AVX-512 state */
} gan_cpuid;

/* Instruction-set levels, each including the ones before. */
enum {
    GAN_CPU_BASE = 0,     /* SSE3 and older: OpenBLAS's generic cores */
    GAN_CPU_AVX = 1,      /* AVX, with the OS saving the YMM state */
    GAN_CPU_AVX2 = 2,     /* AVX2 and FMA */
    GAN_CPU_AVX512 = 3,   /* AVX-512 F, BW, DQ and VL, with the OS saving the ZMM state */
    GAN_CPU_AVX512BF16 = 4 /* and AVX512_BF16 */
};

/* This CPU's cpuid and xgetbv values. */
GAN_API void gan_cpuid_read(gan_cpuid *c);

/* The level c can run: what the CPU has AND the OS enabled (xcr0).  Pure. */
GAN_API int gan_cpu_level(const gan_cpuid *c);

/* The OpenBLAS core made for c's level and vendor: "Cooperlake",
 * "SkylakeX", "Zen" (AMD, Hygon) or "Haswell", "Sandybridge"; NULL below AVX
 * (nothing to gain over the generic cores).  Pure. */
GAN_API const char *gan_blas_core_for(const gan_cpuid *c);

/* The level an OpenBLAS x86-64 core name needs (any case), -1 for a name
 * not known here (another architecture, a newer OpenBLAS).  Pure. */
GAN_API int gan_blas_core_level(const char *core);

/* The core to set in OPENBLAS_CORETYPE when OpenBLAS picked `picked` on a
 * CPU described by c, or NULL when `picked` is as good as what c takes or
 * is unknown here.  Pure. */
GAN_API const char *gan_blas_upgrade(const char *picked, const gan_cpuid *c);

/* The core OpenBLAS runs (openblas_get_corename()), "unknown" otherwise. */
GAN_API const char *gan_blas_core(void);

/* The core and how it was chosen, one line, e.g. "SkylakeX (set by ganrun:
 * OpenBLAS picked Prescott)" or "Haswell (OPENBLAS_CORETYPE)". */
GAN_API const char *gan_blas_describe(void);

/* Compare cblas_sgemm and cblas_sgemv with naive products in double on a
 * few shapes (odd sizes, every transpose, leading dimensions wider than the
 * matrix, alpha and beta not 1 and 0, one product past OpenBLAS's
 * small-matrix path).  A few milliseconds.  GAN_ERR_NUMERIC naming the
 * first shape that differs. */
GAN_API gan_status gan_blas_selfcheck(gan_error *err);

/* For the top of main(), before any other OpenBLAS call: when the user has
 * set neither OPENBLAS_CORETYPE nor GANRUN_BLAS_AUTO=0, the OpenBLAS build
 * is DYNAMIC_ARCH and it picked a core below what this CPU runs, set
 * OPENBLAS_CORETYPE to gan_blas_upgrade()'s core and GANRUN_BLAS_RESTART,
 * and execute /proc/self/exe with argv (the same process, pid and
 * environment otherwise; under mpirun each rank does this on its own).
 * In the restarted process, self-check the kernels; when they fail, print
 * one line on stderr and restart once more without the override.  Returns
 * only when nothing is to be done or exec failed (then the process simply
 * goes on with OpenBLAS's choice).  Never restarts more than twice. */
GAN_API void gan_blas_select(char **argv);

#endif
