/* What list and inspect commands print, docker's way: rows given as JSON objects, shown
 * as a table, JSON lines or a --format template; inspect's JSON array. */
#ifndef HOLT_CMD_OUTPUT_H
#define HOLT_CMD_OUTPUT_H

#include "core/base/err.h"

#include <json.h>

struct output;

/* For a list command. format: NULL, "" or "table" (default_table, itself "table
 * TEMPLATE"), "table TEMPLATE", "json" (one compact object per row), or a TEMPLATE
 * rendered per row with a newline after each; \t and \n typed in format are a tab and a
 * newline; a field the rows lack is an error, as in docker. headers maps field names to column
 * headers ({"ID", "IMAGE ID"}, ..., {NULL, NULL}); a field with none is titled by its name, split
 * at camel case and upper-cased
 * ("CreatedAt": "CREATED AT"). NULL with what is wrong with the template in err. */
struct output *output_new(const char *format, const char *default_table,
			  const char *const (*headers)[2], struct holt_err *err);

/* For inspect. format: NULL or "" (the objects as a JSON array indented like docker's),
 * "json" (the array on one line), or a TEMPLATE rendered per object with a newline after
 * each, where a missing key is an error, as in docker. */
struct output *output_new_inspect(const char *format, struct holt_err *err);

/* Adds row (borrowed). Nothing is printed before output_flush, so that a row that fails
 * to render leaves stdout empty, as in docker. */
int output_row(struct output *o, json_object *row, struct holt_err *err);

/* Prints the rows: a table's header line and aligned columns, the lines, or the array. */
int output_flush(struct output *o, struct holt_err *err);

/* A table without its header line (podman's --noheading). */
void output_no_header(struct output *o);

void output_free(struct output *o);
static inline void output_freep(struct output **o)
{
	if (*o)
		output_free(*o);
}
#define cleanup_output __attribute__((cleanup(output_freep)))

#endif
