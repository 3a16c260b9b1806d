/* What several unit tests share: a temporary file with given text, a strv as one line. */
#ifndef HOLT_TESTS_UNIT_HELPERS_H
#define HOLT_TESTS_UNIT_HELPERS_H

#include "core/base/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A new file under /tmp holding text; the caller unlinks it and frees the path. */
static inline char *write_tmp(const char *text)
{
	char *path = xstrdup("/tmp/holt-unit-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		abort();
	close(fd);
	return path;
}

/* argv joined with single spaces. */
static inline char *joined(char **argv)
{
	size_t len = 1;
	for (size_t i = 0; argv && argv[i]; i++)
		len += strlen(argv[i]) + 1;
	char *s = xzalloc(len);
	for (size_t i = 0; argv && argv[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

#endif
