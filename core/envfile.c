#include "core/envfile.h"
#include "core/base/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int envfile_add(char ***env, const char *entry, const char *source, struct holt_err *err)
{
	const char *eq = strchr(entry, '=');
	size_t klen = eq ? (size_t)(eq - entry) : strlen(entry);

	if (klen == 0)
		return holt_err_set(err, 0, "%s: environment variable \"%s\": empty name", source,
				    entry);
	for (size_t i = 0; i < klen; i++)
		if (isspace((unsigned char)entry[i]))
			return holt_err_set(err, 0,
					    "%s: environment variable \"%s\": whitespace in the "
					    "name",
					    source, entry);
	if (eq) {
		strv_push(env, entry);
		return 0;
	}
	const char *value = getenv(entry);
	if (value) {
		cleanup_free char *kv = xasprintf("%s=%s", entry, value);
		strv_push(env, kv);
	}
	return 0;
}

int envfile_read(const char *path, char ***env, struct holt_err *err)
{
	cleanup_file FILE *f = fopen(path, "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0;

	if (!f)
		return holt_err_set(err, errno, "env file \"%s\"", path);
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		cleanup_free char *where = xasprintf("env file \"%s\" line %u", path, lineno);
		if (envfile_add(env, p, where, err) < 0)
			return -1;
	}
	return 0;
}
