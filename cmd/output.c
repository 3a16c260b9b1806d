/* The output layer of list and inspect commands: parses --format once, renders each row
 * into a buffer and prints it all at the end, a table through Go's tabwriter algorithm
 * with docker's settings. */
#include "cmd/output.h"
#include "cmd/safe_text.h"
#include "cmd/tabwriter.h"
#include "cmd/template.h"
#include "core/base/json.h"
#include "core/base/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum output_kind {
	OUTPUT_TABLE,	      /* a header line, then the rows in columns */
	OUTPUT_LINES,	      /* each row's text as it rendered */
	OUTPUT_ARRAY,	      /* inspect: a JSON array, indented */
	OUTPUT_ARRAY_COMPACT, /* inspect --format json */
};

struct output {
	enum output_kind kind;
	bool inspect; /* docker inspect prints an empty line when no object rendered one */
	char *source; /* the template as parsed, for messages */
	struct template *tmpl;
	const char *const (*headers)[2];
	bool no_header; /* podman's --noheading */
	FILE *rows;	/* what the rows rendered, into text */
	char *text;
	size_t size;
	json_object *array;
};

/* docker's table settings: tabwriter.NewWriter(out, 10, 1, 3, ' ', 0) */
enum { TABLE_MINWIDTH = 10, TABLE_PADDING = 3 };

static struct output *output_alloc(enum output_kind kind)
{
	struct output *o = xzalloc(sizeof *o);
	o->kind = kind;
	o->rows = open_memstream(&o->text, &o->size);
	if (!o->rows)
		oom();
	o->array = json_object_new_array();
	return o;
}

/* Parses source as the template of o; the message names the template, since its line
 * and column count from the start of it. */
static int output_parse(struct output *o, const char *source, unsigned flags, struct holt_err *err)
{
	o->source = xstrdup(source);
	o->tmpl = template_parse(source, flags, err);
	if (!o->tmpl)
		return holt_err_wrap(err, "template \"%s\"", source);
	return 0;
}

struct output *output_new(const char *format, const char *default_table,
			  const char *const (*headers)[2], struct holt_err *err)
{
	if (!format || !*format || !strcmp(format, "table"))
		format = default_table;
	bool table = !strncmp(format, "table", 5);
	struct output *o = output_alloc(table ? OUTPUT_TABLE : OUTPUT_LINES);
	const char *src = table ? format + 5 : !strcmp(format, "json") ? "{{json .}}" : format;

	/* docker trims the spaces around the template */
	src += strspn(src, " ");
	size_t len = strlen(src);
	while (len && src[len - 1] == ' ')
		len--;
	cleanup_free char *trimmed = xstrndup(src, len);
	o->headers = headers;
	/* a row has every field of its command, so a missing one is a typo: docker says
	 * so ("can't evaluate field") instead of printing <no value> */
	if (output_parse(o, trimmed, TEMPLATE_TEXT_ESCAPES | TEMPLATE_MISSINGKEY_ERROR, err) < 0) {
		output_free(o);
		return NULL;
	}
	return o;
}

struct output *output_new_inspect(const char *format, struct holt_err *err)
{
	bool array = !format || !*format, compact = !array && !strcmp(format, "json");
	struct output *o = output_alloc(array	  ? OUTPUT_ARRAY
					: compact ? OUTPUT_ARRAY_COMPACT
						  : OUTPUT_LINES);

	o->inspect = true;
	if (o->kind == OUTPUT_LINES &&
	    output_parse(o, format, TEMPLATE_MISSINGKEY_ERROR, err) < 0) {
		output_free(o);
		return NULL;
	}
	return o;
}

int output_row(struct output *o, json_object *row, struct holt_err *err)
{
	if (o->kind == OUTPUT_ARRAY || o->kind == OUTPUT_ARRAY_COMPACT) {
		json_object_array_add(o->array, json_object_get(row));
		return 0;
	}
	/* A table's cells are escaped, so that a label's newline cannot forge a row. */
	cleanup_json json_object *cells = o->kind == OUTPUT_TABLE ? json_cells_escape(row) : NULL;
	cleanup_free char *text = template_render(o->tmpl, cells ? cells : row, err);
	if (!text)
		return holt_err_wrap(err, "template \"%s\"", o->source);
	fputs(text, o->rows);
	fputc('\n', o->rows);
	return 0;
}

/* A field's column header: the command's, or its name split at camel case and
 * upper-cased ("CreatedAt": "CREATED AT", "HTTPPort": "HTTP PORT"). */
static char *column_header(const char *field, void *data)
{
	const struct output *o = data;
	char *h, *p;

	for (const char *const(*pair)[2] = o->headers; pair && (*pair)[0]; pair++)
		if (!strcmp((*pair)[0], field))
			return xstrdup((*pair)[1]);
	h = p = xmalloc(2 * strlen(field) + 1);
	for (size_t i = 0; field[i]; i++) {
		unsigned char c = (unsigned char)field[i],
			      prev = i ? (unsigned char)field[i - 1] : 0;
		if (i && isupper(c) &&
		    (islower(prev) || isdigit(prev) ||
		     (isupper(prev) && islower((unsigned char)field[i + 1]))))
			*p++ = ' ';
		*p++ = (char)toupper(c);
	}
	*p = '\0';
	return h;
}

static const int json_flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;

/* Prints j as JSON that is valid UTF-8 whatever bytes its strings hold. */
static void print_json(FILE *out, json_object *j)
{
	cleanup_free char *text = json_text_fix_utf8(json_object_to_json_string_ext(j, json_flags));
	fputs(text, out);
}

/* Go's json.MarshalIndent(v, "", "    "), which docker inspect prints: json-c's pretty
 * printer indents by two and spreads empty arrays and objects over lines. */
static void print_indented(FILE *out, json_object *j, int depth)
{
	enum json_type t = json_object_get_type(j);
	bool array = t == json_type_array && json_object_array_length(j) > 0;
	bool object = t == json_type_object && json_object_object_length(j) > 0;

	if (!array && !object) {
		print_json(out, j);
		return;
	}
	fputs(array ? "[\n" : "{\n", out);
	if (array) {
		for (size_t i = 0, n = json_object_array_length(j); i < n; i++) {
			fprintf(out, "%*s", 4 * (depth + 1), "");
			print_indented(out, json_object_array_get_idx(j, i), depth + 1);
			fputs(i + 1 < n ? ",\n" : "\n", out);
		}
	} else {
		int left = json_object_object_length(j);
		json_object_object_foreach(j, key, value)
		{
			json_object *k = json_object_new_string(key);
			fprintf(out, "%*s", 4 * (depth + 1), "");
			print_json(out, k);
			fputs(": ", out);
			json_object_put(k);
			print_indented(out, value, depth + 1);
			fputs(--left ? ",\n" : "\n", out);
		}
	}
	fprintf(out, "%*s%c", 4 * depth, "", array ? ']' : '}');
}

static void print_table(struct output *o)
{
	cleanup_free char *header =
	    o->no_header ? NULL : template_render_header(o->tmpl, column_header, o);
	cleanup_free char *all = header ? xasprintf("%s\n%s", header, o->text) : xstrdup(o->text);
	cleanup_free char *aligned = tabwriter_align(all, TABLE_MINWIDTH, TABLE_PADDING);
	fputs(aligned, stdout);
}

int output_flush(struct output *o, struct holt_err *err)
{
	if (fclose(o->rows) != 0)
		oom();
	o->rows = NULL;
	switch (o->kind) {
	case OUTPUT_TABLE:
		print_table(o);
		break;
	case OUTPUT_LINES:
		fputs(o->size || !o->inspect ? o->text : "\n", stdout);
		break;
	case OUTPUT_ARRAY:
		print_indented(stdout, o->array, 0);
		putchar('\n');
		break;
	case OUTPUT_ARRAY_COMPACT:
		print_json(stdout, o->array);
		putchar('\n');
		break;
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		return holt_err_set(err, errno, "write to stdout");
	return 0;
}

void output_no_header(struct output *o)
{
	o->no_header = true;
}

void output_free(struct output *o)
{
	if (!o)
		return;
	if (o->rows)
		fclose(o->rows);
	free(o->text);
	free(o->source);
	if (o->tmpl)
		template_free(o->tmpl);
	json_object_put(o->array);
	free(o);
}
