/* The expansion of Dockerfile words as BuildKit's shell lexer does it: quotes, the escape
 * character, $VAR and ${VAR...} forms. */
#include "core/base/util.h"
#include "core/dockerfile.h"
#include "core/dockerfile_line.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <string.h>

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sbuf_addn(struct sbuf *b, const char *s, size_t n)
{
	if (!n)
		return;
	if (!b->s || b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sbuf_addc(struct sbuf *b, char c)
{
	sbuf_addn(b, &c, 1);
}

struct lex {
	const char *word; /* the whole input, for messages */
	const char *p;
	char escape;
	char stopped;	/* the character that ended the last scan with stops */
	bool quoted;	/* a quote was seen: the word stays even when empty (when not split) */
	char ***fields; /* when set, unquoted expansions are split into these at blanks */
	char *const *vars;
	struct holt_err *err;
};

static __attribute__((format(printf, 2, 3))) int lex_fail(struct lex *lx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cleanup_free char *why = xvasprintf(fmt, ap);
	va_end(ap);
	return holt_err_set(lx->err, 0, "expand \"%s\": %s", lx->word, why);
}

/* The value of name (n bytes) in vars, the last entry winning; NULL when unset. */
static const char *lookup(char *const *vars, const char *name, size_t n)
{
	const char *found = NULL;

	for (char *const *v = vars; v && *v; v++)
		if (!strncmp(*v, name, n) && (*v)[n] == '=')
			found = *v + n + 1;
	return found;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* A variable name at p: letters, digits and '_', or a run of digits as the shell's
 * positional parameters. Returns its length. */
static size_t name_len(const char *p)
{
	size_t n = 0;

	if (*p >= '0' && *p <= '9') {
		while (p[n] >= '0' && p[n] <= '9')
			n++;
		return n;
	}
	while (is_name_char(p[n]))
		n++;
	return n;
}

static int scan(struct lex *lx, const char *stops, struct sbuf *k);

/* '...': everything literal up to the next '. */
static int single_quote(struct lex *lx, struct sbuf *k)
{
	const char *end = strchr(++lx->p, '\'');
	if (!end)
		return lex_fail(lx, "a single quote is not closed");
	sbuf_addn(k, lx->p, (size_t)(end - lx->p));
	lx->p = end + 1;
	return 0;
}

static int dollar(struct lex *lx, struct sbuf *out);

/* "...": $ expands; the escape character escapes only ", $ and itself. */
static int double_quote(struct lex *lx, struct sbuf *k)
{
	struct sbuf b = {0};

	lx->p++;
	for (;;) {
		char c = *lx->p;
		if (!c) {
			free(b.s);
			return lex_fail(lx, "a double quote is not closed");
		}
		if (c == '"') {
			lx->p++;
			break;
		}
		if (c == '$') {
			if (dollar(lx, &b) < 0) {
				free(b.s);
				return -1;
			}
			continue;
		}
		lx->p++;
		if (c == lx->escape && (*lx->p == '"' || *lx->p == '$' || *lx->p == lx->escape))
			c = *lx->p++;
		sbuf_addc(&b, c);
	}
	sbuf_addn(k, b.s, b.len);
	free(b.s);
	return 0;
}

/* The word of ${VAR:-word} and its kin, up to one of stops. */
static int subword(struct lex *lx, const char *stops, char **word)
{
	struct sbuf k = {0};

	if (scan(lx, stops, &k) < 0) {
		free(k.s);
		return -1;
	}
	*word = k.s ? k.s : xstrdup("");
	return 0;
}

/* Whether the shell pattern matches value[from, to). */
static bool match_part(const char *pattern, const char *value, size_t from, size_t to)
{
	cleanup_free char *part = xstrndup(value + from, to - from);
	return fnmatch(pattern, part, 0) == 0;
}

/* ${name#pattern} and ${name##pattern} remove a prefix, ${name%pattern} and
 * ${name%%pattern} a suffix (doubled: the longest), ${name/pattern/with} replaces the
 * first longest match and ${name//pattern/with} every one. */
static int pattern_op(struct lex *lx, char op, const char *value, struct sbuf *out)
{
	bool twice = *lx->p == op;
	cleanup_free char *pattern = NULL;
	cleanup_free char *with = NULL;
	size_t n = strlen(value);

	if (twice)
		lx->p++;
	if (subword(lx, op == '/' ? "/}" : "}", &pattern) < 0)
		return -1;
	if (op == '/' && lx->stopped == '/' && subword(lx, "}", &with) < 0)
		return -1;
	if (op == '#') {
		for (size_t i = 0; i <= n; i++) {
			size_t cut = twice ? n - i : i;
			if (match_part(pattern, value, 0, cut)) {
				sbuf_addn(out, value + cut, n - cut);
				return 0;
			}
		}
	} else if (op == '%') {
		for (size_t i = 0; i <= n; i++) {
			size_t cut = twice ? i : n - i;
			if (match_part(pattern, value, cut, n)) {
				sbuf_addn(out, value, cut);
				return 0;
			}
		}
	} else {
		size_t i = 0;
		bool replaced = false;
		while (i < n && *pattern && (!replaced || twice)) {
			size_t j = n + 1;
			while (j-- > i + 1 && !match_part(pattern, value, i, j))
				;
			if (j > i) {
				sbuf_addn(out, with ? with : "", with ? strlen(with) : 0);
				i = j;
				replaced = true;
			} else {
				sbuf_addc(out, value[i++]);
			}
		}
		sbuf_addn(out, value + i, n - i);
		return 0;
	}
	sbuf_addn(out, value, n);
	return 0;
}

/* ${name<op>word}: op is one of -, +, ?, optionally after ':' which makes an empty
 * value count as unset. */
static int braced(struct lex *lx, struct sbuf *out)
{
	const char *name = lx->p;
	size_t n = name_len(name);

	if (!*name)
		return lex_fail(lx, "a ${ is not closed");
	if (!n)
		return lex_fail(lx, "bad substitution");
	lx->p += n;
	const char *value = lookup(lx->vars, name, n);
	char c = *lx->p++;
	if (c == '}') {
		sbuf_addn(out, value ? value : "", value ? strlen(value) : 0);
		return 0;
	}
	if (!c)
		return lex_fail(lx, "a ${ is not closed");
	if (c == '#' || c == '%' || c == '/')
		return pattern_op(lx, c, value ? value : "", out);
	bool colon = c == ':';
	if (colon)
		c = *lx->p++;
	if (c != '-' && c != '+' && c != '?')
		return c ? lex_fail(lx, "unsupported modifier (%c) in substitution", c)
			 : lex_fail(lx, "a ${ is not closed");
	cleanup_free char *word = NULL;
	if (subword(lx, "}", &word) < 0)
		return -1;
	bool set = value && (!colon || *value);
	if (c == '-')
		value = set ? value : word;
	else if (c == '+')
		value = set ? word : "";
	else if (!set)
		return lex_fail(lx, "%.*s: %s", (int)n, name,
				*word ? word : (value ? "is empty" : "is not set"));
	sbuf_addn(out, value, strlen(value));
	return 0;
}

/* $name or ${...} at lx->p; a $ that starts neither is kept. */
static int dollar(struct lex *lx, struct sbuf *out)
{
	lx->p++;
	if (*lx->p == '{') {
		lx->p++;
		return braced(lx, out);
	}
	size_t n = name_len(lx->p);
	if (!n) {
		sbuf_addc(out, '$');
		return 0;
	}
	const char *value = lookup(lx->vars, lx->p, n);
	lx->p += n;
	if (value)
		sbuf_addn(out, value, strlen(value));
	return 0;
}

/* Ends the word in k; BuildKit's ProcessWords drops empty words, even quoted ones. */
static void field_end(struct lex *lx, struct sbuf *k)
{
	if (k->len)
		strv_push(lx->fields, k->s);
	k->len = 0;
	if (k->s)
		k->s[0] = '\0';
}

/* An unquoted $... whose value's blanks separate words, as BuildKit's ProcessWords does. */
static int split_dollar(struct lex *lx, struct sbuf *k)
{
	struct sbuf v = {0};

	if (dollar(lx, &v) < 0) {
		free(v.s);
		return -1;
	}
	for (size_t i = 0; i < v.len; i++) {
		if (isspace((unsigned char)v.s[i]))
			field_end(lx, k);
		else
			sbuf_addc(k, v.s[i]);
	}
	free(v.s);
	return 0;
}

/* Scans up to one of stops (inside ${...}: '}', and '/' in a pattern), which it leaves
 * in lx->stopped, or to the end when stops is NULL. */
static int scan(struct lex *lx, const char *stops, struct sbuf *k)
{
	while (*lx->p) {
		char c = *lx->p;
		if (stops && strchr(stops, c)) {
			lx->stopped = c;
			lx->p++;
			return 0;
		}
		if (c == '\'') {
			lx->quoted = true;
			if (single_quote(lx, k) < 0)
				return -1;
		} else if (c == '"') {
			lx->quoted = true;
			if (double_quote(lx, k) < 0)
				return -1;
		} else if (c == '$' && lx->fields && !stops) {
			if (split_dollar(lx, k) < 0)
				return -1;
		} else if (c == '$') {
			if (dollar(lx, k) < 0)
				return -1;
		} else if (c == lx->escape) {
			/* an escape at the very end is dropped */
			if (!*++lx->p)
				break;
			sbuf_addn(k, lx->p++, 1);
		} else {
			sbuf_addn(k, lx->p++, 1);
		}
	}
	if (stops)
		return lex_fail(lx, "a ${ is not closed");
	return 0;
}

char *dockerfile_expand(const char *word, char *const *vars, char escape, struct holt_err *err)
{
	struct lex lx = {.word = word, .p = word, .escape = escape, .vars = vars, .err = err};
	struct sbuf k = {0};

	if (scan(&lx, NULL, &k) < 0) {
		free(k.s);
		return NULL;
	}
	return k.s ? k.s : xstrdup("");
}

/* The words as the parser splits them, quotes kept, each then expanded; with split, the
 * value of an unquoted $VAR is split further at its blanks. */
static char **words(const char *args, char *const *vars, char escape, bool split,
		    struct holt_err *err)
{
	cleanup_strv char **raw = dockerfile_raw_words(args, escape);
	cleanup_strv char **out = xzalloc(sizeof *out);

	for (char **r = raw; *r; r++) {
		struct lex lx = {.word = *r,
				 .p = *r,
				 .escape = escape,
				 .vars = vars,
				 .fields = split ? &out : NULL,
				 .err = err};
		struct sbuf k = {0};
		if (scan(&lx, NULL, &k) < 0) {
			free(k.s);
			return NULL;
		}
		if (k.len || (lx.quoted && !split))
			strv_push(&out, k.s ? k.s : "");
		free(k.s);
	}
	return steal_pointer(&out);
}

/* A value with blanks stays one word, as ENV A=$B and COPY $SRC need. */
char **dockerfile_words(const char *args, char *const *vars, char escape, struct holt_err *err)
{
	return words(args, vars, escape, false, err);
}

char **dockerfile_fields(const char *args, char *const *vars, char escape, struct holt_err *err)
{
	return words(args, vars, escape, true, err);
}
