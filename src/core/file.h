/* file.h - private to libgan: opening a file a user names for reading,
 * for the folders below io (model files, classifier files) and the report
 * (io has its own, stricter readers: gan/data.h, src/io/io.h). */
#ifndef GAN_CORE_FILE_H
#define GAN_CORE_FILE_H

#include <stdio.h>
#include <sys/types.h>

/* path opened for reading ("rb") when it is a regular file (a link to one
 * followed), never blocking on a FIFO; *size (may be NULL) its size.
 * NULL otherwise, *why (may be NULL) saying why: strerror's text, "a
 * directory, not a regular file", "a FIFO, not a regular file" or "not a
 * regular file (a device?)". */
FILE *core_fopen_read(const char *path, const char **why, off_t *size);

#endif
