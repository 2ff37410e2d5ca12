/* dist.c - data-parallel training over MPI (see gan/dist.h): the plumbing,
 * in core so that layers (batchnorm's sync) use it without reaching up
 * into the trainer; gan_dist_start, which shares a trainer out, is in
 * src/train/train.c.
 *
 * One file holds every MPI call of ganrun.  Built without MPI (no HAVE_MPI
 * in config.h), or run in a process mpirun did not start, each function is
 * the one-rank case, so the trainer calls them unconditionally.
 */
#include "config.h"
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef HAVE_MPI
#include <mpi.h>
#endif
#include "gan/dist.h"
#include "gan/par.h"
#include "gan/net.h"

static int g_rank = 0, g_size = 1;
#ifdef HAVE_MPI
static int g_inited;   /* 1 when gan_dist_init called MPI_Init */
#endif

int gan_dist_available(void)
{
#ifdef HAVE_MPI
    return 1;
#else
    return 0;
#endif
}

int gan_dist_rank(void) { return g_rank; }
int gan_dist_size(void) { return g_size; }

#ifdef HAVE_MPI
static int under_mpirun(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_SIZE");
}
#endif

gan_status gan_dist_init(int *argc, char ***argv, gan_error *err)
{
#ifdef HAVE_MPI
    int already = 0;
    MPI_Initialized(&already);
    if (already || !under_mpirun()) {
        if (already) {
            MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
            MPI_Comm_size(MPI_COMM_WORLD, &g_size);
        }
        return GAN_OK;
    }
    if (MPI_Init(argc, argv) != MPI_SUCCESS) return gan_error_set(err, GAN_ERR_IO, "MPI_Init failed");
    g_inited = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    if (g_size > 1 && !gan_par_explicit()) {
        /* the ranks on a node share its cores: each takes an equal share
         * of threads (gan/par.h), unless a thread count was given */
        MPI_Comm node;
        int local = 1;
        if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) ==
            MPI_SUCCESS) {
            MPI_Comm_size(node, &local);
            MPI_Comm_free(&node);
        }
        int share = gan_par_threads() / (local > 0 ? local : 1);
        gan_par_set_threads(share > 0 ? share : 1);
    }
#else
    (void)argc, (void)argv, (void)err;
#endif
    return GAN_OK;
}

void gan_dist_finalize(void)
{
#ifdef HAVE_MPI
    if (g_inited) MPI_Finalize();
    g_inited = 0;
    g_rank = 0;
    g_size = 1;
#endif
}

void gan_dist_abort(int code)
{
#ifdef HAVE_MPI
    if (g_size > 1) MPI_Abort(MPI_COMM_WORLD, code);
#else
    (void)code;
#endif
}

void gan_dist_sum_double(double *x, size_t n)
{
#ifdef HAVE_MPI
    if (g_size > 1 && n) MPI_Allreduce(MPI_IN_PLACE, x, (int)n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
#else
    (void)x, (void)n;
#endif
}

/* Sum of floats over ranks, in chunks MPI's int count can hold. */
static void sum_floats(float *x, size_t n)
{
#ifdef HAVE_MPI
    const size_t chunk = (size_t)1 << 30;
    for (size_t i = 0; i < n; i += chunk) {
        size_t m = n - i < chunk ? n - i : chunk;
        MPI_Allreduce(MPI_IN_PLACE, x + i, (int)m, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    }
#else
    (void)x, (void)n;
#endif
}

void gan_dist_mean_float(float *x, size_t n)
{
    if (g_size == 1 || !n) return;
    sum_floats(x, n);
    float inv = 1.0f / (float)g_size;
    for (size_t i = 0; i < n; i++) x[i] *= inv;
}

/* Each rank's grads are the mean over its share (B/N rows) of the batch;
 * their mean over the N ranks is the mean over the whole batch, which is
 * what one process computes.  v rides in the arena's slack, so one
 * all-reduce carries both. */
void gan_dist_allreduce_grads(gan_net *net, float *v, size_t n)
{
    if (g_size == 1) return;
    if (n > GAN_NET_GRAD_SLACK) {   /* not from the trainer: two calls */
        gan_dist_mean_float(v, n);
        n = 0;
    }
    memcpy(net->grads + net->nparams, v, n * sizeof *v);
    gan_dist_mean_float(net->grads, net->nparams + n);
    memcpy(v, net->grads + net->nparams, n * sizeof *v);
}

/* In place: rank r's n values of esize bytes at buf + r n go to every rank
 * (buf holds size * n); past MPI's int count, each rank's block by pieces. */
static void gather(void *buf, size_t n, size_t esize)
{
#ifdef HAVE_MPI
    size_t bytes = n * esize;
    if (g_size == 1 || !bytes) return;
    if (bytes <= (size_t)INT_MAX) {
        MPI_Allgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buf, (int)bytes, MPI_BYTE, MPI_COMM_WORLD);
        return;
    }
    const size_t piece = (size_t)1 << 30;
    for (int r = 0; r < g_size; r++)
        for (size_t i = 0; i < bytes; i += piece)
            MPI_Bcast((char *)buf + (size_t)r * bytes + i, (int)(bytes - i < piece ? bytes - i : piece),
                      MPI_BYTE, r, MPI_COMM_WORLD);
#else
    (void)buf, (void)n, (void)esize;
#endif
}

void gan_dist_gather_floats(float *buf, size_t n)
{
    gather(buf, n, sizeof *buf);
}

void gan_shards_sum(const gan_shards *sh, double *part, size_t n, int all)
{
    int lo = sh->s0, k = sh->ns;
    if (all && sh->ns < sh->S) {
        gather(part, (size_t)sh->ns * n, sizeof *part);
        lo = 0, k = sh->S;
    }
    double *a = part + (size_t)lo * n;
    for (int w = 1; w < k; w *= 2)
        for (int i = 0; i + w < k; i += 2 * w)
            for (size_t j = 0; j < n; j++) a[(size_t)i * n + j] += a[(size_t)(i + w) * n + j];
    if (a != part) memmove(part, a, n * sizeof *part);
}

void gan_dist_bcast_net(gan_net *net)
{
#ifdef HAVE_MPI
    if (g_size == 1) return;
    const size_t chunk = (size_t)1 << 30;
    for (size_t i = 0; i < net->nparams; i += chunk) {
        size_t m = net->nparams - i < chunk ? net->nparams - i : chunk;
        MPI_Bcast(net->params + i, (int)m, MPI_FLOAT, 0, MPI_COMM_WORLD);
    }
    for (size_t i = 0; i < net->nbufs; i += chunk) {
        size_t m = net->nbufs - i < chunk ? net->nbufs - i : chunk;
        MPI_Bcast(net->bufs + i, (int)m, MPI_FLOAT, 0, MPI_COMM_WORLD);
    }
#else
    (void)net;
#endif
}

gan_status gan_dist_agree(gan_status st, gan_error *err)
{
#ifdef HAVE_MPI
    if (g_size == 1) return st;
    int mine = st == GAN_OK ? g_size : g_rank, first;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == g_size) return GAN_OK;
    gan_error e;
    if (g_rank == first) {
        if (err) e = *err;
        else gan_error_set(&e, st, "failed");
        e.code = st;
    }
    MPI_Bcast(&e, (int)sizeof e, MPI_BYTE, first, MPI_COMM_WORLD);
    if (first != 0) {
        char msg[sizeof e.msg];
        snprintf(msg, sizeof msg, "rank %d: %s", first, e.msg);
        memcpy(e.msg, msg, sizeof msg);
    }
    if (err) *err = e;
    return e.code;
#else
    (void)err;
    return st;
#endif
}

int gan_dist_any(int flag)
{
#ifdef HAVE_MPI
    if (g_size == 1) return flag != 0;
    int mine = flag != 0, any;
    MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return any;
#else
    return flag != 0;
#endif
}

int gan_dist_first_different(const void *p, size_t n)
{
#ifdef HAVE_MPI
    if (g_size == 1) return -1;
    uint64_t h = 0xcbf29ce484222325ULL, h0 = 0;
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ULL;
    if (g_rank == 0) h0 = h;
    MPI_Bcast(&h0, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    int mine = h == h0 ? g_size : g_rank, first;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return first == g_size ? -1 : first;
#else
    (void)p, (void)n;
    return -1;
#endif
}
