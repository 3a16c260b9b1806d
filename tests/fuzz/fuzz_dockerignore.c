/* The .dockerignore matcher: the input's first line is a path, the rest the file. */
#include "core/dockerignore.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nl = memchr(text, '\n', size);
	size_t path_len = nl ? (size_t)(nl - text) : size;
	struct holt_err err = {0};

	/* context paths are at most PATH_MAX long, relative and clean */
	if (!path_len || path_len > 4096)
		return 0;
	cleanup_free char *path = xstrndup(text, path_len);
	if (strlen(path) != path_len || path[0] == '/' || path[path_len - 1] == '/' ||
	    strstr(path, "//"))
		return 0;
	size_t rest = nl ? size - path_len - 1 : 0;
	struct dockerignore *di = dockerignore_parse(nl ? nl + 1 : "", rest, ".dockerignore", &err);
	if (!di) {
		if (!err.msg || strncmp(err.msg, ".dockerignore:", 14))
			abort(); /* a failure names the file and the line */
		holt_err_release(&err);
		return 0;
	}
	bool excluded = dockerignore_excluded(di, path);
	bool below = dockerignore_may_include_below(di, path);
	/* a path an exception brings back is one some exception could match */
	cleanup_free char *child = xasprintf("%s/x", path);
	if (excluded && !dockerignore_excluded(di, child) && !below)
		abort();
	dockerignore_free(di);
	return 0;
}
