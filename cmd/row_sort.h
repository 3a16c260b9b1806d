/* podman's --sort for list commands: the rows are kept with a key, sorted, then printed. */
#ifndef HOLT_CMD_ROW_SORT_H
#define HOLT_CMD_ROW_SORT_H

#include <json.h>
#include <stdbool.h>
#include <stddef.h>

struct row_sort_entry {
	json_object *row; /* owned */
	char *key;	  /* owned; NULL sorts first */
	long long num;
	const void *data; /* the caller's, borrowed */
	size_t seq;	  /* the order rows came in, which equal keys keep */
};

struct row_sort {
	struct row_sort_entry *v;
	size_t n, cap;
};

/* Keeps row (taking the reference) with its sort key and number. */
void row_sort_add(struct row_sort *s, json_object *row, const char *key, long long num,
		  const void *data);
/* Sorts by key (or by num) ascending, or descending. */
void row_sort_run(struct row_sort *s, bool by_num, bool descending);
void row_sort_release(struct row_sort *s);

/* The index of name in names (NULL-ended), or -1; for the value of --sort. */
int row_sort_field(const char *const *names, const char *name);

#endif
