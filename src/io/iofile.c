/* iofile.c - file helpers shared by the loaders and writers: open errors
 * with install hints, sorted folder listings, atomic output files. */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

int io_open_regular(const char *path, int flags, gan_error *err)
{
    int fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (errno == ELOOP) {
            char to[1024];
            ssize_t k = readlink(path, to, sizeof to - 1);
            to[k > 0 ? k : 0] = 0;
            errno = ELOOP;
            gan_error_at(err, GAN_ERR_IO, path, 0, 0, "is a symbolic link (to %s): refusing to follow it", to);
        } else {
            int e = errno;
            io_open_error(err, path);
            errno = e;
        }
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        gan_error_at(err, GAN_ERR_IO, path, 0, 0, "is %s, not a regular file", io_node_kind(st.st_mode));
        close(fd);
        errno = EINVAL;
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

FILE *io_fopen_regular(const char *path, const char *mode, gan_error *err)
{
    int flags = mode[0] == 'r' ? (strchr(mode, '+') ? O_RDWR : O_RDONLY)
              : mode[0] == 'w' ? O_WRONLY | O_CREAT | O_TRUNC : O_WRONLY | O_CREAT | O_APPEND;
    int fd = io_open_regular(path, flags, err);
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, mode);
    if (!f) {
        int e = errno;
        close(fd);
        gan_error_at(err, GAN_ERR_NOMEM, path, 0, 0, "cannot open: %s", strerror(e));
        errno = e;
    }
    return f;
}

FILE *io_fopen_input(const char *path, uint64_t *size, gan_error *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        io_open_error(err, path);
        errno = e;
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        gan_error_at(err, GAN_ERR_IO, path, 0, 0, "is %s, not a regular file (expected a file to read)",
                     io_node_kind(st.st_mode));
        close(fd);
        errno = EINVAL;
        return NULL;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        int e = errno;
        close(fd);
        gan_error_at(err, GAN_ERR_NOMEM, path, 0, 0, "cannot open: %s", strerror(e));
        errno = e;
        return NULL;
    }
    if (size) *size = (uint64_t)st.st_size;
    return f;
}

gan_status io_input_check(const char *path, uint64_t *size, gan_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0) return io_open_error(err, path);
    if (!S_ISREG(st.st_mode))
        return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "is %s, not a regular file (expected a file to read)",
                            io_node_kind(st.st_mode));
    if (size) *size = (uint64_t)st.st_size;
    return GAN_OK;
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

/* "a directory", "a character device", ...: what a path is, for messages */
const char *io_node_kind(mode_t m)
{
    return S_ISREG(m) ? "a regular file" : S_ISDIR(m) ? "a directory" : S_ISLNK(m) ? "a symbolic link"
         : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" : S_ISFIFO(m) ? "a FIFO"
         : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

int io_sync_dir(const char *path)
{
    char *dir = strdup(path);
    if (!dir) return ENOMEM;
    char *slash = strrchr(dir, '/');
    const char *d = ".";
    if (slash == dir) d = "/";
    else if (slash) {
        *slash = '\0';
        d = dir;
    }
    int e = 0, fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) e = errno;
    else {
        if (fsync(fd) != 0 && errno != EINVAL) e = errno;   /* EINVAL: fs cannot sync folders */
        close(fd);
    }
    free(dir);
    return e;
}

gan_status io_out_open(io_out *o, const char *path, gan_error *err)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    /* what is at path now is never opened, written or removed: only a
     * regular file (or a link, which the rename replaces, not its target)
     * may be replaced; a device such as /dev/full, a FIFO or a folder not */
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
        return gan_error_at(err, GAN_ERR_IO, path, 0, 0, "is %s, not a regular file: refusing to replace it",
                            io_node_kind(st.st_mode));
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
    if (o->tmp[0]) unlink(o->tmp);
    o->tmp[0] = 0;
}

gan_status io_out_commit(io_out *o, gan_error *err)
{
    /* Each step can be the first to see a full disk: buffered data may only
     * reach the kernel at fflush, and some file systems report at close. */
    if (!o->err && fflush(o->fp) != 0) o->err = errno;
    if (!o->err && fsync(fileno(o->fp)) != 0 && errno != EINVAL) o->err = errno;
    if (fclose(o->fp) != 0 && !o->err) o->err = errno;
    o->fp = NULL;
    if (o->err) {
        unlink(o->tmp);
        return gan_error_at(err, GAN_ERR_IO, o->path, 0, 0, "cannot write: %s", strerror(o->err));
    }
    /* the target may have become a device or a folder since the open */
    struct stat st;
    if (lstat(o->path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
        unlink(o->tmp);
        return gan_error_at(err, GAN_ERR_IO, o->path, 0, 0, "is %s, not a regular file: refusing to replace it",
                            io_node_kind(st.st_mode));
    }
    if (rename(o->tmp, o->path) != 0) {
        int e = errno;
        unlink(o->tmp);
        return gan_error_at(err, GAN_ERR_IO, o->path, 0, 0, "cannot rename %s into place: %s",
                            o->tmp, strerror(e));
    }
    int e = io_sync_dir(o->path);   /* so that the rename itself survives a power cut */
    if (e) return gan_error_at(err, GAN_ERR_IO, o->path, 0, 0, "written, but cannot sync its folder: %s",
                               strerror(e));
    return GAN_OK;
}

gan_status io_write_file(const char *path, const void *buf, size_t n, gan_error *err)
{
    io_out o;
    gan_status st = io_out_open(&o, path, err);
    if (st != GAN_OK) return st;
    io_out_write(&o, buf, n);
    return io_out_commit(&o, err);
}

gan_status gan_file_write(const char *path, const void *buf, size_t n, gan_error *err)
{
    return io_write_file(path, buf, n, err);
}
