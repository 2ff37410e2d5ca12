/* check_state.c - the trainer's state table (src/train/state.h): every
 * member of gan_trainer has a row (by the names in include/gan/train.h and
 * by the offsets, which must tile the struct and each of its lifetime
 * groups), gan_trainer.state holds exactly the trainer's own checkpointed
 * and snapshot fields, every checkpointed row comes
 * back from a save and load byte for byte, every snapshot row from a
 * rollback. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <unistd.h>
#include "gan/gan.h"
#include "testutil.h"
#include "train/state.h"

/* the tiny model (testutil.h) with every optional piece of state grid
 * data allows: ema and the health snapshot */
static gan_trainer *tiny(void)
{
    char text[4096];
    tu_tiny_model(text, sizeof text, "  ema: {decay: 0.9}\n  health: {on_nan: rollback, snapshot_every: 5}\n");
    return tu_trainer(text, 1);
}

/* ---- every member has a row ------------------------------------------- */

/* gan_trainer's lifetime groups (include/gan/train.h): a row's member
 * "state.step" lies in group "state" */
typedef struct group { const char *name; size_t offset, size, align; } group;
#define GROUP(m, type) { #m, offsetof(gan_trainer, m), sizeof(type), _Alignof(type) }
static const group groups[] = {
    GROUP(cfg, gan_trainer_cfg),         GROUP(state, gan_trainer_state),
    GROUP(scratch, gan_trainer_scratch), GROUP(job, gan_trainer_job),
    GROUP(loaded, gan_trainer_loaded),   GROUP(metrics, gan_trainer_metrics),
};
static const int ngroups = (int)(sizeof groups / sizeof groups[0]);

/* the group of member m ("state.step": state), or NULL for a top-level one */
static const group *group_of(const char *m)
{
    const char *dot = strchr(m, '.');
    for (int g = 0; dot && g < ngroups; g++)
        if (strlen(groups[g].name) == (size_t)(dot - m) && !strncmp(m, groups[g].name, (size_t)(dot - m)))
            return &groups[g];
    return NULL;
}

typedef struct span { size_t offset, size; const char *member; } span;

static int by_offset(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* The byte ranges of rows[0..n) must tile gan_trainer but for alignment
 * padding (less than 8 bytes, and less than the next member's size; at a
 * group's end less than its alignment): at the top level each group counts as one
 * member, and inside each group its members' rows tile the group.  Returns
 * the first byte no row covers, or -1. */
static long first_uncovered_in(const state_field *rows, int n, const group *in)
{
    span *s = calloc((size_t)n + (size_t)ngroups, sizeof *s);
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (rows[i].kind == STATE_RESERVED) continue;   /* covers no byte */
        const group *g = group_of(rows[i].member);
        span x = { rows[i].offset, rows[i].size, rows[i].member };
        if (in ? g != in : g != NULL) {
            if (in || !g) continue;
            x = (span){ g->offset, g->size, g->name, };   /* the group as one member */
        }
        int seen = 0;
        for (int j = 0; j < k; j++) seen |= !strcmp(s[j].member, x.member);
        if (!seen) s[k++] = x;
    }
    qsort(s, (size_t)k, sizeof *s, by_offset);
    size_t at = in ? in->offset : 0, end = in ? in->offset + in->size : sizeof(gan_trainer);
    long bad = -1;
    for (int j = 0; j < k && bad < 0; j++) {
        size_t gap = s[j].offset - at;
        if (s[j].offset < at || gap >= 8 || (gap && gap >= s[j].size)) bad = (long)at;
        at = s[j].offset + s[j].size;
    }
    if (bad < 0 && end - at >= (in ? in->align : _Alignof(gan_trainer))) bad = (long)at;
    free(s);
    return bad;
}

static long first_uncovered(const state_field *rows, int n)
{
    long bad = first_uncovered_in(rows, n, NULL);
    for (int g = 0; g < ngroups && bad < 0; g++) bad = first_uncovered_in(rows, n, &groups[g]);
    return bad;
}

START_TEST(rows_tile_the_trainer)
{
    long bad = first_uncovered(trainer_state, trainer_state_n);
    ck_assert_msg(bad < 0, "byte %ld of gan_trainer is in no row of the state table (src/train/state.c)", bad);
    /* and the check can fail: each member's rows left out leave a hole */
    for (int i = 0; i < trainer_state_n; i++) {
        if (trainer_state[i].kind == STATE_RESERVED) continue;   /* covers no byte */
        state_field rows[128];
        int n = 0;
        for (int j = 0; j < trainer_state_n; j++)
            if (strcmp(trainer_state[j].member, trainer_state[i].member)) rows[n++] = trainer_state[j];
        ck_assert_msg(first_uncovered(rows, n) >= 0, "without '%s' no hole is found", trainer_state[i].member);
    }
}
END_TEST

/* the state group is the trainer's checkpointed state and nothing else:
 * each of its rows is checkpointed and in the health snapshot; a
 * checkpointed row outside it belongs to a part (the nets' and the
 * optimizers' own state) or is a record of where the state came from (the
 * model, the data's fingerprint, the rank count: checkpointed, never
 * rolled back) */
START_TEST(state_group_is_what_checkpoints_hold)
{
    const char *parts[] = { "G", "D", "gopt", "dopt" };
    int in_state = 0, records = 0;
    for (int i = 0; i < trainer_state_n; i++) {
        const state_field *f = &trainer_state[i];
        if (f->kind == STATE_RESERVED) continue;
        if (!strncmp(f->member, "state.", 6)) {
            ck_assert_msg(f->ckpt && f->snapshot, "row '%s' is in gan_trainer.state but %s", f->name,
                          f->ckpt ? "not in the health snapshot" : "not checkpointed");
            in_state++;
            continue;
        }
        if (!f->ckpt) continue;
        int part = 0;
        for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) part |= !strcmp(f->member, parts[p]);
        ck_assert_msg(part || !f->snapshot, "row '%s' (%s) is checkpointed and snapshot: it belongs in "
                      "gan_trainer.state", f->name, f->member);
        records += !part;
    }
    ck_assert_int_eq(in_state, 8);
    ck_assert_int_eq(records, 3);
}
END_TEST

/* The member names declared in the body of `typedef struct NAME {` of
 * text, each as prefix + name; a member of type gan_trainer_X (a lifetime
 * group) is replaced by the members of that struct, prefixed "member.". */
static int struct_members(const char *text, const char *name, const char *prefix, char names[][64], int max)
{
    char open[128], close[128];
    snprintf(open, sizeof open, "typedef struct %s {", name);
    snprintf(close, sizeof close, "} %s;", name);
    const char *a = strstr(text, open), *b = a ? strstr(a, close) : NULL;
    ck_assert_msg(a && b, "include/gan/train.h: no typedef struct %s", name);
    a = strchr(a, '{') + 1;
    char *body = strndup(a, (size_t)(b - a));
    /* comments out */
    for (char *c = body; (c = strstr(c, "/*")) != NULL;) {
        char *e = strstr(c, "*/");
        ck_assert(e != NULL);
        memset(c, ' ', (size_t)(e + 2 - c));
    }
    int n = 0;
    char *save = NULL;
    for (char *decl = strtok_r(body, ";", &save); decl; decl = strtok_r(NULL, ";", &save)) {
        /* "type *x, *y" or "int a, b": each declarator's last identifier */
        char *p = decl;
        while (isspace((unsigned char)*p)) p++;
        if (!*p) continue;
        char type[64];
        int is_group = sscanf(p, "%63s", type) == 1 && !strncmp(type, "gan_trainer_", 12);
        char *comma, *start = p;
        do {
            comma = strchr(start, ',');
            char *end = comma ? comma : start + strlen(start);
            while (end > start && !(isalnum((unsigned char)end[-1]) || end[-1] == '_')) end--;
            char *id = end;
            while (id > start && (isalnum((unsigned char)id[-1]) || id[-1] == '_')) id--;
            ck_assert(n < max && end > id);
            char member[64];
            snprintf(member, sizeof member, "%s%.*s", prefix, (int)(end - id), id);
            if (is_group) {
                char sub[64];
                snprintf(sub, sizeof sub, "%s.", member);
                n += struct_members(text, type, sub, names + n, max - n);
            } else {
                snprintf(names[n++], 64, "%s", member);
            }
            start = comma ? comma + 1 : NULL;
        } while (start);
    }
    free(body);
    return n;
}

/* the member names declared in gan_trainer's body in include/gan/train.h */
static int header_members(char names[][64], int max)
{
    const char *top = getenv("top_srcdir");
    char path[1024];
    snprintf(path, sizeof path, "%s/include/gan/train.h", top && *top ? top : ".");
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    static char text[65536];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = 0;
    return struct_members(text, "gan_trainer", "", names, max);
}

START_TEST(every_declared_member_has_a_row)
{
    char names[128][64];
    int n = header_members(names, 128);
    ck_assert_int_ge(n, 40);
    for (int i = 0; i < n; i++) {
        int found = 0;
        for (int j = 0; j < trainer_state_n; j++) found |= !strcmp(trainer_state[j].member, names[i]);
        ck_assert_msg(found, "gan_trainer.%s is in no row of the state table (src/train/state.c): say whether "
                      "checkpoints and the health snapshot hold it", names[i]);
    }
    for (int j = 0; j < trainer_state_n; j++) {
        int found = trainer_state[j].kind == STATE_RESERVED;   /* a checkpoint's words, no member */
        for (int i = 0; i < n; i++) found |= !strcmp(trainer_state[j].member, names[i]);
        ck_assert_msg(found, "row '%s': gan_trainer has no member '%s'", trainer_state[j].name,
                      trainer_state[j].member);
        const state_field *f = &trainer_state[j];
        ck_assert_msg((f->kind == STATE_NONE) == (!f->ckpt && !f->snapshot && !f->at),
                      "row '%s': a row copies bytes exactly when it is checkpointed or snapshot", f->name);
    }
}
END_TEST

/* ---- the rows through a checkpoint and a rollback ---------------------- */

static void train(gan_trainer *t, int steps)
{
    gan_error err;
    for (int i = 0; i < steps; i++) ck_assert_msg(gan_trainer_step(t, &err) == GAN_OK, "%s", err.msg);
}

START_TEST(checkpointed_rows_come_back)
{
    gan_trainer *t = tiny(), *u;
    train(t, 7);
    char path[] = "/tmp/ganrun-check-state.XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    gan_error err;
    ck_assert_msg(gan_ckpt_save(t, path, &err) == GAN_OK, "%s", err.msg);
    ck_assert_msg(gan_ckpt_load(&u, path, 1, &err) == GAN_OK, "%s", err.msg);
    unlink(path);
    int checked = 0;
    for (int i = 0; i < trainer_state_n; i++) {
        const state_field *f = &trainer_state[i];
        if (!f->ckpt || !strcmp(f->ckpt, "DIST")) continue;   /* DIST: data-parallel runs only */
        if (f->kind == STATE_RESERVED) continue;   /* no member: checked by check_ckpt */
        size_t n = f->bytes(t);
        ck_assert_msg(n == f->bytes(u), "%s: %zu bytes saved, %zu loaded", f->name, n, f->bytes(u));
        if (f->at(t) == (void *)&t->gopt.c || f->at(t) == (void *)&t->dopt.c) {
            /* a struct: compare its fields, not its padding */
            const gan_optim_conf *a = f->at(t), *b = f->at(u);
            ck_assert(a->kind == b->kind && a->lr == b->lr && a->beta1 == b->beta1 && a->beta2 == b->beta2 &&
                      a->eps == b->eps && a->weight_decay == b->weight_decay && a->momentum == b->momentum);
        } else {
            ck_assert_msg(n == 0 || memcmp(f->at(t), f->at(u), n) == 0, "%s differs after save and load", f->name);
        }
        checked += n > 0;
    }
    ck_assert_int_ge(checked, 20);
    gan_trainer_free(t);
    gan_trainer_free(u);
}
END_TEST

START_TEST(snapshot_rows_come_back_on_rollback)
{
    gan_trainer *t = tiny();
    train(t, 3);
    gan_health h;
    gan_error err;
    ck_assert_msg(gan_health_init(&h, t, &err) == GAN_OK, "%s", err.msg);
    unsigned char *copy[128] = { 0 };
    for (int i = 0; i < trainer_state_n; i++)
        if (trainer_state[i].snapshot && trainer_state[i].bytes(t)) {
            copy[i] = malloc(trainer_state[i].bytes(t));
            memcpy(copy[i], trainer_state[i].at(t), trainer_state[i].bytes(t));
        }
    train(t, 4);   /* not a multiple of snapshot_every: no new snapshot */
    gan_health_event ev;
    gan_error_set(&err, GAN_ERR_NUMERIC, "injected");
    ck_assert_int_eq(gan_health_recover(&h, t, GAN_ERR_NUMERIC, &ev, &err), GAN_OK);
    ck_assert_int_eq(ev.to_step, 3);
    int checked = 0;
    for (int i = 0; i < trainer_state_n; i++) {
        if (!copy[i]) continue;
        ck_assert_msg(memcmp(copy[i], trainer_state[i].at(t), trainer_state[i].bytes(t)) == 0,
                      "%s not restored by the rollback", trainer_state[i].name);
        checked++;
        free(copy[i]);
    }
    ck_assert_int_ge(checked, 18);
    gan_health_free(&h);
    gan_trainer_free(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("state");
    TCase *tc = tcase_create("table");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, rows_tile_the_trainer);
    tcase_add_test(tc, every_declared_member_has_a_row);
    tcase_add_test(tc, state_group_is_what_checkpoints_hold);
    tcase_add_test(tc, checkpointed_rows_come_back);
    tcase_add_test(tc, snapshot_rows_come_back_on_rollback);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
