#include "core/base/json_file.h"
#include "core/base/util.h"

#include <errno.h>
#include <stdio.h>

json_object *json_parse(const char *text, const char *what, struct holt_err *err)
{
	enum json_tokener_error jerr;
	json_object *o = json_tokener_parse_verbose(text, &jerr);
	if (!o)
		holt_err_set(err, 0, "parse %s: %s", what, json_tokener_error_desc(jerr));
	return o;
}

json_object *json_file_load(const char *path, struct holt_err *err)
{
	cleanup_file FILE *f = fopen(path, "re");
	if (!f) {
		holt_err_set(err, errno, "read \"%s\"", path);
		return NULL;
	}
	cleanup_free char *text = NULL;
	size_t cap = 0;
	if (getdelim(&text, &cap, '\0', f) < 0 && ferror(f)) {
		holt_err_set(err, errno, "read \"%s\"", path);
		return NULL;
	}
	cleanup_free char *what = xasprintf("\"%s\"", path);
	return json_parse(text ? text : "", what, err);
}

const char *json_text(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
}
