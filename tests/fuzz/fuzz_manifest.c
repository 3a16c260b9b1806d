/* Manifests and indexes as a registry serves them; the first line of the input is the
 * Content-Type (empty: none). */
#include "net/manifest.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_free char *s = fuzz_string(data, size);
	char *nl = strchr(s, '\n');
	const char *type = NULL, *body = s;
	struct manifest m;
	struct holt_err err = {0};

	if (nl) {
		*nl = '\0';
		type = *s ? s : NULL;
		body = nl + 1;
	}
	if (manifest_parse(body, type, "manifest", &m, &err) < 0) {
		if (!err.msg)
			abort();
		holt_err_release(&err);
		manifest_clear(&m);
		return 0;
	}
	if (m.is_index) {
		const struct descriptor *d =
		    manifest_select(&m, "linux", "amd64", NULL, "index", &err);
		if (!d)
			holt_err_release(&err);
		d = manifest_select(&m, "linux", "arm", "v7", "index", &err);
		if (!d)
			holt_err_release(&err);
	}
	manifest_clear(&m);
	return 0;
}
