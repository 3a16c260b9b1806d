/* Text from records (labels, env, names from images) made safe to print: JSON that stays
 * valid whatever bytes a string holds, and table cells that cannot forge a line. */
#ifndef HOLT_CMD_SAFE_TEXT_H
#define HOLT_CMD_SAFE_TEXT_H

#include <json.h>
#include <stddef.h>

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0 when s starts an
 * invalid one (an overlong form, a surrogate, past U+10FFFF, cut short), as Go decodes. */
size_t utf8_valid_len(const char *s, size_t n);

/* json (text json-c printed) with each byte of invalid UTF-8 replaced by \ufffd, as
 * Go's encoding/json writes it, so that docker's tools and any JSON parser accept it.
 * Caller frees. */
char *json_text_fix_utf8(const char *json);

/* s with control characters written as Go's %q writes them (\n, \t, \x1b, \u0085) and
 * bytes of invalid UTF-8 as \xNN, so that a value cannot end a table's line or cell.
 * Caller frees. */
char *text_cell_escape(const char *s);

/* A deep copy of j in which every string (not the keys) is text_cell_escape()d. */
json_object *json_cells_escape(json_object *j);

#endif
