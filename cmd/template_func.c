/* The values and functions of the --format engine: Go's fmt %v and printf over json-c
 * values, Go's truth and comparisons, and the functions docker's templates call. */
#include "cmd/template_func.h"
#include "cmd/safe_text.h"
#include "core/base/util.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Go refuses widths past a million; so do we, to keep "%999999999s" from eating memory. */
#define MAX_WIDTH 1000000

/* --- text ------------------------------------------------------------------------------ */

void tbuf_add(struct tbuf *b, const char *s, size_t n)
{
	if (!n)
		return;
	if (!b->s || b->len + n + 1 > b->cap) {
		b->cap = 2 * (b->len + n + 1);
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void tbuf_puts(struct tbuf *b, const char *s)
{
	tbuf_add(b, s, strlen(s));
}

void tbuf_putc(struct tbuf *b, char c)
{
	tbuf_add(b, &c, 1);
}

static void tbuf_repeat(struct tbuf *b, char c, size_t n)
{
	while (n--)
		tbuf_putc(b, c);
}

__attribute__((format(printf, 2, 3))) static void tbuf_printf(struct tbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cleanup_free char *s = xvasprintf(fmt, ap);
	va_end(ap);
	tbuf_add(b, s, strlen(s));
}

/* Bytes of the first n code points of s[0..len). */
static size_t utf8_prefix(const char *s, size_t len, size_t n)
{
	size_t i = 0;
	for (; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n-- == 0)
			break;
	return i;
}

/* --- values ---------------------------------------------------------------------------- */

const char *tjson_type(json_object *j)
{
	switch (json_object_get_type(j)) {
	case json_type_null:
		return "<nil>";
	case json_type_boolean:
		return "bool";
	case json_type_int:
		return "int";
	case json_type_double:
		return "float64";
	case json_type_string:
		return "string";
	case json_type_array:
		return "[]interface {}";
	case json_type_object:
		break;
	}
	return "map[string]interface {}";
}

bool tvalue_truth(const struct tvalue *v)
{
	json_object *j = v->j;
	switch (v->missing ? json_type_null : json_object_get_type(j)) {
	case json_type_null:
		return false;
	case json_type_boolean:
		return json_object_get_boolean(j);
	case json_type_int:
		return json_object_get_int64(j) != 0;
	case json_type_double:
		return json_object_get_double(j) != 0;
	case json_type_string:
		return json_object_get_string_len(j) > 0;
	case json_type_array:
		return json_object_array_length(j) > 0;
	case json_type_object:
		break;
	}
	return json_object_object_length(j) > 0;
}

static bool is_string(json_object *j)
{
	return json_object_is_type(j, json_type_string);
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **tjson_sorted_keys(json_object *obj, size_t *n)
{
	struct json_object_iterator it = json_object_iter_begin(obj);
	struct json_object_iterator end = json_object_iter_end(obj);
	const char **keys = xmalloc(((size_t)json_object_object_length(obj) + 1) * sizeof *keys);

	*n = 0;
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		keys[(*n)++] = json_object_iter_peek_name(&it);
	qsort(keys, *n, sizeof *keys, cmp_strp);
	return keys;
}

/* A float64 as Go's %v prints it: the fewest digits that read back the same, in %e form
 * when the exponent is below -4 or at least 6. */
static void print_float(struct tbuf *b, double d)
{
	char tmp[64];
	int digits = 0;

	if (isnan(d) || isinf(d)) {
		tbuf_puts(b, isnan(d) ? "NaN" : d > 0 ? "+Inf" : "-Inf");
		return;
	}
	do
		snprintf(tmp, sizeof tmp, "%.*e", digits++, d);
	while (digits < 17 && strtod(tmp, NULL) != d);
	int exp = atoi(strchr(tmp, 'e') + 1);
	if (exp < -4 || exp >= 6)
		tbuf_puts(b, tmp);
	else
		tbuf_printf(b, "%.*f", digits - 1 - exp > 0 ? digits - 1 - exp : 0, d);
}

void tjson_print(struct tbuf *b, json_object *j)
{
	switch (json_object_get_type(j)) {
	case json_type_null:
		tbuf_puts(b, "<nil>");
		break;
	case json_type_boolean:
		tbuf_puts(b, json_object_get_boolean(j) ? "true" : "false");
		break;
	case json_type_int:
		tbuf_printf(b, "%" PRId64, json_object_get_int64(j));
		break;
	case json_type_double:
		print_float(b, json_object_get_double(j));
		break;
	case json_type_string:
		tbuf_add(b, json_object_get_string(j), (size_t)json_object_get_string_len(j));
		break;
	case json_type_array:
		tbuf_putc(b, '[');
		for (size_t i = 0; i < json_object_array_length(j); i++) {
			if (i)
				tbuf_putc(b, ' ');
			tjson_print(b, json_object_array_get_idx(j, i));
		}
		tbuf_putc(b, ']');
		break;
	case json_type_object: {
		size_t n;
		cleanup_free const char **keys = tjson_sorted_keys(j, &n);
		tbuf_puts(b, "map[");
		for (size_t i = 0; i < n; i++) {
			tbuf_printf(b, "%s%s:", i ? " " : "", keys[i]);
			tjson_print(b, json_object_object_get(j, keys[i]));
		}
		tbuf_putc(b, ']');
		break;
	}
	}
}

void tvalue_print(struct tbuf *b, const struct tvalue *v)
{
	if (v->missing)
		tbuf_puts(b, "<no value>");
	else
		tjson_print(b, v->j);
}

/* --- printf ---------------------------------------------------------------------------- */

struct spec {
	bool minus, plus, sharp, space, zero;
	int width, prec; /* -1: not given */
	char verb;
};

static int spec_number(const char **f)
{
	int n = 0;
	for (; isdigit((unsigned char)**f); (*f)++)
		if (n < MAX_WIDTH)
			n = n * 10 + (**f - '0');
	return n;
}

static const char *spec_parse(const char *f, struct spec *s)
{
	*s = (struct spec){.width = -1, .prec = -1};
	for (;; f++) {
		if (*f == '-')
			s->minus = true;
		else if (*f == '+')
			s->plus = true;
		else if (*f == '#')
			s->sharp = true;
		else if (*f == ' ')
			s->space = true;
		else if (*f == '0')
			s->zero = true;
		else
			break;
	}
	if (isdigit((unsigned char)*f))
		s->width = spec_number(&f);
	if (*f == '.') {
		f++;
		s->prec = spec_number(&f);
	}
	s->verb = *f;
	return *f ? f + 1 : f;
}

/* Pads text to the width in code points; lead is the sign or prefix that zero padding
 * goes after. */
static void pad(struct tbuf *b, const struct spec *s, const char *text, size_t len, size_t lead,
		bool zeros)
{
	size_t w = utf8_count(text, len);
	size_t fill = s->width > 0 && (size_t)s->width > w ? (size_t)s->width - w : 0;

	if (s->minus) {
		tbuf_add(b, text, len);
		tbuf_repeat(b, ' ', fill);
	} else if (zeros && s->zero) {
		tbuf_add(b, text, lead);
		tbuf_repeat(b, '0', fill);
		tbuf_add(b, text + lead, len - lead);
	} else {
		tbuf_repeat(b, ' ', fill);
		tbuf_add(b, text, len);
	}
}

static void fmt_int(struct tbuf *b, const struct spec *s, int64_t v)
{
	static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
	struct tbuf t = {0};
	char digits[72];
	size_t nd = 0;
	unsigned base = 10;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	if (s->verb == 'c') {
		utf8_put(&t, v < 0 || v > 0x10ffff ? 0xfffd : (uint32_t)v);
		pad(b, s, t.s, t.len, 0, false);
		free(t.s);
		return;
	}
	if (s->verb == 'x' || s->verb == 'X')
		base = 16;
	else if (s->verb == 'o')
		base = 8;
	else if (s->verb == 'b')
		base = 2;
	do
		digits[nd++] = (s->verb == 'X' ? upper : lower)[u % base];
	while (u /= base);
	if (s->prec == 0 && v == 0)
		nd = 0; /* Go's %.0d of 0 prints nothing */
	if (v < 0 || s->plus || s->space)
		tbuf_putc(&t, v < 0 ? '-' : s->plus ? '+' : ' ');
	if (s->sharp && base != 10)
		tbuf_puts(&t, s->verb == 'x'   ? "0x"
			      : s->verb == 'X' ? "0X"
			      : s->verb == 'b' ? "0b"
					       : "0");
	size_t lead = t.len;
	for (size_t i = nd; s->prec > 0 && i < (size_t)s->prec; i++)
		tbuf_putc(&t, '0');
	while (nd)
		tbuf_putc(&t, digits[--nd]);
	/* as in Go, a precision turns zero padding off */
	pad(b, s, t.s ? t.s : "", t.len, lead, s->prec < 0);
	free(t.s);
}

static void fmt_float(struct tbuf *b, const struct spec *s, double d)
{
	struct tbuf t = {0};
	int prec = s->prec < 0 ? 6 : s->prec;

	if (isnan(d) || isinf(d)) {
		print_float(&t, d);
		pad(b, s, t.s, t.len, 0, false);
		free(t.s);
		return;
	}
	if (!signbit(d) && (s->plus || s->space))
		tbuf_putc(&t, s->plus ? '+' : ' ');
	switch (s->verb) {
	case 'e':
		tbuf_printf(&t, "%.*e", prec, d);
		break;
	case 'E':
		tbuf_printf(&t, "%.*E", prec, d);
		break;
	case 'f':
	case 'F':
		tbuf_printf(&t, "%.*f", prec, d);
		break;
	case 'G':
		if (s->prec >= 0)
			tbuf_printf(&t, "%.*G", prec, d);
		else
			print_float(&t, d);
		if (strchr(t.s, 'e'))
			*strchr(t.s, 'e') = 'E';
		break;
	default: /* g, v */
		if (s->prec >= 0)
			tbuf_printf(&t, "%.*g", prec, d);
		else
			print_float(&t, d);
	}
	pad(b, s, t.s, t.len, t.s[0] == '-' || t.s[0] == '+' || t.s[0] == ' ', true);
	free(t.s);
}

static bool verb_in(const char *verbs, char verb)
{
	return verb && strchr(verbs, verb);
}

/* One verb. Stricter Go would refuse %s of a number; this prints its %v instead, and
 * lets %f take ints, since JSON does not show which numbers are which. A verb that fits
 * no value is an error, not Go's %!d(string=x) in the output. */
static int fmt_value(struct tbuf *b, const struct spec *s, json_object *j, struct holt_err *err)
{
	enum json_type t = json_object_get_type(j);
	bool number = t == json_type_int || t == json_type_double;
	struct tbuf text = {0};

	if (t == json_type_int && verb_in("vdxXobc", s->verb)) {
		struct spec d = *s;
		d.verb = s->verb == 'v' ? 'd' : s->verb;
		fmt_int(b, &d, json_object_get_int64(j));
		return 0;
	}
	if (number && (verb_in("eEfFgG", s->verb) || s->verb == 'v')) {
		fmt_float(b, s, json_object_get_double(j));
		return 0;
	}
	if ((s->verb == 'x' || s->verb == 'X') && t == json_type_string) {
		const char *str = json_object_get_string(j);
		for (int i = 0; i < json_object_get_string_len(j); i++)
			tbuf_printf(&text, s->verb == 'x' ? "%02x" : "%02X", (unsigned char)str[i]);
	} else if (s->verb == 't' && t == json_type_boolean) {
		tbuf_puts(&text, json_object_get_boolean(j) ? "true" : "false");
	} else if (s->verb == 's' || s->verb == 'v') {
		tjson_print(&text, j);
		if (s->prec >= 0 && t == json_type_string)
			text.len = utf8_prefix(text.s, text.len, (size_t)s->prec);
	} else {
		return holt_err_set(err, 0, "printf: %%%c of %s", s->verb, tjson_type(j));
	}
	pad(b, s, text.s ? text.s : "", text.len, 0, true);
	free(text.s);
	return 0;
}

static int printf_args(struct tbuf *b, const char *f, json_object **args, size_t n,
		       struct holt_err *err)
{
	size_t next = 0;
	struct spec s;

	while (*f) {
		const char *pct = strchr(f, '%');
		if (!pct) {
			tbuf_puts(b, f);
			break;
		}
		tbuf_add(b, f, (size_t)(pct - f));
		f = spec_parse(pct + 1, &s);
		if (s.verb == '%')
			tbuf_putc(b, '%');
		else if (!s.verb)
			return holt_err_set(err, 0, "printf: %% at the end of the format");
		else if (next >= n)
			return holt_err_set(err, 0, "printf: %%%c has no value", s.verb);
		else if (fmt_value(b, &s, args[next++], err) < 0)
			return -1;
	}
	if (next < n)
		return holt_err_set(err, 0, "printf: %zu values for %zu verbs", n, next);
	return 0;
}

/* --- functions ------------------------------------------------------------------------- */

static int set_bool(struct tvalue *out, bool b)
{
	*out = tvalue_own(json_object_new_boolean(b));
	return 0;
}

static int set_buf(struct tvalue *out, struct tbuf *b)
{
	*out = tvalue_own(json_object_new_string_len(b->s ? b->s : "", (int)b->len));
	free(b->s);
	*b = (struct tbuf){0};
	return 0;
}

/* The text of an argument that should be a string; numbers and bools pass as their %v
 * text, more lenient than Go's type check. */
static int str_arg(json_object *j, struct tbuf *b, struct holt_err *err)
{
	switch (json_object_get_type(j)) {
	case json_type_string:
	case json_type_int:
	case json_type_double:
	case json_type_boolean:
		tjson_print(b, j);
		return 0;
	default:
		return holt_err_set(err, 0, "wrong type for value; expected string; got %s",
				    tjson_type(j));
	}
}

static int int_arg(json_object *j, int64_t *v, struct holt_err *err)
{
	double d = json_object_get_double(j);

	if (json_object_is_type(j, json_type_int))
		*v = json_object_get_int64(j);
	else if (json_object_is_type(j, json_type_double) && d == trunc(d) && fabs(d) < 1e18)
		*v = (int64_t)d;
	else
		return holt_err_set(err, 0, "wrong type for value; expected int; got %s",
				    tjson_type(j));
	return 0;
}

static int fn_not(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	return set_bool(out, !tvalue_truth(&a[0]));
}

static int fn_len(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	json_object *j = a[0].j;
	int64_t len;

	switch (json_object_get_type(j)) {
	case json_type_string: /* bytes, as in Go */
		len = json_object_get_string_len(j);
		break;
	case json_type_array:
		len = (int64_t)json_object_array_length(j);
		break;
	case json_type_object:
		len = json_object_object_length(j);
		break;
	default:
		return holt_err_set(err, 0, "len of type %s", tjson_type(j));
	}
	*out = tvalue_own(json_object_new_int64(len));
	return 0;
}

static int fn_index(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	json_object *item = a[0].j;

	for (size_t i = 1; i < n; i++) {
		int64_t idx = 0;
		switch (json_object_get_type(item)) {
		case json_type_array:
			if (int_arg(a[i].j, &idx, err) < 0)
				return -1;
			if (idx < 0 || (uint64_t)idx >= json_object_array_length(item))
				return holt_err_set(err, 0, "index out of range: %" PRId64, idx);
			item = json_object_array_get_idx(item, (size_t)idx);
			break;
		case json_type_object:
			if (!is_string(a[i].j))
				return holt_err_set(err, 0, "value has type %s; should be string",
						    tjson_type(a[i].j));
			/* a missing key gives the zero value, nil, as Go's index does */
			item = json_object_object_get(item, json_object_get_string(a[i].j));
			break;
		case json_type_null:
			return holt_err_set(err, 0, "index of untyped nil");
		default:
			return holt_err_set(err, 0, "can't index item of type %s",
					    tjson_type(item));
		}
	}
	*out = tvalue_ref(item);
	return 0;
}

/* Orders two values as Go's comparison functions do: numbers by value (ints and floats
 * alike), strings bytewise, and, for eq and ne only, bools and nil. */
static int compare(json_object *a, json_object *b, bool ordered, int *cmp, struct holt_err *err)
{
	enum json_type ta = json_object_get_type(a), tb = json_object_get_type(b);
	bool num_a = ta == json_type_int || ta == json_type_double;
	bool num_b = tb == json_type_int || tb == json_type_double;

	if (num_a && num_b) {
		if (ta == json_type_int && tb == json_type_int) {
			int64_t x = json_object_get_int64(a), y = json_object_get_int64(b);
			*cmp = (x > y) - (x < y);
		} else {
			double x = json_object_get_double(a), y = json_object_get_double(b);
			*cmp = (x > y) - (x < y);
		}
	} else if (ta != tb) {
		if (ordered || (ta != json_type_null && tb != json_type_null))
			return holt_err_set(err, 0, "incompatible types for comparison");
		*cmp = 1;
	} else if (ta == json_type_string) {
		size_t la = (size_t)json_object_get_string_len(a);
		size_t lb = (size_t)json_object_get_string_len(b);
		int c =
		    memcmp(json_object_get_string(a), json_object_get_string(b), la < lb ? la : lb);
		*cmp = c ? (c > 0) - (c < 0) : (la > lb) - (la < lb);
	} else if (ordered) {
		return holt_err_set(err, 0, "invalid type for comparison");
	} else if (ta == json_type_boolean) {
		*cmp = json_object_get_boolean(a) != json_object_get_boolean(b);
	} else if (ta == json_type_null) {
		*cmp = 0;
	} else {
		return holt_err_set(err, 0, "non-comparable type %s", tjson_type(a));
	}
	return 0;
}

/* eq A B C...: A equals any of the others. */
static int fn_eq(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	for (size_t i = 1; i < n; i++) {
		int cmp = 0;
		if (compare(a[0].j, a[i].j, false, &cmp, err) < 0)
			return -1;
		if (cmp == 0)
			return set_bool(out, true);
	}
	return set_bool(out, false);
}

static int fn_ne(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	int cmp = 0;
	if (compare(a[0].j, a[1].j, false, &cmp, err) < 0)
		return -1;
	return set_bool(out, cmp != 0);
}

static int fn_lt(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	int cmp = 0;
	if (compare(a[0].j, a[1].j, true, &cmp, err) < 0)
		return -1;
	return set_bool(out, cmp < 0);
}

static int fn_le(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	int cmp = 0;
	if (compare(a[0].j, a[1].j, true, &cmp, err) < 0)
		return -1;
	return set_bool(out, cmp <= 0);
}

static int fn_gt(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	int cmp = 0;
	if (compare(a[0].j, a[1].j, true, &cmp, err) < 0)
		return -1;
	return set_bool(out, cmp > 0);
}

static int fn_ge(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	int cmp = 0;
	if (compare(a[0].j, a[1].j, true, &cmp, err) < 0)
		return -1;
	return set_bool(out, cmp >= 0);
}

/* Go's Sprint: a space between two operands when neither is a string. */
static int fn_print(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	struct tbuf b = {0};
	for (size_t i = 0; i < n; i++) {
		if (i && !is_string(a[i - 1].j) && !is_string(a[i].j))
			tbuf_putc(&b, ' ');
		tjson_print(&b, a[i].j);
	}
	return set_buf(out, &b);
}

static int fn_println(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	struct tbuf b = {0};
	for (size_t i = 0; i < n; i++) {
		if (i)
			tbuf_putc(&b, ' ');
		tjson_print(&b, a[i].j);
	}
	tbuf_putc(&b, '\n');
	return set_buf(out, &b);
}

static int fn_printf(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	struct tbuf b = {0};
	cleanup_free json_object **args = xmalloc(n * sizeof *args);

	if (!is_string(a[0].j))
		return holt_err_set(err, 0, "wrong type for value; expected string; got %s",
				    tjson_type(a[0].j));
	for (size_t i = 1; i < n; i++)
		args[i - 1] = a[i].j;
	if (printf_args(&b, json_object_get_string(a[0].j), args, n - 1, err) < 0) {
		free(b.s);
		return -1;
	}
	return set_buf(out, &b);
}

static int fn_json(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	cleanup_free char *text = json_text_fix_utf8(json_object_to_json_string_ext(
	    a[0].j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	*out = tvalue_own(json_object_new_string(text));
	return 0;
}

enum letter_case { UPPER, LOWER, TITLE };

/* ASCII letters only: docker's title is documented for ASCII, and upper and lower of
 * non-ASCII names are rare enough not to need a locale. */
static int change_case(struct tvalue *a, struct tvalue *out, struct holt_err *err,
		       enum letter_case to)
{
	struct tbuf b = {0};
	bool in_word = false;

	if (str_arg(a[0].j, &b, err) < 0)
		return -1;
	for (size_t i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.s[i];
		if (c >= 'a' && c <= 'z' && (to == UPPER || (to == TITLE && !in_word)))
			b.s[i] = (char)(c - 'a' + 'A');
		else if (c >= 'A' && c <= 'Z' && to == LOWER)
			b.s[i] = (char)(c - 'A' + 'a');
		in_word = isalnum(c) || c == '_' || c >= 0x80;
	}
	return set_buf(out, &b);
}

static int fn_upper(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	return change_case(a, out, err, UPPER);
}

static int fn_lower(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	return change_case(a, out, err, LOWER);
}

static int fn_title(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	return change_case(a, out, err, TITLE);
}

/* split S SEP, Go's strings.Split: an empty SEP splits after each UTF-8 sequence. */
static int fn_split(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	struct tbuf s = {0}, sep = {0};

	if (str_arg(a[0].j, &s, err) < 0 || str_arg(a[1].j, &sep, err) < 0) {
		free(s.s);
		return -1;
	}
	json_object *list = json_object_new_array();
	const char *p = s.s ? s.s : "", *end = p + s.len, *hit;
	if (!sep.len) {
		for (size_t len; p < end; p += len) {
			len = utf8_seq(p, (size_t)(end - p)) ?: 1;
			json_object_array_add(list, json_object_new_string_len(p, (int)len));
		}
	} else {
		for (; (hit = memmem(p, (size_t)(end - p), sep.s, sep.len)); p = hit + sep.len)
			json_object_array_add(list, json_object_new_string_len(p, (int)(hit - p)));
		json_object_array_add(list, json_object_new_string_len(p, (int)(end - p)));
	}
	free(s.s);
	free(sep.s);
	*out = tvalue_own(list);
	return 0;
}

/* join LIST SEP; the elements print as %v, where Go wants strings. */
static int fn_join(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	json_object *list = a[0].j;
	struct tbuf sep = {0}, b = {0};

	if (!json_object_is_type(list, json_type_array))
		return holt_err_set(err, 0, "wrong type for value; expected []string; got %s",
				    tjson_type(list));
	if (str_arg(a[1].j, &sep, err) < 0)
		return -1;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		if (i)
			tbuf_add(&b, sep.s, sep.len);
		tjson_print(&b, json_object_array_get_idx(list, i));
	}
	free(sep.s);
	return set_buf(out, &b);
}

/* pad S BEFORE AFTER: spaces around S unless it is empty. */
static int fn_pad(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	struct tbuf s = {0}, b = {0};
	int64_t before = 0, after = 0;

	if (int_arg(a[1].j, &before, err) < 0 || int_arg(a[2].j, &after, err) < 0)
		return -1;
	if (before < 0 || after < 0 || before > MAX_WIDTH || after > MAX_WIDTH)
		return holt_err_set(err, 0, "padding out of range");
	if (str_arg(a[0].j, &s, err) < 0)
		return -1;
	if (s.len) {
		tbuf_repeat(&b, ' ', (size_t)before);
		tbuf_add(&b, s.s, s.len);
		tbuf_repeat(&b, ' ', (size_t)after);
	}
	free(s.s);
	return set_buf(out, &b);
}

/* truncate S N: the first N code points (docker counts bytes, which can split one). */
static int fn_truncate(struct tvalue *a, size_t n, struct tvalue *out, struct holt_err *err)
{
	struct tbuf s = {0};
	int64_t len = 0;

	if (int_arg(a[1].j, &len, err) < 0)
		return -1;
	if (len < 0)
		return holt_err_set(err, 0, "negative length %" PRId64, len);
	if (str_arg(a[0].j, &s, err) < 0)
		return -1;
	s.len = utf8_prefix(s.s ? s.s : "", s.len, (size_t)len);
	return set_buf(out, &s);
}

/* Go's builtins that docker templates use, and docker's own (json .. truncate). */
static const struct tfunc funcs[] = {
    /* name, min args, max args, function, lazy, header passthrough */
    {"and", 1, TFUNC_ANY, NULL, TFUNC_AND, false},
    {"or", 1, TFUNC_ANY, NULL, TFUNC_OR, false},
    {"not", 1, 1, fn_not, TFUNC_EAGER, false},
    {"len", 1, 1, fn_len, TFUNC_EAGER, false},
    {"index", 1, TFUNC_ANY, fn_index, TFUNC_EAGER, false},
    {"eq", 2, TFUNC_ANY, fn_eq, TFUNC_EAGER, false},
    {"ne", 2, 2, fn_ne, TFUNC_EAGER, false},
    {"lt", 2, 2, fn_lt, TFUNC_EAGER, false},
    {"le", 2, 2, fn_le, TFUNC_EAGER, false},
    {"gt", 2, 2, fn_gt, TFUNC_EAGER, false},
    {"ge", 2, 2, fn_ge, TFUNC_EAGER, false},
    {"print", 0, TFUNC_ANY, fn_print, TFUNC_EAGER, false},
    {"printf", 1, TFUNC_ANY, fn_printf, TFUNC_EAGER, false},
    {"println", 0, TFUNC_ANY, fn_println, TFUNC_EAGER, false},
    {"json", 1, 1, fn_json, TFUNC_EAGER, true},
    {"upper", 1, 1, fn_upper, TFUNC_EAGER, true},
    {"lower", 1, 1, fn_lower, TFUNC_EAGER, true},
    {"title", 1, 1, fn_title, TFUNC_EAGER, true},
    {"split", 2, 2, fn_split, TFUNC_EAGER, true},
    {"join", 2, 2, fn_join, TFUNC_EAGER, true},
    {"pad", 3, 3, fn_pad, TFUNC_EAGER, false},
    {"truncate", 2, 2, fn_truncate, TFUNC_EAGER, true},
};

const struct tfunc *tfunc_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof funcs / sizeof *funcs; i++)
		if (strlen(funcs[i].name) == len && !strncmp(funcs[i].name, name, len))
			return &funcs[i];
	return NULL;
}
