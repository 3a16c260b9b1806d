/* The --env-file reader. */
#include "core/envfile.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_free char *text = xmalloc(size + 1);
	cleanup_strv char **env = NULL;
	struct holt_err err = {0};

	memcpy(text, data, size);
	text[size] = '\0';
	if (envfile_parse(text, size, "fuzz.env", &env, &err) < 0) {
		if (!err.msg || env)
			abort(); /* a failure says why and adds nothing */
		holt_err_release(&err);
		return 0;
	}
	for (char **e = env; e && *e; e++)
		if (!strchr(*e, '=') || **e == '=')
			abort(); /* every entry is KEY=VALUE with a key */
	return 0;
}
