/* Inside the template engine: how values print, compare and convert, and the functions
 * templates call (core/template_func.c), for the parser and renderer (core/template.c).
 * Nothing outside the engine includes this. */
#ifndef HOLT_CMD_TEMPLATE_FUNC_H
#define HOLT_CMD_TEMPLATE_FUNC_H

#include "core/base/err.h"

#include <json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growing string; s is NULL until something is added, then NUL-terminated. */
struct tbuf {
	char *s;
	size_t len, cap;
};

void tbuf_add(struct tbuf *b, const char *s, size_t n);
void tbuf_putc(struct tbuf *b, char c);

/* Code points in s[0..len): every byte that does not continue a sequence. */
static inline size_t utf8_count(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* Length of the well-formed multi-byte sequence at str, or 0. */
static inline size_t utf8_seq(const char *str, size_t avail)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = s[0] > 0xf4 ? 0 : s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (!n || n > avail)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* Appends c in UTF-8; U+FFFD for what is not a code point. */
static inline void utf8_put(struct tbuf *b, uint32_t c)
{
	char s[4];
	size_t n;

	if (c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
		c = 0xfffd;
	if (c < 0x80) {
		s[0] = (char)c, n = 1;
	} else if (c < 0x800) {
		s[0] = (char)(0xc0 | c >> 6), n = 2;
	} else if (c < 0x10000) {
		s[0] = (char)(0xe0 | c >> 12), n = 3;
	} else {
		s[0] = (char)(0xf0 | c >> 18), n = 4;
	}
	for (size_t i = 1; i < n; i++)
		s[i] = (char)(0x80 | ((c >> (6 * (n - 1 - i))) & 0x3f));
	tbuf_add(b, s, n);
}

/* A value while rendering: an owned reference (NULL is JSON null), or Go's invalid value
 * that a missing map key yields. */
struct tvalue {
	json_object *j;
	bool missing;
};

static inline struct tvalue tvalue_ref(json_object *j)
{
	return (struct tvalue){json_object_get(j), false};
}

static inline struct tvalue tvalue_own(json_object *j)
{
	return (struct tvalue){j, false};
}

static inline struct tvalue tvalue_copy(const struct tvalue *v)
{
	return (struct tvalue){json_object_get(v->j), v->missing};
}

static inline void tvalue_clear(struct tvalue *v)
{
	json_object_put(v->j);
	*v = (struct tvalue){0};
}

/* Go's truth: false, 0, "", nil, empty arrays and maps, and missing values are false. */
bool tvalue_truth(const struct tvalue *v);
/* Go's %v of v, "<no value>" when it is missing. */
void tvalue_print(struct tbuf *b, const struct tvalue *v);
/* Go's %v of j: strings raw, [a b] for arrays, map[k:v] for objects, <nil> for null. */
void tjson_print(struct tbuf *b, json_object *j);
/* Go's name for j's type, which docker users meet in its messages. */
const char *tjson_type(json_object *j);
/* The keys of obj sorted, the order in which Go prints and ranges over a map. They
 * belong to obj; the array is the caller's. */
const char **tjson_sorted_keys(json_object *obj, size_t *n);

/* A function gets its arguments (missing values already made null) and sets *out, or
 * fails with the reason in err. */
typedef int tfunc_fn(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err);

enum tfunc_lazy { TFUNC_EAGER, TFUNC_AND, TFUNC_OR };

#define TFUNC_ANY SIZE_MAX

struct tfunc {
	const char *name;
	size_t min, max; /* how many arguments it takes */
	tfunc_fn *call;	 /* NULL for and, or: the renderer evaluates their arguments lazily */
	enum tfunc_lazy lazy;
	bool header_passthrough; /* returns its value unchanged in a table header */
};

/* The function called name[0..len), or NULL. */
const struct tfunc *tfunc_find(const char *name, size_t len);

#endif
