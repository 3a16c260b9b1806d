/* docker's --format language: the subset of Go's text/template that docker users write
 * (fields, pipelines, if/range/with, variables, docker's functions), evaluated over
 * json-c values. A template is parsed once and rendered for any number of rows. */
#ifndef HOLT_CMD_TEMPLATE_H
#define HOLT_CMD_TEMPLATE_H

#include "core/base/err.h"

#include <json.h>

struct template;

enum template_flags {
	/* A missing map key is an error, as in `docker inspect --format`; without it the key
	 * prints "<no value>", as Go does for maps. */
	TEMPLATE_MISSINGKEY_ERROR = 1 << 0,
	/* "\t" and "\n" typed as two characters in the text between actions are a tab and a
	 * newline, as in docker's --format for list commands. */
	TEMPLATE_TEXT_ESCAPES = 1 << 1,
};

/* Parses src; NULL with "LINE:COL: what is wrong" in err. */
struct template *template_parse(const char *src, unsigned flags, struct holt_err *err);

void template_free(struct template *t);
static inline void template_freep(struct template **t)
{
	if (*t)
		template_free(*t);
}
#define cleanup_template __attribute__((cleanup(template_freep)))

/* Renders t with dot = data (borrowed, may be NULL for JSON null); the caller frees the
 * text. NULL with "LINE:COL: at <ACTION>: why" in err. */
char *template_render(const struct template *t, json_object *data, struct holt_err *err);

/* Renders t as docker renders a table's header line: each field ({{.A}}, {{.X.A}},
 * {{$v.A}}) prints header("A", data), a string the engine frees, and json, split, join,
 * title, lower, upper and truncate pass their value through. Like docker, stops at the
 * first error and returns what it had. */
char *template_render_header(const struct template *t,
			     char *(*header)(const char *field, void *data), void *data);

#endif
