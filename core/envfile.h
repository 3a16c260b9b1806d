/* docker's --env-file format: KEY=VALUE per line, # comments, blank lines ignored, and a
 * bare KEY takes the value from holt's own environment (dropped when unset there). */
#ifndef HOLT_CORE_ENVFILE_H
#define HOLT_CORE_ENVFILE_H

#include "core/base/err.h"

#include <stddef.h>

/* The largest env file read. docker sets none; 1 MiB holds tens of thousands of variables,
 * and the kernel lets a process's arguments and environment together take only a quarter
 * of its stack limit (2 MiB by default). */
#define ENVFILE_MAX_SIZE (1 << 20)

/* Appends the entries of the file at path to *env, or none of them on failure. Refuses
 * what is not a regular file and files over ENVFILE_MAX_SIZE. Linear in the file's size. */
int envfile_read(const char *path, char ***env, struct holt_err *err);

/* The same for the file's text (len bytes, which the parse overwrites), read from path. */
int envfile_parse(char *text, size_t len, const char *path, char ***env, struct holt_err *err);

/* Appends one -e entry: KEY=VALUE as given, a bare KEY from holt's environment. Fails on
 * an empty or malformed key. */
int envfile_add(char ***env, const char *entry, const char *source, struct holt_err *err);

#endif
