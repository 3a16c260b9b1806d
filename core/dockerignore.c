/* .dockerignore as moby/patternmatcher reads and matches it: patterns cleaned as Go's
 * filepath.Clean does, globs as filepath.Match has them ('*', '?', '[...]', '\' escapes;
 * none crosses a '/'), "**" for any number of directories, '!' exceptions, the last
 * matching pattern winning, and a path excluded when its parent directory is. */
#include "core/dockerignore.h"
#include "core/base/util.h"

#include <fnmatch.h>
#include <string.h>

/* How a pattern is matched, as patternmatcher sorts them: without globs a pattern is a
 * plain string compare, "**" alone at the start a suffix, at the end a prefix. */
enum match_kind { MATCH_EXACT, MATCH_PREFIX, MATCH_SUFFIX, MATCH_GLOB };

struct pattern {
	char *text; /* cleaned, without '!' */
	bool exception;
	enum match_kind kind;
};

struct dockerignore {
	struct pattern *patterns;
	size_t n;
	bool has_exceptions;
};

/* Go's filepath.Clean: no "." or empty elements, ".." resolved where it can be, no
 * trailing '/'; "" becomes ".". */
static char *clean_path(const char *p)
{
	size_t n = strlen(p);
	char *out = xmalloc(n + 2);
	bool rooted = *p == '/';
	size_t w = 0, dotdot = 0; /* dotdot: where ".." can no longer be undone */

	if (rooted)
		out[w++] = '/', dotdot = 1;
	for (size_t r = rooted; r < n;) {
		if (p[r] == '/') {
			r++;
		} else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
			r++;
		} else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < n && p[r] != '/'; r++)
				out[w++] = p[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

/* The end of the [...] class at p (past its ']'), or NULL when it is malformed as Go's
 * filepath.Match finds it: not closed, empty, or a range with no end. */
static const char *class_end(const char *p)
{
	int items = 0;

	p++;
	if (*p == '^')
		p++;
	for (;;) {
		if (*p == ']' && items)
			return p + 1;
		for (int side = 0; side < 2; side++) {
			if (!*p || *p == '-' || *p == ']')
				return NULL;
			if (*p == '\\' && !*++p)
				return NULL;
			p++;
			if (side == 0 && *p != '-')
				break;
			if (side == 0)
				p++;
		}
		items++;
	}
}

/* Whether c is in the class [...] that starts at p; '/' never is. */
static bool class_match(const char *p, const char *end, char c)
{
	if (c == '/')
		return false;
	/* fnmatch reads '!' as a negation where Go reads a literal '!' */
	cleanup_free char *cls = xmalloc((size_t)(end - p) * 2 + 1);
	size_t k = 0;
	for (const char *q = p; q < end; q++) {
		if (*q == '!')
			cls[k++] = '\\';
		cls[k++] = *q;
	}
	cls[k] = '\0';
	char s[2] = {c, '\0'};
	return fnmatch(cls, s, 0) == 0;
}

/* A match of a pattern against a path. failed[] remembers the (pattern, path) positions
 * known not to match, so that many stars cost polynomial time, not exponential. */
struct globber {
	const char *p0, *s0;
	size_t slen;
	unsigned char *failed;
};

static bool glob_at(struct globber *g, const char *p, const char *s);

/* glob_at, asked once per pair of positions. */
static bool glob_memo(struct globber *g, const char *p, const char *s)
{
	size_t at = (size_t)(p - g->p0) * (g->slen + 1) + (size_t)(s - g->s0);

	if (g->failed[at])
		return false;
	if (glob_at(g, p, s))
		return true;
	g->failed[at] = 1;
	return false;
}

/* p against s, as patternmatcher's regular expression: '*' and '?' stop at '/'; "**"
 * (with the '/' after it) matches any number of leading directories, and at the end of
 * p anything at all. */
static bool glob_at(struct globber *g, const char *p, const char *s)
{
	for (;;) {
		switch (*p) {
		case '\0':
			return !*s;
		case '*':
			if (p[1] == '*') {
				p += 2;
				if (*p == '/')
					p++;
				if (!*p)
					return true;
				if (glob_memo(g, p, s))
					return true;
				for (const char *q = s; *q; q++)
					if (*q == '/' && glob_memo(g, p, q + 1))
						return true;
				return false;
			}
			for (const char *q = s;; q++) {
				if (glob_memo(g, p + 1, q))
					return true;
				if (!*q || *q == '/')
					return false;
			}
		case '?':
			if (!*s || *s == '/')
				return false;
			p++, s++;
			break;
		case '[': {
			const char *end = class_end(p);
			if (!end || !*s || !class_match(p, end, *s))
				return false;
			p = end, s++;
			break;
		}
		default:
			/* a backslash makes the next character literal; at the end, itself */
			if (*p == '\\' && p[1])
				p++;
			if (*p != *s)
				return false;
			p++, s++;
		}
	}
}

static bool glob_match(const char *p, const char *s)
{
	size_t plen = strlen(p), slen = strlen(s);
	struct globber g = {.p0 = p, .s0 = s, .slen = slen};

	g.failed = xzalloc((plen + 1) * (slen + 1));
	bool m = glob_at(&g, p, s);
	free(g.failed);
	return m;
}

/* Whether the pattern is well formed, as filepath.Match would say. */
static bool valid(const char *p)
{
	for (; *p; p++) {
		if (*p == '\\' && !*++p)
			return false;
		if (*p == '[') {
			const char *end = class_end(p);
			if (!end)
				return false;
			p = end - 1;
		}
	}
	return true;
}

static enum match_kind kind_of(const char *p)
{
	enum match_kind kind = MATCH_EXACT;

	for (size_t i = 0; p[i]; i++) {
		if (p[i] == '*' && p[i + 1] == '*') {
			size_t j = i + 2 + (p[i + 2] == '/');
			if (!p[j])
				kind = kind == MATCH_EXACT ? MATCH_PREFIX : MATCH_GLOB;
			else
				kind = MATCH_GLOB;
			if (i == 0)
				kind = MATCH_SUFFIX;
			i = j - 1;
		} else if (p[i] == '*' || p[i] == '?' || p[i] == '[' || p[i] == ']') {
			kind = MATCH_GLOB;
		} else if (p[i] == '\\' && p[i + 1]) {
			kind = MATCH_GLOB;
			i++;
		}
	}
	return kind;
}

static bool pattern_match(const struct pattern *pt, const char *path)
{
	const char *t = pt->text;
	size_t tl = strlen(t), pl = strlen(path);

	switch (pt->kind) {
	case MATCH_EXACT:
		return !strcmp(t, path);
	case MATCH_PREFIX:
		return !strncmp(path, t, tl - 2);
	case MATCH_SUFFIX: {
		const char *suffix = t + 2;
		size_t sl = tl - 2;
		if (pl >= sl && !strcmp(path + pl - sl, suffix))
			return true;
		return *suffix == '/' && !strcmp(path, suffix + 1);
	}
	case MATCH_GLOB:
		break;
	}
	return glob_match(t, path);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int add_pattern(struct dockerignore *di, const char *line, size_t n, const char *path,
		       int lineno, struct holt_err *err)
{
	cleanup_free char *raw = xstrndup(line, n);
	char *p = raw;
	size_t len = strlen(p);
	bool exception = false;

	while (len && is_blank(p[len - 1]))
		p[--len] = '\0';
	while (is_blank(*p))
		p++;
	if (!*p)
		return 0;
	if (*p == '!') {
		exception = true;
		p++;
		while (is_blank(*p))
			p++;
		if (!*p)
			return holt_err_set(err, 0, "%s:%d: \"!\" excepts no pattern", path,
					    lineno);
	}
	cleanup_free char *clean = clean_path(p);
	char *text = clean;
	if (text[0] == '/' && text[1])
		text++;
	if (!valid(text))
		return holt_err_set(err, 0, "%s:%d: bad pattern \"%s\"", path, lineno, p);
	di->patterns = xrealloc(di->patterns, (di->n + 1) * sizeof *di->patterns);
	di->patterns[di->n++] =
	    (struct pattern){.text = xstrdup(text), .exception = exception, .kind = kind_of(text)};
	di->has_exceptions |= exception;
	return 0;
}

struct dockerignore *dockerignore_parse(const char *text, size_t len, const char *path,
					struct holt_err *err)
{
	struct dockerignore *di = xzalloc(sizeof *di);
	const char *p = text, *end = text + len;

	for (int lineno = 1; p < end; lineno++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		if (lineno == 1 && e - p >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
			p += 3;
		/* only a '#' in the first column makes a comment */
		if (p < e && *p != '#' &&
		    add_pattern(di, p, (size_t)(e - p), path, lineno, err) < 0) {
			dockerignore_free(di);
			return NULL;
		}
		p = e + 1;
	}
	return di;
}

void dockerignore_free(struct dockerignore *di)
{
	if (!di)
		return;
	for (size_t i = 0; i < di->n; i++)
		free(di->patterns[i].text);
	free(di->patterns);
	free(di);
}

/* Whether pt matches path or one of the directories above it. */
static bool match_or_parent(const struct pattern *pt, const char *path)
{
	if (pattern_match(pt, path))
		return true;
	cleanup_free char *parent = xstrdup(path);
	for (char *slash = strchr(parent, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		bool m = pattern_match(pt, parent);
		*slash = '/';
		if (m)
			return true;
	}
	return false;
}

bool dockerignore_excluded(const struct dockerignore *di, const char *path)
{
	bool excluded = false;

	for (size_t i = 0; i < di->n; i++) {
		const struct pattern *pt = &di->patterns[i];
		/* an exclusion cannot change an excluded path, nor an exception a kept one */
		if (pt->exception != excluded)
			continue;
		if (match_or_parent(pt, path))
			excluded = !pt->exception;
	}
	return excluded;
}

/* The length of p's first element: up to a '/' that is not in a [...] class. */
static size_t element_len(const char *p)
{
	const char *q = p;

	while (*q && *q != '/') {
		const char *end = *q == '[' ? class_end(q) : NULL;
		q = end ? end : q + 1;
	}
	return (size_t)(q - p);
}

/* Whether the exception pattern p could match dir or a path below it: its elements match
 * dir's elements in turn until one of them runs out. An element with "**" can match
 * any number of directories, and an escaped '/' does not split elements: either may
 * match anything below. */
static bool could_match_below(const char *p, const char *dir)
{
	if (strstr(p, "**") || strstr(p, "\\/"))
		return true;
	for (;;) {
		size_t pn = element_len(p), dn = strcspn(dir, "/");
		cleanup_free char *pe = xstrndup(p, pn);
		cleanup_free char *de = xstrndup(dir, dn);
		if (!glob_match(pe, de))
			return false;
		if (!p[pn] || !dir[dn])
			return true;
		p += pn + 1;
		dir += dn + 1;
	}
}

bool dockerignore_may_include_below(const struct dockerignore *di, const char *dir)
{
	for (size_t i = 0; i < di->n; i++)
		if (di->patterns[i].exception && could_match_below(di->patterns[i].text, dir))
			return true;
	return false;
}
