/* images.c - `format: images`: a folder of PNG and JPEG files of any size.
 *
 * Files: every *.png, *.jpg, *.jpeg (any case) under data.path, found
 * recursively, folder by folder in strcmp order of the names; names
 * starting with '.' and files of other types are ignored.  With
 * `labels: folders` each immediate subfolder is a class (sorted names, class
 * 0 first) and every image must lie inside one.  Each image is decoded,
 * converted to data.channels and resized to (height, width) as imgdecode.c
 * describes; crop: center cuts the middle, crop: random an offset drawn
 * once per file from the model's seed and the file's index.
 *
 * Decoding runs on the worker pool (gan/par.h), a range of files per task,
 * each task decoding straight into the (n, C, H, W) byte tensor: peak
 * memory is that tensor plus one decoded image per thread.
 *
 * The decoded cache: the tensor, labels and class names are written to
 * CACHE/images-FINGERPRINT.u8, where CACHE is $GANRUN_CACHE_DIR, else
 * $XDG_CACHE_HOME/ganrun, else $HOME/.cache/ganrun, and the fingerprint
 * hashes (FNV-1a, 64 bits) the relative path, size, mtime and label of
 * every file with the resize settings.  Listing and stat-ing the folder is
 * enough to find it again, so a changed folder misses the old cache.  The
 * cache is a convenience: failing to write it is not an error.
 *
 * Cache file (host byte order, read only by the same build):
 *   "GANIMG02", u64 fingerprint, i64 n, i32 C, H, W, nclasses,
 *   i64 skipped, char[600] skip note, nclasses x (u32 length, bytes),
 *   n x i32 labels when nclasses > 0, n*C*H*W pixel bytes, u32 CRC-32
 *   (zlib's) of every byte before it; nothing after.
 * It is read, not mapped (a file truncated under a mapping would SIGBUS
 * the run), from a regular file only (no link, no FIFO), its size checked
 * against the header before anything is allocated, and used only when the
 * CRC matches: a damaged cache is decoded again, with a note in
 * d->cache_note for the caller to print.
 */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "gan/par.h"
#include <zlib.h>
#include "io/io.h"

typedef struct entry {
    char *path;          /* data.path/rel */
    long long size, mtime_ns;
    int label;
} entry;

typedef struct flist {
    entry *e;
    long n, cap;
    char **classes;
    int nclasses;
} flist;

static int is_image_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot) return 0;
    return !strcasecmp(dot, ".png") || !strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg");
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void flist_free(flist *f)
{
    for (long i = 0; i < f->n; i++) free(f->e[i].path);
    free(f->e);
    for (int i = 0; i < f->nclasses; i++) free(f->classes[i]);
    free(f->classes);
    memset(f, 0, sizeof *f);
}

/* Sorted names in dir (no '.' entries); NULL-terminated. */
static gan_status sorted_names(const char *dir, char ***out, long *n, gan_error *err)
{
    DIR *dp = opendir(dir);
    *out = NULL;
    *n = 0;
    if (!dp) return io_open_error(err, dir);
    long len = 0, cap = 16;
    char **v = malloc((size_t)cap * sizeof *v);
    struct dirent *e;
    gan_status st = v ? GAN_OK : gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    while (st == GAN_OK && (e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (len + 1 >= cap) {
            char **nv = realloc(v, (size_t)(cap *= 2) * sizeof *v);
            if (!nv) { st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory listing %s", dir); break; }
            v = nv;
        }
        if (!(v[len] = strdup(e->d_name))) st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
        else len++;
    }
    closedir(dp);
    if (st != GAN_OK) {
        for (long i = 0; i < len; i++) free(v[i]);
        free(v);
        return st;
    }
    qsort(v, (size_t)len, sizeof *v, by_str);
    v[len] = NULL;
    *out = v;
    *n = len;
    return GAN_OK;
}

static void free_names(char **v, long n)
{
    for (long i = 0; i < n; i++) free(v[i]);
    free(v);
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s/%s", a, b);
    return s;
}

/* Images under dir (recursively) into f with this label. */
static gan_status walk(flist *f, const char *dir, int label, int depth, gan_error *err)
{
    if (depth > 32) return gan_error_at(err, GAN_ERR_INVALID, dir, 0, 0, "folders nested more than 32 deep");
    char **names;
    long n;
    gan_status st = sorted_names(dir, &names, &n, err);
    /* stat by name within the folder: no walk down the whole path each time */
    int fd = st == GAN_OK ? open(dir, O_RDONLY | O_DIRECTORY) : -1;
    if (st == GAN_OK && fd < 0) st = io_open_error(err, dir);
    for (long i = 0; i < n && st == GAN_OK; i++) {
        char *p = join(dir, names[i]);
        struct stat sb;
        if (!p) { st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory"); break; }
        if (fstatat(fd, names[i], &sb, 0) != 0) {
            st = io_open_error(err, p);
        } else if (S_ISDIR(sb.st_mode)) {
            st = walk(f, p, label, depth + 1, err);
        } else if (S_ISREG(sb.st_mode) && is_image_name(names[i])) {
            if (f->n >= IO_MAX_SAMPLES) {
                st = gan_error_at(err, GAN_ERR_INVALID, dir, 0, 0, "more than %ld images", IO_MAX_SAMPLES);
            } else if (f->n == f->cap) {
                long cap = f->cap ? 2 * f->cap : 256;
                entry *ne = realloc(f->e, (size_t)cap * sizeof *ne);
                if (!ne) st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory listing %s", dir);
                else f->e = ne, f->cap = cap;
            }
            if (st == GAN_OK) {
                f->e[f->n++] = (entry){ p, (long long)sb.st_size,
                                        (long long)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec, label };
                p = NULL;
            }
        }
        free(p);
    }
    if (fd >= 0) close(fd);
    free_names(names, n);
    return st;
}

static gan_status list_images(flist *f, const gan_data_spec *spec, gan_error *err)
{
    memset(f, 0, sizeof *f);
    const char *root = spec->path;
    struct stat sb;
    if (stat(root, &sb) != 0) return io_open_error(err, root);
    if (!S_ISDIR(sb.st_mode)) return gan_error_at(err, GAN_ERR_IO, root, 0, 0, "not a folder (format: images)");
    gan_status st = GAN_OK;
    if (!strcmp(spec->labels, "folders")) {
        char **names;
        long n;
        if ((st = sorted_names(root, &names, &n, err)) != GAN_OK) return st;
        for (long i = 0; i < n && st == GAN_OK; i++) {
            char *p = join(root, names[i]);
            if (!p) { st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory"); break; }
            if (stat(p, &sb) != 0) {
                st = io_open_error(err, p);
            } else if (S_ISDIR(sb.st_mode)) {
                char **nc = realloc(f->classes, (size_t)(f->nclasses + 1) * sizeof *nc);
                if (!nc) { st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory"); free(p); break; }
                f->classes = nc;
                f->classes[f->nclasses] = strdup(names[i]);
                long before = f->n;
                st = walk(f, p, f->nclasses++, 1, err);
                if (st == GAN_OK && f->n == before)
                    st = gan_error_at(err, GAN_ERR_IO, p, 0, 0, "class folder has no PNG or JPEG images");
            } else if (is_image_name(names[i])) {
                st = gan_error_at(err, GAN_ERR_INVALID, p, 0, 0,
                                  "image outside a class folder (labels: folders takes classes from subfolders)");
            }
            free(p);
        }
        free_names(names, n);
        if (st == GAN_OK && f->nclasses == 0)
            st = gan_error_at(err, GAN_ERR_IO, root, 0, 0, "no class folders (labels: folders)");
    } else {
        st = walk(f, root, -1, 0, err);
        if (st == GAN_OK && f->n == 0)
            st = gan_error_at(err, GAN_ERR_IO, root, 0, 0, "no PNG or JPEG images in this folder (searched recursively)");
    }
    if (st != GAN_OK) flist_free(f);
    return st;
}

/* ---- fingerprint -------------------------------------------------------- */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

static uint64_t fingerprint(const flist *f, long n, const gan_data_spec *spec, uint64_t seed)
{
    uint64_t h = fnv(0xcbf29ce484222325ULL, "ganrun-images-1", 15);
    int32_t k[8] = { spec->channels, spec->height, spec->width, spec->crop, spec->background,
                     spec->on_bad_file, f->nclasses, 0 };
    h = fnv(h, k, sizeof k);
    if (spec->crop == GAN_CROP_RANDOM) h = fnv(h, &seed, sizeof seed);
    size_t root = strlen(spec->path);
    for (long i = 0; i < n; i++) {
        const entry *e = &f->e[i];
        const char *rel = e->path + root;
        h = fnv(h, rel, strlen(rel) + 1);
        long long v[3] = { e->size, e->mtime_ns, e->label };
        h = fnv(h, v, sizeof v);
    }
    for (int i = 0; i < f->nclasses; i++) h = fnv(h, f->classes[i], strlen(f->classes[i]) + 1);
    return h;
}

/* ---- cache -------------------------------------------------------------- */
static int cache_dir(char *buf, size_t n)
{
    const char *e = getenv("GANRUN_CACHE_DIR");
    if (e && *e) return snprintf(buf, n, "%s", e) < (int)n;
    if ((e = getenv("XDG_CACHE_HOME")) && *e) return snprintf(buf, n, "%s/ganrun", e) < (int)n;
    if ((e = getenv("HOME")) && *e) return snprintf(buf, n, "%s/.cache/ganrun", e) < (int)n;
    return 0;
}

static int cache_path(char *buf, size_t n, uint64_t fp)
{
    char dir[900];
    if (!cache_dir(dir, sizeof dir)) return 0;
    return snprintf(buf, n, "%s/images-%016llx.u8", dir, (unsigned long long)fp) < (int)n;
}

static const char cache_magic[8] = { 'G', 'A', 'N', 'I', 'M', 'G', '0', '2' };

typedef struct cache_head {
    char magic[8];
    uint64_t fp;
    int64_t n;
    int32_t C, H, W, nclasses;
    int64_t skipped;
    char note[600];
} cache_head;

/* fread n bytes into p, folding them into *crc; 1 when all were read */
static int read_crc(FILE *f, void *p, size_t n, uint32_t *crc)
{
    if (fread(p, 1, n, f) != n) return 0;
    *crc = (uint32_t)crc32_z(*crc, p, n);
    return 1;
}

/* 1 and d filled when a valid cache for fp exists, else 0 (d untouched
 * except for what the caller frees); a cache that exists but is damaged
 * says why in d->cache_note. */
static int cache_read(gan_dataset *d, uint64_t fp, const gan_data_spec *spec)
{
    char path[1024];
    if (!cache_path(path, sizeof path, fp)) return 0;
    gan_error e;
    int fd = io_open_regular(path, O_RDONLY, &e);
    if (fd < 0) {
        if (errno != ENOENT)
            snprintf(d->cache_note, sizeof d->cache_note, "%.300s: %.300s (not used)", path, e.msg);
        return 0;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        return 0;
    }
    cache_head h;
    const char *why = "cut short or not a cache of this build";
    int ok = 0;
    uint32_t crc = (uint32_t)crc32_z(0L, Z_NULL, 0);
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !read_crc(f, &h, sizeof h, &crc) || memcmp(h.magic, cache_magic, 8) ||
        h.fp != fp || h.n < 1 || h.n > IO_MAX_SAMPLES || h.C != spec->channels || h.H != spec->height ||
        h.W != spec->width || h.nclasses < 0 || h.nclasses > 65536)
        goto out;
    size_t S = (size_t)h.C * h.H * h.W;
    if ((size_t)h.n > IO_MAX_FLOATS / S) goto out;
    /* the bytes the header promises, before allocating them: names at
     * most 4096 bytes each */
    uint64_t fixed = sizeof h + (uint64_t)h.n * S + 4 + (h.nclasses ? (uint64_t)h.n * sizeof *d->labels : 0);
    if ((uint64_t)sb.st_size < fixed + 4ull * (uint64_t)h.nclasses ||
        (uint64_t)sb.st_size > fixed + 4100ull * (uint64_t)h.nclasses)
        goto out;
    if (h.nclasses > 0) {
        if (!(d->class_names = calloc((size_t)h.nclasses, sizeof *d->class_names))) goto out;
        d->nclasses = h.nclasses;
        for (int i = 0; i < h.nclasses; i++) {
            uint32_t len;
            if (!read_crc(f, &len, 4, &crc) || len > 4096 || !(d->class_names[i] = calloc(1, len + 1)) ||
                !read_crc(f, d->class_names[i], len, &crc))
                goto out;
        }
        if (!(d->labels = malloc((size_t)h.n * sizeof *d->labels)) ||
            !read_crc(f, d->labels, (size_t)h.n * sizeof *d->labels, &crc))
            goto out;
    }
    long off = ftell(f);
    if (off < 0 || (uint64_t)sb.st_size != (uint64_t)off + (uint64_t)h.n * S + 4) goto out;
    if (!(d->u8 = malloc((size_t)h.n * S))) goto out;
    uint8_t tail[4];
    if (!read_crc(f, d->u8, (size_t)h.n * S, &crc) || fread(tail, 1, 4, f) != 4) goto out;
    if (((uint32_t)tail[0] | (uint32_t)tail[1] << 8 | (uint32_t)tail[2] << 16 | (uint32_t)tail[3] << 24) != crc) {
        why = "its checksum does not match (damaged)";
        goto out;
    }
    for (long i = 0; h.nclasses && i < h.n; i++)
        if (d->labels[i] < 0 || d->labels[i] >= h.nclasses) goto out;
    d->n = h.n;
    d->shape = (gan_shape){ 3, { h.C, h.H, h.W } };
    d->skipped = h.skipped;
    h.note[sizeof h.note - 1] = 0;
    snprintf(d->skip_note, sizeof d->skip_note, "%s", h.note);
    ok = 1;
out:
    fclose(f);
    if (!ok) snprintf(d->cache_note, sizeof d->cache_note, "%.300s: %s: decoding the images again", path, why);
    return ok;
}

static void mkdirs(const char *path)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(buf, 0755);
            *p = '/';
        }
    mkdir(buf, 0755);
}

static void cache_write(const gan_dataset *d, uint64_t fp)
{
    char path[1024], dir[900];
    if (!cache_path(path, sizeof path, fp) || !cache_dir(dir, sizeof dir)) return;
    mkdirs(dir);
    io_out o;
    gan_error e;
    if (io_out_open(&o, path, &e) != GAN_OK) return;
    cache_head h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, cache_magic, 8);
    h.fp = fp, h.n = d->n, h.C = d->shape.d[0], h.H = d->shape.d[1], h.W = d->shape.d[2];
    h.nclasses = d->class_names ? d->nclasses : 0;
    h.skipped = d->skipped;
    snprintf(h.note, sizeof h.note, "%s", d->skip_note);
    uint32_t crc = (uint32_t)crc32_z(0L, Z_NULL, 0);
#define PUT(p, n) (crc = (uint32_t)crc32_z(crc, (const Bytef *)(p), (n)), io_out_write(&o, (p), (n)))
    PUT(&h, sizeof h);
    for (int i = 0; i < h.nclasses; i++) {
        uint32_t len = (uint32_t)strlen(d->class_names[i]);
        PUT(&len, 4);
        PUT(d->class_names[i], len);
    }
    if (h.nclasses) PUT(d->labels, (size_t)d->n * sizeof *d->labels);
    PUT(d->u8, (size_t)d->n * gan_shape_size(d->shape));
#undef PUT
    uint8_t tail[4] = { (uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16), (uint8_t)(crc >> 24) };
    io_out_write(&o, tail, 4);
    (void)io_out_commit(&o, &e);
}

/* ---- decoding on the worker pool ---------------------------------------- */
typedef struct job {
    const flist *f;
    const gan_data_spec *spec;
    uint64_t seed;
    long n;
    int ntasks;
    uint8_t *out;            // (n, C, H, W)
    uint8_t *bad;            // (n) 1 where a file failed, 2 where it was enlarged
    gan_error *errs;         // (ntasks) first failure of each task
    long *err_at;            // (ntasks) its file index, -1 none
    int stop;                // on_bad_file: error, a failure seen
} job;

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static gan_status decode_one(const job *j, long i, gan_error *err)
{
    const gan_data_spec *s = j->spec;
    int C = s->channels, H = s->height, W = s->width;
    io_image im;
    gan_status st = io_image_read(j->f->e[i].path, &im, err);
    if (st == GAN_OK) st = io_image_channels(&im, C, s->background, err);
    if (st == GAN_OK) {
        int rw, rh, x0, y0;
        io_resize_size(im.w, im.h, W, H, &rw, &rh);
        if (rw > im.w) j->bad[i] = 2;   /* smaller than the target: enlarged */
        if (s->crop == GAN_CROP_RANDOM) {
            uint64_t r = mix(j->seed ^ mix((uint64_t)i));
            x0 = (int)(r % (uint64_t)(rw - W + 1));
            y0 = (int)((r >> 32) % (uint64_t)(rh - H + 1));
        } else {
            x0 = (rw - W) / 2;
            y0 = (rh - H) / 2;
        }
        st = io_resize_crop(&im, W, H, x0, y0, j->out + (size_t)i * C * H * W, err);
    }
    free(im.px);
    return st;
}

static void decode_task(void *arg, int task)
{
    job *j = arg;
    long lo = j->n * task / j->ntasks, hi = j->n * (task + 1) / j->ntasks;
    for (long i = lo; i < hi; i++) {
        if (j->spec->on_bad_file == GAN_BAD_ERROR && __atomic_load_n(&j->stop, __ATOMIC_RELAXED)) return;
        gan_error e = { 0 };
        if (decode_one(j, i, &e) != GAN_OK) {
            j->bad[i] = 1;
            if (j->err_at[task] < 0) j->err_at[task] = i, j->errs[task] = e;
            if (j->spec->on_bad_file == GAN_BAD_ERROR) {
                __atomic_store_n(&j->stop, 1, __ATOMIC_RELAXED);
                return;
            }
        }
    }
}

static gan_status decode_all(gan_dataset *d, const flist *f, long n, const gan_data_spec *spec, uint64_t seed,
                             gan_error *err)
{
    size_t S = (size_t)spec->channels * spec->height * spec->width;
    if ((size_t)n > IO_MAX_FLOATS / S)
        return gan_error_at(err, GAN_ERR_INVALID, spec->path, 0, 0, "%ld images of %zu values is more than 2 GiB",
                            n, S);
    int ntasks = gan_par_threads() * 4;
    if (ntasks > n) ntasks = (int)n;
    job j = { f, spec, seed, n, ntasks, malloc((size_t)n * S), calloc((size_t)n, 1),
              calloc((size_t)ntasks, sizeof(gan_error)), malloc((size_t)ntasks * sizeof(long)), 0 };
    gan_status st = GAN_OK;
    if (!j.out || !j.bad || !j.errs || !j.err_at) {
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory for %ld images of %zu bytes", n, S);
        goto out;
    }
    for (int t = 0; t < ntasks; t++) j.err_at[t] = -1;
    gan_par_for(ntasks, decode_task, &j);
    int first = -1;
    for (int t = 0; t < ntasks; t++)
        if (j.err_at[t] >= 0 && (first < 0 || j.err_at[t] < j.err_at[first])) first = t;
    if (first >= 0 && spec->on_bad_file == GAN_BAD_ERROR) {
        if (err) *err = j.errs[first];
        st = j.errs[first].code ? j.errs[first].code : GAN_ERR_FORMAT;
        goto out;
    }
    if (f->nclasses && !(d->labels = malloc((size_t)n * sizeof *d->labels))) {
        st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
        goto out;
    }
    long k = 0, first_small = -1, nsmall = 0;
    for (long i = 0; i < n; i++) {
        if (j.bad[i] == 2 && nsmall++ == 0) first_small = i;
        if (j.bad[i] == 1) continue;
        if (k != i) memcpy(j.out + (size_t)k * S, j.out + (size_t)i * S, S);
        if (d->labels) d->labels[k] = f->e[i].label;
        k++;
    }
    d->skipped = n - k;
    if (first >= 0) {
        const gan_error *e = &j.errs[first];
        snprintf(d->skip_note, sizeof d->skip_note, "%s%s%s", e->file, e->file[0] ? ": " : "", e->msg);
    }
    if (k == 0) {
        if (n == 1)
            st = gan_error_at(err, GAN_ERR_FORMAT, spec->path, 0, 0, "the only image is bad: %s", d->skip_note);
        else
            st = gan_error_at(err, GAN_ERR_FORMAT, spec->path, 0, 0, "all %ld images are bad (first: %s)", n,
                              d->skip_note);
        goto out;
    }
    if (nsmall == k) {   /* every image enlarged: the folder or the size is likely a mistake */
        st = gan_error_at(err, GAN_ERR_FORMAT, spec->path, 0, 0,
                          "%s smaller than the %dx%d (width x height) target and would be enlarged (first: "
                          "%s); use larger images or set data.width and data.height to at most their size",
                          k == 1 ? "the only image is" : "every image is", spec->width, spec->height,
                          f->e[first_small].path);
        goto out;
    }
    d->u8 = k < n ? realloc(j.out, (size_t)k * S) : j.out;
    if (!d->u8) d->u8 = j.out;
    j.out = NULL;
    d->n = k;
    d->shape = (gan_shape){ 3, { spec->channels, spec->height, spec->width } };
out:
    free(j.out);
    free(j.bad);
    free(j.errs);
    free(j.err_at);
    return st;
}

static gan_status check_size(const gan_data_spec *spec, gan_error *err)
{
    if (spec->height < 1 || spec->width < 1 || (spec->channels != 1 && spec->channels != 3))
        return gan_error_at(err, GAN_ERR_INVALID, spec->path, 0, 0,
                            "images need data.height, data.width and data.channels (1 or 3); a trainer takes "
                            "them from the generator's output");
    return GAN_OK;
}

gan_status io_images_load(gan_dataset *d, const gan_data_spec *spec, uint64_t seed, gan_error *err)
{
    gan_status st = check_size(spec, err);
    if (st != GAN_OK) return st;
    flist f;
    if ((st = list_images(&f, spec, err)) != GAN_OK) return st;
    if (spec->classes > 0 && f.nclasses > 0 && f.nclasses != spec->classes) {
        char names[300] = "";
        for (int i = 0; i < f.nclasses && strlen(names) < 250; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", f.classes[i]);
        st = gan_error_at(err, GAN_ERR_INVALID, spec->path, 0, 0,
                          "data.classes is %d but the folder has %d class folders (%s)", spec->classes,
                          f.nclasses, names);
        flist_free(&f);
        return st;
    }
    long n = f.n;
    if (spec->limit > 0 && spec->limit < n) n = spec->limit;
    uint64_t fp = fingerprint(&f, n, spec, seed);
    d->fingerprint = fp;
    if (spec->cache && cache_read(d, fp, spec)) {
        d->from_cache = 1;
    } else {
        io_free_u8(d);
        free(d->labels), d->labels = NULL;
        if (d->class_names)
            for (int i = 0; i < d->nclasses; i++) free(d->class_names[i]);
        free(d->class_names), d->class_names = NULL;
        d->nclasses = 0;
        st = decode_all(d, &f, n, spec, seed, err);
        if (st == GAN_OK && f.nclasses) {
            d->class_names = f.classes, d->nclasses = f.nclasses;
            f.classes = NULL, f.nclasses = 0;
        }
        if (st == GAN_OK && spec->cache) cache_write(d, fp);
    }
    flist_free(&f);
    return st;
}

gan_status io_images_shape(const gan_data_spec *spec, gan_shape *shape, gan_error *err)
{
    gan_status st = check_size(spec, err);
    if (st == GAN_OK) *shape = (gan_shape){ 3, { spec->channels, spec->height, spec->width } };
    return st;
}

gan_status gan_data_class_names(const gan_data_spec *spec, char ***names, int *n, gan_error *err)
{
    *names = NULL;
    *n = 0;
    if (spec->format != GAN_DATA_IMAGES || strcmp(spec->labels, "folders")) return GAN_OK;
    char **v;
    long len;
    gan_status st = sorted_names(spec->path, &v, &len, err);
    if (st != GAN_OK) return st;
    int k = 0;
    for (long i = 0; i < len; i++) {
        char *p = join(spec->path, v[i]);
        struct stat sb;
        int dir = p && stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
        free(p);
        if (dir) v[k++] = v[i];
        else free(v[i]);
    }
    v[k] = NULL;
    *names = v;
    *n = k;
    return GAN_OK;
}

void gan_data_free_names(char **names)
{
    if (!names) return;
    for (char **p = names; *p; p++) free(*p);
    free(names);
}
