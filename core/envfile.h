/* docker's --env-file format: KEY=VALUE per line, # comments, blank lines ignored, and a
 * bare KEY takes the value from holt's own environment (dropped when unset there). */
#ifndef HOLT_CORE_ENVFILE_H
#define HOLT_CORE_ENVFILE_H

#include "core/base/err.h"

/* Appends the entries of the file at path to *env. */
int envfile_read(const char *path, char ***env, struct holt_err *err);

/* Appends one -e entry: KEY=VALUE as given, a bare KEY from holt's environment. Fails on
 * an empty or malformed key. */
int envfile_add(char ***env, const char *entry, const char *source, struct holt_err *err);

#endif
