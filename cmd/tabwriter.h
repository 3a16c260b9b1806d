/* Tables as docker prints them: Go's text/tabwriter with docker's settings. */
#ifndef HOLT_CMD_TABWRITER_H
#define HOLT_CMD_TABWRITER_H

#include <stddef.h>

/* text with each tab-terminated cell padded with spaces to its column's width: the
 * widest cell in the column's run of adjacent lines, in code points, plus padding, and
 * at least minwidth; the last cell of a line is left alone. Go's
 * tabwriter.NewWriter(out, minwidth, 1, padding, ' ', 0). Caller frees. */
char *tabwriter_align(const char *text, size_t minwidth, size_t padding);

#endif
