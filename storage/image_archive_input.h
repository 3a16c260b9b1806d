/* An image archive being loaded: a seekable fd (stdin copied into the staging dir
 * first), read once for its member list and JSON members, then again for its layers:
 * internal to storage/image_archive*.c. */
#ifndef HOLT_STORAGE_IMAGE_ARCHIVE_INPUT_H
#define HOLT_STORAGE_IMAGE_ARCHIVE_INPUT_H

#include "core/base/err.h"
#include "storage/image_archive_meta.h"
#include "storage/store.h"

#include <archive.h>

struct archive_input;

/* Reads the archive at fd (any position; copied into s's staging dir when it cannot
 * seek): its members, and in memory those that are small JSON documents (metadata). */
struct archive_input *archive_input_open(struct store *s, int fd, struct holt_err *err);
void archive_input_free(struct archive_input *in);

/* The JSON members, for image_archive_meta_read. */
struct image_archive_members archive_input_members(struct archive_input *in);

/* The regular member path leads to through links; NULL when there is none. */
const char *archive_input_resolve(struct archive_input *in, const char *path, struct holt_err *err);

/* A new reader of the archive from its start; caller frees with archive_read_free. */
struct archive *archive_input_reader(struct archive_input *in, struct holt_err *err);

/* "<what>: <libarchive's message>" into err. Returns -1. */
int archive_input_fail(struct archive *a, const char *what, struct holt_err *err);

#endif
