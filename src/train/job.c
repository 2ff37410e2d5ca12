/* job.c - a trainer as one rank of a data-parallel job (gan/dist.h,
 * gan_dist_start in gan/train.h): its share of the batches and shards, and
 * rank 0's parameters on every rank. */
#include "config.h"
#include "gan/train.h"
#include "gan/dist.h"

/* data parallelism (gan/dist.h): this trainer as rank gan_dist_rank() of
 * gan_dist_size() */
gan_status gan_dist_start(gan_trainer *t, gan_error *err)
{
    int g_size = gan_dist_size();
    if (g_size == 1) return GAN_OK;
    const gan_train_spec *ts = &t->cfg.spec->train;
    if (ts->batch % g_size || ts->noise_batch % g_size)
        return gan_error_at(err, GAN_ERR_INVALID, t->cfg.spec->source, 0, 0,
                            "train.batch %d and train.noise_batch %d must both divide by the %d ranks",
                            ts->batch, ts->noise_batch, g_size);
    t->job.rank = gan_dist_rank();
    t->job.nranks = g_size;
    t->job.Br = ts->batch / g_size;
    t->job.Bf = ts->noise_batch / g_size;
    if (ts->shards > 1) {
        int S = ts->shards, ns = S / g_size;
        if (S % g_size)
            return gan_error_at(err, GAN_ERR_INVALID, t->cfg.spec->source, 0, 0,
                                "train.shards %d does not divide among %d ranks (expected a rank "
                                "count that divides it)", S, g_size);
        gan_status st = gan_net_set_shards(t->G, S, t->job.rank * ns, ns, err);
        if (st == GAN_OK) st = gan_net_set_shards(t->D, S, t->job.rank * ns, ns, err);
        if (st != GAN_OK) return st;
    }
    if (ts->pack > 1 && (t->job.Br % ts->pack || t->job.Bf % ts->pack))
        return gan_error_at(err, GAN_ERR_INVALID, t->cfg.spec->source, 0, 0,
                            "train.pack %d must divide each rank's share of the batches "
                            "(%d real, %d fake on %d ranks)", ts->pack, t->job.Br, t->job.Bf, g_size);
    gan_dist_bcast_net(t->G);
    gan_dist_bcast_net(t->D);
    return GAN_OK;
}
