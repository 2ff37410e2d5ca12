/* check_docs.c - the manuals document what the code accepts.
 *
 * ganrun-model(5): every key of gan_model_each_key() ("train.batch",
 * "optimizer.adam.betas", "layer.conv2d.kernel", "layer.relu") has its last
 * dotted component as a .Cm argument inside the .Ss subsection that owns
 * it: "top level" for keys without a dot, "train.optimizer" for optimizer
 * keys, "layers" for layer types and their options, else the first
 * component ("data", "noise", "train", "output").
 *
 * ganrun(1): every subcommand that `ganrun --help` lists (its usage lines
 * "  ganrun NAME ...": the dispatch table itself, not a copy of it) is a
 * .Cm in SYNOPSIS and an `.It Cm NAME` in SUBCOMMANDS, and every
 * `.It Cm NAME` of SUBCOMMANDS is a real subcommand.
 *
 * The pages are read from $top_srcdir/man, ganrun from $top_builddir.
 */
#include "config.h"
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan/gan.h"

/* ---- .Cm words of an mdoc page, with the subsection they are in ---------- */
typedef struct cmword {
    char sh[48];      /* .Sh title, as written */
    char ss[48];      /* .Ss title, lower case; "" before the first */
    char word[64];
    int item;         /* the line is an .It line and this is its first .Cm */
} cmword;

typedef struct page {
    cmword *w;
    int n, cap;
} page;

/* "Pq", "No", "Ns", "It", ...: a macro name ends the arguments of .Cm */
static int is_macro(const char *t)
{
    size_t n = strlen(t);
    return (n == 2 || n == 3) && isupper((unsigned char)t[0]) && islower((unsigned char)t[1]) &&
           (n == 2 || islower((unsigned char)t[2]));
}

static void add_word(page *p, const char *sh, const char *ss, const char *tok, int item)
{
    char w[64];
    size_t k = 0;
    /* drop delimiters around the word: "," "(" "." ":" */
    while (*tok && strchr(",.;:()[]\"", *tok)) tok++;
    for (; *tok && k + 1 < sizeof w; tok++) w[k++] = *tok;
    while (k > 0 && strchr(",.;:()[]\"", w[k - 1])) k--;
    w[k] = 0;
    if (!k) return;
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 256;
        p->w = realloc(p->w, (size_t)p->cap * sizeof *p->w);
        ck_assert_ptr_nonnull(p->w);
    }
    cmword *c = &p->w[p->n++];
    snprintf(c->sh, sizeof c->sh, "%s", sh);
    snprintf(c->ss, sizeof c->ss, "%s", ss);
    snprintf(c->word, sizeof c->word, "%s", w);
    c->item = item;
}

/* Every .Cm argument of the mdoc text, with its .Sh and .Ss. */
static void parse_page(page *p, const char *text)
{
    char sh[48] = "", ss[48] = "", line[1024];
    memset(p, 0, sizeof *p);
    while (*text) {
        size_t n = strcspn(text, "\n");
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), text);
        text += n + (text[n] == '\n');
        if (line[0] != '.') continue;
        if (!strncmp(line, ".Sh ", 4)) {
            snprintf(sh, sizeof sh, "%s", line + 4);
            ss[0] = 0;
            continue;
        }
        if (!strncmp(line, ".Ss ", 4)) {
            size_t k = 0;
            for (const char *s = line + 4; *s && k + 1 < sizeof ss; s++) ss[k++] = (char)tolower((unsigned char)*s);
            ss[k] = 0;
            continue;
        }
        int in_cm = 0, first = !strncmp(line, ".It ", 4);
        char *save, *tok = strtok_r(line + 1, " \t", &save);
        for (int i = 0; tok; tok = strtok_r(NULL, " \t", &save), i++) {
            if (is_macro(tok)) {
                in_cm = strcmp(tok, "Cm") == 0;
                if (i > 1 && !in_cm) first = 0;   /* .It Cm a Pq ... : only a */
                continue;
            }
            if (in_cm) add_word(p, sh, ss, tok, first);
        }
    }
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *buf = NULL;
    size_t n = 0, cap = 0, got;
    do {
        if (cap - n < 4096) {
            cap = 2 * cap + 8192;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = 0;
    return buf;
}

static int has_word(const page *p, const char *sh, const char *ss, const char *word, int item)
{
    for (int i = 0; i < p->n; i++)
        if ((!sh || !strcmp(p->w[i].sh, sh)) && (!ss || !strcmp(p->w[i].ss, ss)) &&
            !strcmp(p->w[i].word, word) && (!item || p->w[i].item))
            return 1;
    return 0;
}

static const char *srcdir(void)
{
    const char *s = getenv("top_srcdir");
    return s && *s ? s : ".";
}

static void load_page(page *p, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/man/%s", srcdir(), name);
    char *text = slurp(path);
    parse_page(p, text);
    free(text);
}

/* ---- the parser itself --------------------------------------------------- */
START_TEST(test_parser_reads_cm_arguments)
{
    page p;
    parse_page(&p, ".Sh A\n.Ss Sec One\n.It Cm alpha , Cm beta Pq integer, Cm gamma\n"
                   "text Cm delta\n.Cm eps Ns : Ar zeta\n.Ss two\n.Pq see Cm eta No and Cm theta .\n");
    ck_assert(has_word(&p, "A", "sec one", "alpha", 1));
    ck_assert(has_word(&p, "A", "sec one", "beta", 1));
    ck_assert(!has_word(&p, NULL, NULL, "gamma", 1));   /* after Pq: not the item's name */
    ck_assert(has_word(&p, "A", "sec one", "gamma", 0));
    ck_assert(!has_word(&p, NULL, NULL, "delta", 0));   /* text lines have no macros */
    ck_assert(has_word(&p, NULL, "sec one", "eps", 0));
    ck_assert(!has_word(&p, NULL, NULL, "zeta", 0));
    ck_assert(!has_word(&p, NULL, NULL, "integer", 0));
    ck_assert(has_word(&p, NULL, "two", "eta", 0) && has_word(&p, NULL, "two", "theta", 0));
    ck_assert(!has_word(&p, NULL, "two", "and", 0));
    free(p.w);
}
END_TEST

/* ---- ganrun-model(5) ------------------------------------------------------ */

/* the .Ss that documents a key */
static void key_section(const char *key, char *ss, size_t n)
{
    const char *dot = strchr(key, '.');
    if (!dot) snprintf(ss, n, "top level");
    else if (!strncmp(key, "optimizer.", 10) || !strncmp(key, "train.optimizer.", 16))
        snprintf(ss, n, "train.optimizer");
    else if (!strncmp(key, "layer.", 6)) snprintf(ss, n, "layers");
    else snprintf(ss, n, "%.*s", (int)(dot - key), key);
}

typedef struct keycheck {
    page *p;
    char missing[4096];
    int nkeys, nlayers;
} keycheck;

static void check_key(const char *key, void *ctx)
{
    keycheck *k = ctx;
    char ss[64];
    key_section(key, ss, sizeof ss);
    const char *last = strrchr(key, '.');
    last = last ? last + 1 : key;
    k->nkeys++;
    if (!strncmp(key, "layer.", 6) && !strchr(key + 6, '.')) k->nlayers++;
    if (has_word(k->p, NULL, ss, last, 0)) return;
    size_t len = strlen(k->missing);
    snprintf(k->missing + len, sizeof k->missing - len, " %s (.Cm %s in .Ss %s)", key, last, ss);
}

START_TEST(test_every_model_key_is_documented)
{
    page p;
    load_page(&p, "ganrun-model.5");
    keycheck k = { &p, "", 0, 0 };
    gan_model_each_key(check_key, &k);
    printf("ganrun-model(5): %d keys, %d layer types checked\n", k.nkeys, k.nlayers);
    ck_assert_int_ge(k.nkeys, 40);
    ck_assert_int_ge(k.nlayers, 2);
    ck_assert_msg(k.missing[0] == 0, "undocumented in man/ganrun-model.5:%s", k.missing);
    free(p.w);
}
END_TEST

/* every layer type is an item (.It Cm TYPE) of the layers subsection */
static void check_layer_item(const char *key, void *ctx)
{
    keycheck *k = ctx;
    if (strncmp(key, "layer.", 6) != 0 || strchr(key + 6, '.')) return;
    k->nlayers++;
    if (has_word(k->p, NULL, "layers", key + 6, 1)) return;
    size_t len = strlen(k->missing);
    snprintf(k->missing + len, sizeof k->missing - len, " %s", key + 6);
}

START_TEST(test_every_layer_type_has_an_item)
{
    page p;
    load_page(&p, "ganrun-model.5");
    keycheck k = { &p, "", 0, 0 };
    gan_model_each_key(check_layer_item, &k);
    ck_assert_int_ge(k.nlayers, 2);
    ck_assert_msg(k.missing[0] == 0, "layer types without an .It Cm entry in man/ganrun-model.5:%s",
                  k.missing);
    free(p.w);
}
END_TEST

/* ---- ganrun(1) ------------------------------------------------------------ */
#define MAXSUBS 64

/* Subcommand names from the usage lines of `ganrun --help`. */
static int subcommands(char names[][32])
{
    const char *b = getenv("top_builddir");
    char cmd[1100], line[512];
    snprintf(cmd, sizeof cmd, "'%s/ganrun' --help", b && *b ? b : ".");
    FILE *f = popen(cmd, "r");
    ck_assert_msg(f != NULL, "cannot run %s", cmd);
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        char name[32];
        /* "  ganrun [train] MODEL.yaml ...", "  ganrun report RUN" */
        if (strncmp(line, "  ganrun ", 9) != 0 || sscanf(line + 9, "%31s", name) != 1) continue;
        char *s = name + (name[0] == '[');
        s[strcspn(s, "]")] = 0;
        if (s[0] == '-' || !islower((unsigned char)s[0]) || n == MAXSUBS) continue;
        snprintf(names[n++], 32, "%s", s);
    }
    int rc = pclose(f);
    ck_assert_msg(rc == 0, "%s failed (status %d)", cmd, rc);
    return n;
}

START_TEST(test_every_subcommand_is_in_the_synopsis)
{
    char names[MAXSUBS][32], missing[1024] = "";
    int n = subcommands(names);
    page p;
    load_page(&p, "ganrun.1");
    printf("ganrun(1): %d subcommands from ganrun --help\n", n);
    ck_assert_int_ge(n, 8);
    for (int i = 0; i < n; i++)
        if (!has_word(&p, "SYNOPSIS", NULL, names[i], 0))
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %s", names[i]);
    ck_assert_msg(!missing[0], "not in the SYNOPSIS of man/ganrun.1:%s", missing);
    free(p.w);
}
END_TEST

START_TEST(test_every_subcommand_is_described)
{
    char names[MAXSUBS][32], missing[1024] = "";
    int n = subcommands(names);
    page p;
    load_page(&p, "ganrun.1");
    ck_assert_int_ge(n, 8);
    for (int i = 0; i < n; i++)
        if (!has_word(&p, "SUBCOMMANDS", NULL, names[i], 1))
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %s", names[i]);
    ck_assert_msg(!missing[0], "no .It Cm entry in SUBCOMMANDS of man/ganrun.1:%s", missing);
    free(p.w);
}
END_TEST

START_TEST(test_every_described_subcommand_exists)
{
    char names[MAXSUBS][32], extra[1024] = "";
    int n = subcommands(names);
    page p;
    load_page(&p, "ganrun.1");
    for (int i = 0; i < p.n; i++) {
        if (strcmp(p.w[i].sh, "SUBCOMMANDS") || !p.w[i].item) continue;
        int found = 0;
        for (int j = 0; j < n; j++) found |= !strcmp(names[j], p.w[i].word);
        if (!found) snprintf(extra + strlen(extra), sizeof extra - strlen(extra), " %s", p.w[i].word);
    }
    ck_assert_msg(!extra[0], "man/ganrun.1 describes subcommands ganrun --help lacks:%s", extra);
    free(p.w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("docs");
    TCase *tc = tcase_create("docs");
    tcase_add_test(tc, test_parser_reads_cm_arguments);
    tcase_add_test(tc, test_every_model_key_is_documented);
    tcase_add_test(tc, test_every_layer_type_has_an_item);
    tcase_add_test(tc, test_every_subcommand_is_in_the_synopsis);
    tcase_add_test(tc, test_every_subcommand_is_described);
    tcase_add_test(tc, test_every_described_subcommand_exists);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
