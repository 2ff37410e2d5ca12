/* iofile.c - file helpers shared by the loaders and writers: open errors
 * with install hints, sorted folder listings, atomic output files. */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "io/io.h"

/* Datasets Debian ships, and the package that installs each. */
static const struct { const char *dir, *package; } packaged[] = {
    { "/usr/share/datasets/fashion-mnist", "dataset-fashion-mnist" },
};

gan_status io_open_error(gan_error *err, const char *path)
{
    int e = errno;
    const char *pkg = NULL;
    for (size_t i = 0; i < sizeof packaged / sizeof packaged[0]; i++) {
        size_t n = strlen(packaged[i].dir);
        if (!strncmp(path, packaged[i].dir, n) && (path[n] == '/' || path[n] == 0))
            pkg = packaged[i].package;
    }
    if (pkg)
        return gan_error_at(err, GAN_ERR_IO, path, 0, 0,
                            "cannot open: %s (install the Debian package %s)", strerror(e), pkg);
    return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "cannot open: %s", strerror(e));
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void io_free_names(char **names)
{
    if (!names) return;
    for (char **p = names; *p; p++) free(*p);
    free(names);
}

gan_status io_list_dir(const char *dir, int (*keep)(const char *name),
                       char ***names, long *n, gan_error *err)
{
    *names = NULL;
    *n = 0;
    DIR *dp = opendir(dir);
    if (!dp) return io_open_error(err, dir);
    size_t cap = 0, len = 0;
    char **v = NULL;
    struct dirent *e;
    gan_status st = GAN_OK;
    while ((e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.' || !keep(e->d_name)) continue;
        if (len >= (size_t)IO_MAX_SAMPLES) {
            st = gan_error_at(err, GAN_ERR_INVALID, dir, 0, 0, "more than %ld files", IO_MAX_SAMPLES);
            break;
        }
        if (len + 1 >= cap) {
            cap = cap ? 2 * cap : 64;
            char **nv = realloc(v, cap * sizeof *v);
            if (!nv) { st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory listing a folder"); break; }
            v = nv;
        }
        size_t sz = strlen(dir) + strlen(e->d_name) + 2;
        if (!(v[len] = malloc(sz))) { st = gan_error_set(err, GAN_ERR_NOMEM, "out of memory listing a folder"); break; }
        snprintf(v[len], sz, "%s/%s", dir, e->d_name);
        v[++len] = NULL;
    }
    closedir(dp);
    if (st != GAN_OK) {
        io_free_names(v);
        return st;
    }
    if (!v && !(v = calloc(1, sizeof *v))) return gan_error_set(err, GAN_ERR_NOMEM, "out of memory");
    qsort(v, len, sizeof *v, by_name);
    *names = v;
    *n = (long)len;
    return GAN_OK;
}

gan_status io_out_open(io_out *o, const char *path, gan_error *err)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    if (snprintf(o->tmp, sizeof o->tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof o->tmp)
        return gan_error_at(err, GAN_ERR_INVALID, path, 0, 0, "path is too long");
    int fd = mkstemp(o->tmp);
    if (fd < 0)
        return gan_error_at(err, GAN_ERR_IO, path, 0, 0,
                            "cannot create a temporary file beside it: %s", strerror(errno));
    (void)fchmod(fd, 0644);   /* mkstemp makes 0600; outputs are ordinary files */
    if (!(o->fp = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "cannot write: %s", strerror(e));
    }
    return GAN_OK;
}

int io_out_write(io_out *o, const void *buf, size_t n)
{
    if (o->err) return -1;
    if (n && fwrite(buf, 1, n, o->fp) != n) {
        o->err = errno ? errno : EIO;
        return -1;
    }
    return 0;
}

void io_out_abort(io_out *o)
{
    if (o->fp) fclose(o->fp);
    o->fp = NULL;
    unlink(o->tmp);
}

gan_status io_out_commit(io_out *o, gan_error *err)
{
    /* Each step can be the first to see a full disk: buffered data may only
     * reach the kernel at fflush, and some file systems report at close. */
    if (!o->err && fflush(o->fp) != 0) o->err = errno;
    if (!o->err && fsync(fileno(o->fp)) != 0 && errno != EINVAL) o->err = errno;
    if (fclose(o->fp) != 0 && !o->err) o->err = errno;
    o->fp = NULL;
    if (!o->err && rename(o->tmp, o->path) != 0) {
        int e = errno;
        unlink(o->tmp);
        return gan_error_at(err, GAN_ERR_IO, o->path, 0, 0, "cannot rename %s into place: %s",
                            o->tmp, strerror(e));
    }
    if (o->err) {
        unlink(o->tmp);
        return gan_error_at(err, GAN_ERR_IO, o->path, 0, 0, "cannot write: %s", strerror(o->err));
    }
    return GAN_OK;
}
