/* outpath.c - the output-path guard (gan_output_check, gan/data.h): a
 * path a user gives to -o is refused when writing there would replace one
 * of a run directory's own files, an existing file of another kind than
 * the one being written, or go through a symbolic link.
 *
 * The kinds are told by their first bytes, as file(1) does: PNG and .npy
 * by their signatures, checkpoints by "GANRUNCK", IDX by its zero bytes,
 * type code and rank, ONNX by the protobuf field ModelProto starts with
 * (ir_version, a varint, then a length-delimited field), HTML by
 * "<!DOCTYPE html" or "<html", sample CSV by holding only numbers,
 * commas and white space.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "io/io.h"

/* what a run directory holds of its own (man/ganrun.1, FILES) */
const char *const io_run_names[] = { "model.yaml", "log.csv", "events.csv", "latest.ckpt", ".lock",
                                     "ckpt", "samples", "superseded", NULL };

static const char *const kind_name[] = {
    [GAN_OUT_PNG] = "a PNG image",        [GAN_OUT_CSV] = "a CSV file of numbers",
    [GAN_OUT_IDX] = "an IDX file",        [GAN_OUT_NPY] = "a NumPy .npy file",
    [GAN_OUT_ONNX] = "an ONNX model",     [GAN_OUT_HTML] = "an HTML page",
    [GAN_OUT_CKPT] = "a ganrun checkpoint",
};
#define NKINDS ((int)(sizeof kind_name / sizeof kind_name[0]))

/* The kind of a file that starts with b (n bytes, n > 0), or -1. */
static int kind_of(const unsigned char *b, size_t n)
{
    if (n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8)) return GAN_OUT_PNG;
    if (n >= 8 && !memcmp(b, "GANRUNCK", 8)) return GAN_OUT_CKPT;
    if (n >= 6 && !memcmp(b, "\x93NUMPY", 6)) return GAN_OUT_NPY;
    if (n >= 4 && b[0] == 0 && b[1] == 0 && strchr("\x08\x09\x0b\x0c\x0d\x0e", b[2]) && b[2] &&
        b[3] >= 1 && b[3] <= 4)
        return GAN_OUT_IDX;
    if (b[0] == 0x08) {   /* field 1 (ir_version), a varint */
        size_t i = 1;
        while (i < n && i < 11 && (b[i] & 0x80)) i++;
        if (i + 1 < n && (b[i + 1] & 7) == 2) return GAN_OUT_ONNX;
    }
    size_t i = 0;
    while (i < n && strchr(" \t\r\n", b[i]) && b[i]) i++;
    if ((n - i >= 14 && !strncasecmp((const char *)b + i, "<!doctype html", 14)) ||
        (n - i >= 5 && !strncasecmp((const char *)b + i, "<html", 5)))
        return GAN_OUT_HTML;
    for (i = 0; i < n; i++)
        if (!b[i] || !strchr("0123456789+-.,eE \t\r\nnaifNAIFtyTY", b[i])) return -1;
    return GAN_OUT_CSV;
}

/* 1 when dir is a run directory: it holds latest.ckpt, a ckpt folder, a
 * .lock, or both model.yaml and log.csv (a folder that merely holds a
 * samples/ folder or a model file is not one) */
static int is_run_dir(const char *dir)
{
    char p[PATH_MAX + 32];
    struct stat st;
    snprintf(p, sizeof p, "%s/latest.ckpt", dir);
    if (lstat(p, &st) == 0) return 1;
    snprintf(p, sizeof p, "%s/.lock", dir);
    if (lstat(p, &st) == 0) return 1;
    snprintf(p, sizeof p, "%s/ckpt", dir);
    if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) return 1;
    snprintf(p, sizeof p, "%s/model.yaml", dir);
    int model = lstat(p, &st) == 0;
    snprintf(p, sizeof p, "%s/log.csv", dir);
    return model && lstat(p, &st) == 0;
}

static int is_run_name(const char *name)
{
    for (const char *const *r = io_run_names; *r; r++)
        if (!strcmp(name, *r)) return 1;
    return 0;
}

/* The run directory path belongs to (its folder, or up to three folders
 * above it through ckpt/, samples/ and superseded/) into run; 0 if none. */
static int run_of(const char *path, char *run, size_t n)
{
    char buf[PATH_MAX], real[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    char *slash = strrchr(buf, '/');
    const char *name = slash ? slash + 1 : buf;
    if (slash == buf) snprintf(real, sizeof real, "/");
    else {
        if (slash) *slash = 0;
        if (!realpath(slash ? buf : ".", real)) return 0;   /* no such folder: the write fails anyway */
    }
    char comp[NAME_MAX + 1];
    snprintf(comp, sizeof comp, "%s", name);
    for (int level = 0; level < 4; level++) {
        if (is_run_name(comp) && is_run_dir(real)) {
            snprintf(run, n, "%s", real);
            return 1;
        }
        char *s = strrchr(real, '/');
        if (!s || s == real) return 0;
        snprintf(comp, sizeof comp, "%s", s + 1);
        *s = 0;
    }
    return 0;
}

gan_status gan_output_check(const char *path, gan_out_kind kind, int force, gan_error *err)
{
    if ((int)kind < 0 || (int)kind >= NKINDS)
        return gan_error_at(err, GAN_ERR_INVALID, path, 0, 0, "unknown output kind %d", (int)kind);
    struct stat st;
    int exists = lstat(path, &st) == 0;
    if (exists && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
        return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "is %s, not a regular file: refusing to replace it",
                            io_node_kind(st.st_mode));
    if (force) return GAN_OK;
    char run[PATH_MAX];
    if (run_of(path, run, sizeof run))
        return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "is one of the files of the run directory %s (its "
                            "model, log, lock, checkpoints and samples): refusing to write it (write "
                            "elsewhere, or give --force)", run);
    if (!exists) return GAN_OK;
    if (S_ISLNK(st.st_mode)) {
        char to[PATH_MAX];
        ssize_t k = readlink(path, to, sizeof to - 1);
        to[k > 0 ? k : 0] = 0;
        return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "is a symbolic link (to %s): refusing to replace it "
                            "(--force replaces the link, not what it points to)", to);
    }
    if (st.st_size == 0) return GAN_OK;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return io_open_error(err, path);
    unsigned char b[512];
    ssize_t got = read(fd, b, sizeof b);
    int e = errno;
    close(fd);
    if (got < 0) return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "cannot read: %s", strerror(e));
    int have = got > 0 ? kind_of(b, (size_t)got) : (int)kind;
    if (have == (int)kind) return GAN_OK;
    if (have < 0)
        return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "exists and is not %s: refusing to replace it "
                            "(--force replaces it)", kind_name[kind]);
    return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "is %s, not %s: refusing to replace it (--force "
                        "replaces it)", kind_name[have], kind_name[kind]);
}
