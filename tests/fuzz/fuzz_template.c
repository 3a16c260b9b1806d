/* docker's --format templates, rendered over a row like the ones ps and inspect give.
 * The first byte picks the flags; the rest is the template. */
#include "cmd/template.h"
#include "core/base/json.h"
#include "tests/fuzz/fuzz.h"

static json_object *row;

static const char row_json[] =
    "{\"ID\":\"0123456789ab\",\"Names\":\"web\",\"Labels\":{\"a\":\"1\",\"b\":\"x\\ny\"},"
    "\"Ports\":[{\"HostPort\":8080,\"ContainerPort\":80}],\"Size\":12345678901,"
    "\"Ratio\":0.5,\"Up\":true,\"None\":null,\"Env\":[\"A=1\",\"B=2\"],"
    "\"Config\":{\"Cmd\":[\"sh\",\"-c\",\"echo hi\"],\"Empty\":[]}}";

static char *header(const char *field, void *data)
{
	(void)data;
	return xstrdup(field);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (!row)
		row = json_tokener_parse(row_json);
	cleanup_free char *src = fuzz_string(data + 1, size - 1);
	struct holt_err err = {0};
	cleanup_template struct template *t = template_parse(src, data[0] & 3, &err);

	if (!t) {
		if (!err.msg)
			abort();
		holt_err_release(&err);
		return 0;
	}
	char *out = template_render(t, row, &err);
	if (!out)
		holt_err_release(&err);
	free(out);
	free(template_render_header(t, header, NULL));
	return 0;
}
