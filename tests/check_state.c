/* check_state.c - the trainer's state table (src/train/state.h): every
 * member of gan_trainer has a row (by the names in include/gan/train.h and
 * by the offsets, which must tile the struct), every checkpointed row comes
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

typedef struct span { size_t offset, size; const char *member; } span;

static int by_offset(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* The members' byte ranges of rows[0..n), sorted, must tile a struct of
 * `size` bytes but for alignment padding (less than 8 bytes, and less than
 * the next member's size).  Returns the first byte no row covers, or -1. */
static long first_uncovered(const state_field *rows, int n, size_t size)
{
    span *s = calloc((size_t)n, sizeof *s);
    int k = 0;
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int j = 0; j < k; j++) seen |= !strcmp(s[j].member, rows[i].member);
        if (!seen) s[k++] = (span){ rows[i].offset, rows[i].size, rows[i].member };
    }
    qsort(s, (size_t)k, sizeof *s, by_offset);
    size_t at = 0;
    long bad = -1;
    for (int j = 0; j < k && bad < 0; j++) {
        size_t gap = s[j].offset - at;
        if (s[j].offset < at || gap >= 8 || (gap && gap >= s[j].size)) bad = (long)at;
        at = s[j].offset + s[j].size;
    }
    if (bad < 0 && size - at >= 8) bad = (long)at;
    free(s);
    return bad;
}

START_TEST(rows_tile_the_trainer)
{
    long bad = first_uncovered(trainer_state, trainer_state_n, sizeof(gan_trainer));
    ck_assert_msg(bad < 0, "byte %ld of gan_trainer is in no row of the state table (src/train/state.c)", bad);
    /* and the check can fail: each member's rows left out leave a hole */
    for (int i = 0; i < trainer_state_n; i++) {
        if (trainer_state[i].kind == STATE_RESERVED) continue;   /* covers no byte */
        state_field rows[128];
        int n = 0;
        for (int j = 0; j < trainer_state_n; j++)
            if (strcmp(trainer_state[j].member, trainer_state[i].member)) rows[n++] = trainer_state[j];
        ck_assert_msg(first_uncovered(rows, n, sizeof(gan_trainer)) >= 0, "without '%s' no hole is found",
                      trainer_state[i].member);
    }
}
END_TEST

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
    char *a = strstr(text, "typedef struct gan_trainer {"), *b = a ? strstr(a, "} gan_trainer;") : NULL;
    ck_assert(a && b);
    a = strchr(a, '{') + 1;
    *b = 0;
    /* comments out */
    for (char *c = a; (c = strstr(c, "/*")) != NULL;) {
        char *e = strstr(c, "*/");
        ck_assert(e != NULL);
        memset(c, ' ', (size_t)(e + 2 - c));
    }
    int n = 0;
    for (char *decl = strtok(a, ";"); decl; decl = strtok(NULL, ";")) {
        /* "type *x, *y" or "int a, b": each declarator's last identifier */
        char *p = decl;
        while (isspace((unsigned char)*p)) p++;
        if (!*p) continue;
        char *comma, *start = p;
        do {
            comma = strchr(start, ',');
            char *end = comma ? comma : start + strlen(start);
            while (end > start && !(isalnum((unsigned char)end[-1]) || end[-1] == '_')) end--;
            char *id = end;
            while (id > start && (isalnum((unsigned char)id[-1]) || id[-1] == '_')) id--;
            ck_assert(n < max && end > id);
            snprintf(names[n++], 64, "%.*s", (int)(end - id), id);
            start = comma ? comma + 1 : NULL;
        } while (start);
    }
    return n;
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
    tcase_add_test(tc, checkpointed_rows_come_back);
    tcase_add_test(tc, snapshot_rows_come_back_on_rollback);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
