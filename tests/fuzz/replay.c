/* replay.c - tests/check_fuzz: run the fuzz harnesses (built with the
 * ordinary compiler, -DFUZZ_REPLAY) on every kept input in
 * tests/data/fuzz/TARGET/: inputs that once crashed, leaked or hung a
 * loader.  Each must now give a clean status; a broken contract aborts
 * (and sanitizer builds and valgrind catch what the harness cannot).
 *
 *   check_fuzz [FILE...]   with files: TARGET is the name of each file's
 *                          folder (for running one input by hand)
 */
#include "fuzz.h"
#include <dirent.h>
#include <string.h>

int fuzz_model(const uint8_t *data, size_t size);
int fuzz_ckpt(const uint8_t *data, size_t size);
int fuzz_idx(const uint8_t *data, size_t size);
int fuzz_cifar10(const uint8_t *data, size_t size);
int fuzz_pngdir(const uint8_t *data, size_t size);
int fuzz_csv(const uint8_t *data, size_t size);
int fuzz_images(const uint8_t *data, size_t size);
int fuzz_latents(const uint8_t *data, size_t size);
int fuzz_report(const uint8_t *data, size_t size);

static const struct {
    const char *name;
    int (*fn)(const uint8_t *, size_t);
} targets[] = {
    { "model", fuzz_model }, { "ckpt", fuzz_ckpt }, { "idx", fuzz_idx },
    { "cifar10", fuzz_cifar10 }, { "pngdir", fuzz_pngdir }, { "csv", fuzz_csv },
    { "images", fuzz_images }, { "latents", fuzz_latents }, { "report", fuzz_report },
};
enum { NTARGETS = sizeof targets / sizeof targets[0] };

/* run target t on the file at path; 0 when it could not be read */
static int replay(int t, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t cap = 1 << 16, n = 0, k;
    uint8_t *buf = malloc(cap);
    while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            uint8_t *b = realloc(buf, cap *= 2);
            if (!b) { free(buf); buf = NULL; }
            buf = b;
        }
    }
    fclose(f);
    if (!buf) return 0;
    printf("%s %s (%zu bytes)\n", targets[t].name, path, n);
    fflush(stdout);
    targets[t].fn(buf, n);
    free(buf);
    return 1;
}

static int target_of(const char *name)
{
    for (int t = 0; t < NTARGETS; t++)
        if (!strcmp(targets[t].name, name)) return t;
    return -1;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    int ran = 0, bad = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            char dir[1024];
            snprintf(dir, sizeof dir, "%s", argv[i]);
            char *slash = strrchr(dir, '/');
            if (slash) *slash = '\0';
            char *base = strrchr(dir, '/');
            int t = target_of(slash ? (base ? base + 1 : dir) : "");
            if (t < 0 || !replay(t, argv[i])) {
                fprintf(stderr, "check_fuzz: %s: expected a readable file in tests/data/fuzz/TARGET/\n", argv[i]);
                bad++;
            } else ran++;
        }
        return bad ? 1 : 0;
    }
    const char *top = getenv("top_srcdir");
    for (int t = 0; t < NTARGETS; t++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/tests/data/fuzz/%s", top && *top ? top : ".", targets[t].name);
        DIR *d = opendir(dir);
        if (!d) continue;
        char *names[4096];
        int n = 0;
        struct dirent *e;
        while ((e = readdir(d)) && n < 4096)
            if (e->d_name[0] != '.') names[n++] = strdup(e->d_name);
        closedir(d);
        qsort(names, (size_t)n, sizeof *names, cmp);
        for (int i = 0; i < n; i++) {
            char path[2100];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            if (replay(t, path)) ran++;
            else {
                fprintf(stderr, "check_fuzz: cannot read %s\n", path);
                bad++;
            }
            free(names[i]);
        }
    }
    printf("check_fuzz: %d kept inputs replayed cleanly\n", ran);
    if (ran == 0) {
        fprintf(stderr, "check_fuzz: no inputs found under tests/data/fuzz (top_srcdir=%s)\n", top ? top : "");
        return 1;
    }
    return bad ? 1 : 0;
}
