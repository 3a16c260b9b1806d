/* A build context's .dockerignore: which of its paths a build does not see. Patterns
 * follow docker's rules: paths relative to the context root, a leading or trailing '/'
 * ignored, filepath.Match globs plus "**" for any number of directories, '!' for an
 * exception, the last matching line wins, a directory matched excludes what is under it
 * unless an exception could match below it. */
#ifndef HOLT_CORE_DOCKERIGNORE_H
#define HOLT_CORE_DOCKERIGNORE_H

#include "core/base/err.h"

#include <stdbool.h>
#include <stddef.h>

struct dockerignore;

/* Parses a .dockerignore's text; '#' lines and blank lines are skipped. Fails on a
 * malformed pattern, naming its line. An empty text gives a list that excludes nothing. */
struct dockerignore *dockerignore_parse(const char *text, size_t len, const char *path,
					struct holt_err *err);
void dockerignore_free(struct dockerignore *di);

/* Whether path ('/'-separated, relative to the context, no "./" or leading '/') is
 * excluded. A path under an excluded directory is excluded too. */
bool dockerignore_excluded(const struct dockerignore *di, const char *path);

/* Whether some exception could bring back a path below the directory dir: when false,
 * an excluded dir can be skipped without reading it. */
bool dockerignore_may_include_below(const struct dockerignore *di, const char *dir);

#endif
