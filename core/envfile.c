#include "core/envfile.h"
#include "core/base/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A growing list of entries: appending is amortised O(1), where strv_push walks the list
 * each time, so a file of many variables reads in linear time. */
struct env_list {
	char **v;
	size_t n, cap;
};

static void list_push_owned(struct env_list *l, char *s)
{
	if (l->n + 2 > l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
}

static int check_key(const char *entry, size_t klen, const char *source, struct holt_err *err)
{
	if (klen == 0)
		return holt_err_set(err, 0, "%s: environment variable \"%s\": empty name", source,
				    entry);
	for (size_t i = 0; i < klen; i++)
		if (isspace((unsigned char)entry[i]))
			return holt_err_set(err, 0,
					    "%s: environment variable \"%s\": whitespace in the "
					    "name",
					    source, entry);
	return 0;
}

/* The entry as it goes into the environment: as given, or a bare KEY with holt's own value;
 * NULL (and 0) when KEY is unset here. */
static int entry_resolve(const char *entry, const char *source, char **out, struct holt_err *err)
{
	const char *eq = strchr(entry, '=');

	*out = NULL;
	if (check_key(entry, eq ? (size_t)(eq - entry) : strlen(entry), source, err) < 0)
		return -1;
	if (eq) {
		*out = xstrdup(entry);
		return 0;
	}
	const char *value = getenv(entry);
	if (value)
		*out = xasprintf("%s=%s", entry, value);
	return 0;
}

int envfile_add(char ***env, const char *entry, const char *source, struct holt_err *err)
{
	cleanup_free char *kv = NULL;

	if (entry_resolve(entry, source, &kv, err) < 0)
		return -1;
	if (kv)
		strv_push(env, kv);
	return 0;
}

/* Reads the whole file, which must be a regular file of at most ENVFILE_MAX_SIZE bytes. A
 * FIFO or device is refused before anything is read from it (opened O_NONBLOCK, so that a
 * FIFO without a writer does not hang), and the size is checked again while reading, since
 * the file may grow. */
static char *read_bounded(const char *path, size_t *len, struct holt_err *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	cleanup_free char *buf = NULL;
	size_t got = 0;
	struct stat st;

	if (fd < 0)
		return holt_err_set(err, errno, "env file \"%s\"", path), NULL;
	if (fstat(fd, &st) < 0)
		return holt_err_set(err, errno, "env file \"%s\"", path), NULL;
	if (S_ISDIR(st.st_mode))
		return holt_err_set(err, 0, "env file \"%s\": is a directory", path), NULL;
	if (!S_ISREG(st.st_mode))
		return holt_err_set(err, 0, "env file \"%s\": not a regular file", path), NULL;
	if (st.st_size > ENVFILE_MAX_SIZE)
		goto too_big;

	buf = xmalloc(ENVFILE_MAX_SIZE + 1);
	for (;;) {
		ssize_t n = read(fd, buf + got, ENVFILE_MAX_SIZE + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return holt_err_set(err, errno, "env file \"%s\": read", path), NULL;
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > ENVFILE_MAX_SIZE)
			goto too_big;
	}
	buf[got] = '\0';
	*len = got;
	return steal_pointer(&buf);
too_big:
	holt_err_set(err, 0, "env file \"%s\": larger than the limit of %d MiB", path,
		     ENVFILE_MAX_SIZE >> 20);
	return NULL;
}

int envfile_parse(char *text, size_t len, const char *path, char ***env, struct holt_err *err)
{
	struct env_list add = {0};
	unsigned lineno = 0;
	int ret = 0;

	for (char *line = text; line < text + len && ret == 0;) {
		char *nl = memchr(line, '\n', (size_t)(text + len - line));
		char *end = nl ? nl : text + len;
		char *next = nl ? nl + 1 : text + len;

		lineno++;
		while (end > line && end[-1] == '\r')
			end--;
		*end = '\0';
		/* A NUL inside a line would silently cut the value short. */
		if (strlen(line) != (size_t)(end - line)) {
			ret = holt_err_set(err, 0, "env file \"%s\" line %u: contains a NUL byte",
					   path, lineno);
			break;
		}
		while (isspace((unsigned char)*line))
			line++;
		if (*line != '\0' && *line != '#') {
			cleanup_free char *where =
			    xasprintf("env file \"%s\" line %u", path, lineno);
			char *kv = NULL;
			ret = entry_resolve(line, where, &kv, err);
			if (kv)
				list_push_owned(&add, kv);
		}
		line = next;
	}
	if (ret == 0 && add.n) {
		size_t have = strv_len(*env);
		*env = xrealloc(*env, (have + add.n + 1) * sizeof **env);
		memcpy(*env + have, add.v, (add.n + 1) * sizeof *add.v);
		free(add.v);
		return 0;
	}
	strv_free(add.v);
	return ret;
}

int envfile_read(const char *path, char ***env, struct holt_err *err)
{
	size_t len = 0;
	cleanup_free char *text = read_bounded(path, &len, err);

	return text ? envfile_parse(text, len, path, env, err) : -1;
}
