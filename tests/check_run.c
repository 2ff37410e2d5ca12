/* check_run.c - the run object (gan/run.h) from C: without a directory it
 * trains exactly as gan_trainer_step does; the caller's stop flag ends it
 * after the current step with a checkpoint; a directory in use is
 * GAN_ERR_BUSY naming this process, one holding a run GAN_ERR_EXISTS,
 * GAN_RUN_FORCE moves it aside, GAN_RUN_RESUME continues it; reproducing
 * compares tensor by tensor. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "gan/gan.h"
#include "testutil.h"

static gan_trainer *tiny(void)
{
    char text[4096];
    tu_tiny_model(text, sizeof text, "");
    return tu_trainer(text, 1);
}

START_TEST(without_a_directory_it_is_the_plain_loop)
{
    gan_trainer *a = tiny(), *b = tiny();
    gan_error err;
    for (int i = 0; i < 25; i++) ck_assert_msg(gan_trainer_step(a, &err) == GAN_OK, "%s", err.msg);
    gan_run *r;
    gan_run_opts o = { .dir = NULL, .target = 25 };
    ck_assert_msg(gan_run_open(&r, b, &o, &err) == GAN_OK, "%s", err.msg);
    ck_assert_int_eq(gan_run_until(r, &err), GAN_OK);
    ck_assert(gan_run_done(r) && !gan_run_stopped(r));
    ck_assert_int_eq(gan_run_close(r, GAN_OK, &err), GAN_OK);
    ck_assert_int_eq(b->state.step, 25);
    ck_assert(memcmp(a->G->params, b->G->params, a->G->nparams * sizeof(float)) == 0);
    ck_assert(memcmp(a->D->params, b->D->params, a->D->nparams * sizeof(float)) == 0);
    gan_trainer_free(a);
    gan_trainer_free(b);
}
END_TEST

/* gan_run_compare, which `ganrun reproduce` prints: nothing for two
 * trainers of one model and seed; one NaN, then one changed bias, each
 * named with its max |difference| */
static char seen[8][128];
static double seen_d[8];
static int nseen;

static void note_diff(const char *name, double d, void *user)
{
    (void)user;
    if (nseen < 8) snprintf(seen[nseen], sizeof seen[0], "%s", name), seen_d[nseen] = d;
    nseen++;
}

START_TEST(reproduce_compares_tensor_by_tensor)
{
    gan_trainer *a = tiny(), *b;
    gan_error err;
    ck_assert_msg(gan_run_reproduce_load(&b, a, "tiny.ckpt", &err) == GAN_OK, "%s", err.msg);
    for (int i = 0; i < 3; i++) {
        ck_assert_msg(gan_trainer_step(a, &err) == GAN_OK, "%s", err.msg);
        ck_assert_msg(gan_trainer_step(b, &err) == GAN_OK, "%s", err.msg);
    }
    nseen = 0;
    ck_assert_int_eq(gan_run_compare(a, b, note_diff, NULL), 0);
    ck_assert_int_eq(nseen, 0);
    gan_layer *l = &b->D->layers[0];
    ck_assert_int_ge(l->ntensors, 2);
    const gan_tensor_info *ti = &l->tensors[1];
    float *p = (ti->is_buffer ? l->bufs : l->params) + ti->offset;
    p[0] += 0.25f;
    ck_assert_int_eq(gan_run_compare(a, b, note_diff, NULL), 1);
    char want[128];
    snprintf(want, sizeof want, "d.0.%s.%s", l->type->name, ti->name);
    ck_assert_str_eq(seen[0], want);
    ck_assert(seen_d[0] > 0.2 && seen_d[0] < 0.3);
    p[0] = 0.0f / 0.0f;
    nseen = 0;
    ck_assert_int_eq(gan_run_compare(b, a, note_diff, NULL), 1);
    ck_assert(seen_d[0] > 1e300);   /* a NaN on one side: infinity */
    gan_trainer_free(a);
    gan_trainer_free(b);
}
END_TEST

static volatile sig_atomic_t stop;
static int calls;

static void stop_at_3(const gan_run_progress *p, void *user)
{
    (void)user;
    calls++;
    if (p->step == 3) stop = 1;
}

static int exists(const char *dir, const char *name)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return access(p, F_OK) == 0;
}

START_TEST(directory_lock_stop_exists_force_resume)
{
    char dir[] = "/tmp/ganrun-check-run.XXXXXX";
    ck_assert(mkdtemp(dir) != NULL);
    char run[1100], old[1200];
    snprintf(run, sizeof run, "%s/run", dir);
    gan_trainer *t = tiny();
    gan_error err;
    gan_run *r, *r2;
    gan_run_opts o = { .dir = run, .target = 50, .stop = &stop, .on_progress = stop_at_3 };
    ck_assert_msg(gan_run_open(&r, t, &o, &err) == GAN_OK, "%s", err.msg);
    ck_assert(exists(run, ".lock") && exists(run, "log.csv") && exists(run, "model.yaml"));
    /* a second open while this one holds the directory */
    gan_trainer *u = tiny();
    ck_assert_int_eq(gan_run_open(&r2, u, &o, &err), GAN_ERR_BUSY);
    char pid[64];
    snprintf(pid, sizeof pid, "in use by process %ld ", (long)getpid());
    ck_assert_msg(strstr(err.msg, pid), "%s", err.msg);
    /* the stop flag: after step 3, with samples and a checkpoint */
    ck_assert_int_eq(gan_run_until(r, &err), GAN_OK);
    ck_assert(gan_run_stopped(r));
    ck_assert_int_eq(t->state.step, 3);
    ck_assert_int_eq(calls, 3);
    ck_assert_int_eq(gan_run_close(r, GAN_OK, &err), GAN_OK);
    ck_assert(exists(run, "latest.ckpt") && exists(run, "ckpt/step-00000003.ckpt") && !exists(run, ".lock"));
    stop = 0;
    /* a new run into it: refused, nothing changed */
    struct stat before, after;
    char log[1200];
    snprintf(log, sizeof log, "%s/log.csv", run);
    ck_assert_int_eq(stat(log, &before), 0);
    ck_assert_int_eq(gan_run_open(&r2, u, &o, &err), GAN_ERR_EXISTS);
    ck_assert_msg(strstr(err.msg, "holds the run of model 'tiny'"), "%s", err.msg);
    ck_assert_int_eq(stat(log, &after), 0);
    ck_assert(before.st_size == after.st_size && before.st_mtime == after.st_mtime && !exists(run, ".lock"));
    /* resume: goes on from step 3 */
    gan_run_opts ro = { .dir = run, .target = 6, .mode = GAN_RUN_RESUME };
    ck_assert_msg(gan_run_open(&r, t, &ro, &err) == GAN_OK, "%s", err.msg);
    ck_assert_int_eq(gan_run_until(r, &err), GAN_OK);
    ck_assert_int_eq(gan_run_close(r, GAN_OK, &err), GAN_OK);
    ck_assert_int_eq(t->state.step, 6);
    /* force: the old run moves to RUN.old-1 whole */
    gan_run_opts fo = { .dir = run, .target = 2, .mode = GAN_RUN_FORCE };
    ck_assert_msg(gan_run_open(&r2, u, &fo, &err) == GAN_OK, "%s", err.msg);
    ck_assert_int_eq(gan_run_until(r2, &err), GAN_OK);
    ck_assert_int_eq(gan_run_close(r2, GAN_OK, &err), GAN_OK);
    snprintf(old, sizeof old, "%s.old-1", run);
    ck_assert(exists(old, "ckpt/step-00000006.ckpt") && exists(run, "ckpt/step-00000002.ckpt") &&
              !exists(run, "ckpt/step-00000006.ckpt"));
    gan_trainer_free(t);
    gan_trainer_free(u);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* the run a checkpoint belongs to */
START_TEST(a_checkpoint_belongs_to_its_run_directory)
{
    const char *cases[][2] = {
        { "runs/x/latest.ckpt", "runs/x" },
        { "runs/x/ckpt/step-00000010.ckpt", "runs/x" },
        { "/abs/x/ckpt/step-1.ckpt", "/abs/x" },
        { "ckpt/step-1.ckpt", "." },
        { "latest.ckpt", "." },
        { "elsewhere/mine.ckpt", "elsewhere" },
        { "a/notckpt/s.ckpt", "a/notckpt" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char dir[256];
        gan_run_dir_of(cases[i][0], dir, sizeof dir);
        ck_assert_msg(!strcmp(dir, cases[i][1]), "%s: %s, not %s", cases[i][0], dir, cases[i][1]);
    }
}
END_TEST

/* a new run's directory goes into the spec whole, or is refused */
START_TEST(a_run_directory_that_does_not_fit_is_refused)
{
    gan_model_spec *m = calloc(1, sizeof *m);
    ck_assert_ptr_nonnull(m);
    gan_error err;
    gan_error_clear(&err);
    ck_assert_int_eq(gan_run_set_dir(m, "runs/here", &err), GAN_OK);
    ck_assert_str_eq(m->output.dir, "runs/here");
    char long_name[sizeof m->output.dir + 1];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    ck_assert_int_eq(gan_run_set_dir(m, long_name, &err), GAN_ERR_INVALID);
    ck_assert(strstr(err.msg, "too long") != NULL);
    ck_assert_str_eq(m->output.dir, "runs/here");
    free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("run");
    TCase *tc = tcase_create("run");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, without_a_directory_it_is_the_plain_loop);
    tcase_add_test(tc, directory_lock_stop_exists_force_resume);
    tcase_add_test(tc, a_checkpoint_belongs_to_its_run_directory);
    tcase_add_test(tc, a_run_directory_that_does_not_fit_is_refused);
    tcase_add_test(tc, reproduce_compares_tensor_by_tensor);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
