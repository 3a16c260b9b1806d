#include "cmd/row_sort.h"
#include "core/base/util.h"

#include <stdlib.h>
#include <string.h>

void row_sort_add(struct row_sort *s, json_object *row, const char *key, long long num,
		  const void *data)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n] = (struct row_sort_entry){row, key ? xstrdup(key) : NULL, num, data, s->n};
	s->n++;
}

static int sign(long long d)
{
	return (d > 0) - (d < 0);
}

/* qsort has no context: the order is passed through these while it runs. */
static bool sort_by_num, sort_descending;

static int compare(const void *pa, const void *pb)
{
	const struct row_sort_entry *a = pa, *b = pb;
	int c = sort_by_num ? sign(a->num - b->num)
		: !a->key   ? (b->key ? -1 : 0)
		: !b->key   ? 1
			    : strcmp(a->key, b->key);
	if (sort_descending)
		c = -c;
	return c ? c : sign((long long)a->seq - (long long)b->seq);
}

void row_sort_run(struct row_sort *s, bool by_num, bool descending)
{
	sort_by_num = by_num;
	sort_descending = descending;
	if (s->n)
		qsort(s->v, s->n, sizeof *s->v, compare);
}

void row_sort_release(struct row_sort *s)
{
	for (size_t i = 0; i < s->n; i++) {
		json_object_put(s->v[i].row);
		free(s->v[i].key);
	}
	free(s->v);
	*s = (struct row_sort){0};
}

int row_sort_field(const char *const *names, const char *name)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}
