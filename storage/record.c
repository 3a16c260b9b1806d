#include "storage/record.h"
#include "core/base/file.h"

#include <string.h>

int record_write(struct store *s, const char *path, json_object *o, struct holt_err *err)
{
	const char *text = json_text(o);
	const char *stage = store_staging_dir(s, err);
	if (!stage)
		return -1;
	return write_file_atomic(path, stage, text, strlen(text), true, err);
}
