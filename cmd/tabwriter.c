/* Go's text/tabwriter column algorithm, for the table output of list commands: a column
 * is a run of adjacent lines that all have a cell there, and is as wide as its widest
 * cell; lines with fewer cells end the run. */
#include "cmd/tabwriter.h"
#include "core/base/util.h"

#include <stdio.h>
#include <string.h>

struct cell {
	const char *text;
	size_t len, width;
};

struct line {
	struct cell *cells; /* the last one is the text after the last tab */
	size_t n;
};

struct table {
	struct line *lines;
	size_t nlines;
	size_t *widths; /* of the columns of the block being written */
	size_t ncols;
	size_t minwidth, padding;
	FILE *out;
};

static size_t code_points(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

static void write_lines(struct table *t, size_t line0, size_t line1)
{
	for (size_t i = line0; i < line1; i++) {
		const struct line *l = &t->lines[i];
		for (size_t j = 0; j < l->n; j++) {
			fwrite(l->cells[j].text, 1, l->cells[j].len, t->out);
			for (size_t w = l->cells[j].width; j < t->ncols && w < t->widths[j]; w++)
				fputc(' ', t->out);
		}
		if (i + 1 < t->nlines)
			fputc('\n', t->out);
	}
}

/* Go's Writer.format: finds the blocks of column ncols in lines [line0, line1), sizes
 * each, and recurses into the next column within it. */
static void format(struct table *t, size_t line0, size_t line1)
{
	size_t column = t->ncols;

	for (size_t this = line0; this < line1; this ++) {
		if (column + 1 >= t->lines[this].n)
			continue;
		write_lines(t, line0, this);
		line0 = this;
		size_t width = t->minwidth;
		for (; this < line1 && column + 1 < t->lines[this].n; this ++)
			if (t->lines[this].cells[column].width + t->padding > width)
				width = t->lines[this].cells[column].width + t->padding;
		t->widths[t->ncols++] = width;
		format(t, line0, this);
		t->ncols--;
		line0 = this;
	}
	write_lines(t, line0, line1);
}

/* Splits text into lines of cells that point into it; returns the most cells a line has. */
static size_t split(struct table *t, const char *text)
{
	size_t most = 0;

	t->nlines = 1;
	for (const char *p = text; (p = strchr(p, '\n')); p++)
		t->nlines++;
	t->lines = xzalloc(t->nlines * sizeof *t->lines);
	for (size_t i = 0; i < t->nlines; i++) {
		struct line *l = &t->lines[i];
		size_t len = strcspn(text, "\n");
		l->n = 1;
		for (size_t k = 0; k < len; k++)
			l->n += text[k] == '\t';
		l->cells = xmalloc(l->n * sizeof *l->cells);
		for (size_t j = 0; j < l->n; j++) {
			size_t n = strcspn(text, "\t\n");
			l->cells[j] = (struct cell){text, n, code_points(text, n)};
			text += n + (j + 1 < l->n);
		}
		text += *text == '\n';
		if (l->n > most)
			most = l->n;
	}
	return most;
}

char *tabwriter_align(const char *text, size_t minwidth, size_t padding)
{
	struct table t = {.minwidth = minwidth, .padding = padding};
	char *out = NULL;
	size_t size;

	t.widths = xmalloc(split(&t, text) * sizeof *t.widths);
	t.out = open_memstream(&out, &size);
	if (!t.out)
		oom();
	format(&t, 0, t.nlines);
	if (fclose(t.out) != 0)
		oom();
	for (size_t i = 0; i < t.nlines; i++)
		free(t.lines[i].cells);
	free(t.lines);
	free(t.widths);
	return out;
}
