/* A Dockerfile read line by line as BuildKit's parser reads it: parser directives at the
 * top, comments, continuations joined, one instruction per logical line, the heredoc
 * bodies that follow it, then the instructions grouped into stages. */
#include "core/dockerfile.h"
#include "core/base/util.h"
#include "core/dockerfile_line.h"

#include <ctype.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

struct reader {
	const char *p, *end;
	int line; /* of the line last read */
};

/* The next line, without its \n or \r\n; false at the end. */
static bool next_line(struct reader *r, const char **s, size_t *n)
{
	if (r->p >= r->end)
		return false;
	const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	const char *e = nl ? nl : r->end;
	*s = r->p;
	*n = (size_t)(e - r->p);
	if (*n && (*s)[*n - 1] == '\r')
		(*n)--;
	r->p = nl ? nl + 1 : r->end;
	r->line++;
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n';
}

static void skip_space(const char **s, size_t *n)
{
	while (*n && is_space(**s))
		(*s)++, (*n)--;
}

static bool is_comment(const char *s, size_t n)
{
	skip_space(&s, &n);
	return n && *s == '#';
}

static bool is_blank(const char *s, size_t n)
{
	skip_space(&s, &n);
	return !n;
}

/* Removes a trailing escape character (and blanks after it) from line: true when the
 * instruction continues on the next line. */
static bool trim_continuation(char *line, size_t *len, char escape)
{
	size_t n = *len;

	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	if (!n || line[n - 1] != escape)
		return false;
	*len = n - 1;
	line[*len] = '\0';
	return true;
}

enum directive { DIRECTIVE_ESCAPE, DIRECTIVE_SYNTAX, DIRECTIVE_CHECK, DIRECTIVE_NONE };

struct parser {
	struct dockerfile *df;
	struct reader r;
	bool directives_open;
	bool seen[DIRECTIVE_NONE]; /* by enum directive */
	struct holt_err *err;
};

static __attribute__((format(printf, 3, 4))) int fail_at(struct parser *ps, int line,
							 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cleanup_free char *why = xvasprintf(fmt, ap);
	va_end(ap);
	return holt_err_set(ps->err, 0, "%s:%d: %s", ps->df->path, line, why);
}

/* Whether s is `# key=value`: key is [A-Za-z][A-Za-z0-9]*, blanks around both. */
static bool split_directive(const char *s, size_t n, char **key, char **value)
{
	size_t i = 1, k0, k1, v0, v1;

	if (!n || *s != '#')
		return false;
	while (i < n && is_space(s[i]))
		i++;
	k0 = i;
	if (i >= n || !isalpha((unsigned char)s[i]))
		return false;
	while (i < n && isalnum((unsigned char)s[i]))
		i++;
	k1 = i;
	while (i < n && is_space(s[i]))
		i++;
	if (i >= n || s[i] != '=')
		return false;
	i++;
	while (i < n && is_space(s[i]))
		i++;
	v0 = i;
	v1 = n;
	while (v1 > v0 && is_space(s[v1 - 1]))
		v1--;
	if (v1 == v0)
		return false;
	*key = xstrndup(s + k0, k1 - k0);
	*value = xstrndup(s + v0, v1 - v0);
	return true;
}

/* A parser directive, as long as only directives came before. Any other line, an
 * unknown key included, ends the directives. */
static int directive(struct parser *ps, const char *s, size_t n)
{
	static const char *const names[] = {"escape", "syntax", "check"};
	cleanup_free char *key = NULL;
	cleanup_free char *value = NULL;
	enum directive d = DIRECTIVE_NONE;

	if (split_directive(s, n, &key, &value))
		for (d = 0; d < DIRECTIVE_NONE && strcasecmp(key, names[d]); d++)
			;
	if (d == DIRECTIVE_NONE) {
		ps->directives_open = false;
		return 0;
	}
	if (ps->seen[d])
		return fail_at(ps, ps->r.line, "only one %s directive may be given", key);
	ps->seen[d] = true;
	if (d == DIRECTIVE_ESCAPE) {
		if (strcmp(value, "\\") && strcmp(value, "`"))
			return fail_at(ps, ps->r.line, "escape \"%s\" is neither \\ nor `", value);
		ps->df->escape = value[0];
	} else if (d == DIRECTIVE_SYNTAX) {
		ps->df->syntax = steal_pointer(&value);
	}
	return 0;
}

/* The word after << in a heredoc marker: the name without quotes, and whether it was
 * quoted (no expansion in the body). */
static char *heredoc_name(const char *s, size_t n, char escape, bool *quoted)
{
	char *name = xmalloc(n + 1);
	size_t k = 0;
	char quote = 0;

	*quoted = false;
	for (size_t i = 0; i < n; i++) {
		if (quote && s[i] == quote) {
			quote = 0;
		} else if (!quote && (s[i] == '\'' || s[i] == '"')) {
			quote = s[i];
			*quoted = true;
		} else if (quote != '\'' && s[i] == escape && i + 1 < n) {
			name[k++] = s[++i];
		} else {
			name[k++] = s[i];
		}
	}
	name[k] = '\0';
	return name;
}

/* The heredoc markers of line: its words (quotes kept, as the lexer reads them with raw
 * quotes) of the form [n]<<[-]NAME. */
static void find_heredocs(struct dockerfile_instruction *ins, char escape)
{
	const char *p = ins->text;

	for (;;) {
		while (*p && is_space(*p))
			p++;
		if (!*p)
			return;
		const char *w = p;
		char quote = 0;
		for (; *p && (quote || !is_space(*p)); p++) {
			if (quote && *p == quote)
				quote = 0;
			else if (!quote && (*p == '\'' || *p == '"'))
				quote = *p;
			else if (quote != '\'' && *p == escape && p[1])
				p++;
		}
		size_t n = (size_t)(p - w);
		size_t i = 0;
		while (i < n && w[i] >= '0' && w[i] <= '9')
			i++;
		if (n - i < 3 || w[i] != '<' || w[i + 1] != '<')
			continue;
		i += 2;
		bool chomp = w[i] == '-';
		if (chomp)
			i++;
		if (i == n || memchr(w + i, '<', n - i))
			continue;
		bool quoted;
		char *name = heredoc_name(w + i, n - i, escape, &quoted);
		if (!*name) {
			free(name);
			continue;
		}
		ins->heredocs =
		    xrealloc(ins->heredocs, (ins->n_heredocs + 1) * sizeof *ins->heredocs);
		ins->heredocs[ins->n_heredocs++] =
		    (struct dockerfile_heredoc){.name = name, .expand = !quoted, .chomp = chomp};
	}
}

/* The lines after the instruction, up to each heredoc's delimiter in turn. */
static int read_heredocs(struct parser *ps, struct dockerfile_instruction *ins)
{
	for (size_t h = 0; h < ins->n_heredocs; h++) {
		struct dockerfile_heredoc *doc = &ins->heredocs[h];
		size_t name_len = strlen(doc->name);
		char *body = NULL;
		size_t body_len = 0;
		const char *s;
		size_t n;
		bool closed = false;

		while (next_line(&ps->r, &s, &n)) {
			if (doc->chomp)
				while (n && *s == '\t')
					s++, n--;
			if (n == name_len && !memcmp(s, doc->name, n)) {
				closed = true;
				break;
			}
			body = xrealloc(body, body_len + n + 2);
			memcpy(body + body_len, s, n);
			body_len += n;
			body[body_len++] = '\n';
			body[body_len] = '\0';
		}
		doc->body = body ? body : xstrdup("");
		if (!closed)
			return fail_at(ps, ins->line, "%s: heredoc \"%s\" is not closed",
				       ins->keyword, doc->name);
	}
	return 0;
}

/* The next instruction, continuations joined and heredocs read; 0 at the end. */
static int next_instruction(struct parser *ps, struct dockerfile_instruction *ins)
{
	const char *s;
	size_t n;

	while (next_line(&ps->r, &s, &n)) {
		if (ps->r.line == 1 && n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
			s += 3, n -= 3;
		skip_space(&s, &n);
		if (ps->directives_open && directive(ps, s, n) < 0)
			return -1;
		if (!n || *s == '#')
			continue;
		int start = ps->r.line;
		char escape = ps->df->escape;
		size_t len = n;
		cleanup_free char *line = xstrndup(s, n);
		len = strlen(line);
		bool more = trim_continuation(line, &len, escape);
		while (more && next_line(&ps->r, &s, &n)) {
			/* comment and blank lines inside a continuation are skipped */
			if (is_comment(s, n) || is_blank(s, n))
				continue;
			line = xrealloc(line, len + n + 1);
			memcpy(line + len, s, n);
			line[len + n] = '\0';
			len = strlen(line);
			more = trim_continuation(line, &len, escape);
		}
		if (is_blank(line, len))
			continue;
		cleanup_free char *where = xasprintf("%s:%d", ps->df->path, start);
		if (dockerfile_line_parse(line, where, ins, ps->err) < 0)
			return -1;
		ins->line = start;
		if (dockerfile_takes_heredocs(ins->keyword) && strstr(ins->text, "<<")) {
			find_heredocs(ins, escape);
			if (read_heredocs(ps, ins) < 0)
				return -1;
		}
		return 1;
	}
	return 0;
}

static bool valid_stage_name(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_' || *s == '.'))
			return false;
	return true;
}

/* FROM image [AS name]. */
static int start_stage(struct parser *ps, struct dockerfile_instruction *from)
{
	struct dockerfile *df = ps->df;
	cleanup_strv char **words = xzalloc(sizeof *words);
	const char *p = from->args;

	for (;;) {
		while (is_space(*p))
			p++;
		if (!*p)
			break;
		size_t n = 0;
		while (p[n] && !is_space(p[n]))
			n++;
		cleanup_free char *w = xstrndup(p, n);
		strv_push(&words, w);
		p += n;
	}
	size_t n = strv_len(words);
	if (n != 1 && !(n == 3 && !strcasecmp(words[1], "as")))
		return fail_at(ps, from->line, "FROM: takes an image and optionally AS name");
	if (n == 3) {
		for (char *c = words[2]; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (!valid_stage_name(words[2]))
			return fail_at(ps, from->line,
				       "FROM: stage name \"%s\" must start with a letter and hold "
				       "only letters, digits, '-', '_' and '.'",
				       words[2]);
	}
	for (size_t i = 0; n == 3 && i < df->n_stages; i++)
		if (df->stages[i].name && !strcmp(df->stages[i].name, words[2]))
			return fail_at(ps, from->line,
				       "FROM: stage name \"%s\" is already the stage of line %d",
				       words[2], df->stages[i].from.line);
	df->stages = xrealloc(df->stages, (df->n_stages + 1) * sizeof *df->stages);
	struct dockerfile_stage *st = &df->stages[df->n_stages++];
	*st = (struct dockerfile_stage){.from = *from, .base = xstrdup(words[0])};
	if (n == 3)
		st->name = xstrdup(words[2]);
	memset(from, 0, sizeof *from);
	return 0;
}

static void push(struct dockerfile_instruction **v, size_t *n, struct dockerfile_instruction *ins)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = *ins;
	memset(ins, 0, sizeof *ins);
}

struct dockerfile *dockerfile_parse(const char *text, size_t len, const char *path,
				    struct holt_err *err)
{
	struct dockerfile *df = xzalloc(sizeof *df);
	struct parser ps = {
	    .df = df, .r = {text, text + len, 0}, .directives_open = true, .err = err};
	struct dockerfile_instruction ins = {0};
	int ret;

	df->path = xstrdup(path);
	df->escape = '\\';
	while ((ret = next_instruction(&ps, &ins)) > 0) {
		if (!strcmp(ins.keyword, "FROM")) {
			ret = start_stage(&ps, &ins);
		} else if (df->n_stages) {
			struct dockerfile_stage *st = &df->stages[df->n_stages - 1];
			push(&st->instructions, &st->n_instructions, &ins);
		} else if (!strcmp(ins.keyword, "ARG")) {
			push(&df->meta_args, &df->n_meta_args, &ins);
		} else {
			ret = fail_at(&ps, ins.line,
				      "%s: comes before the first FROM, where only ARG may",
				      ins.keyword);
		}
		dockerfile_instruction_clear(&ins);
		if (ret < 0)
			break;
	}
	if (ret == 0 && !df->n_stages)
		ret = holt_err_set(err, 0, "%s: no FROM instruction", path);
	if (ret < 0) {
		dockerfile_instruction_clear(&ins);
		dockerfile_free(df);
		return NULL;
	}
	return df;
}

void dockerfile_free(struct dockerfile *df)
{
	if (!df)
		return;
	for (size_t i = 0; i < df->n_meta_args; i++)
		dockerfile_instruction_clear(&df->meta_args[i]);
	free(df->meta_args);
	for (size_t i = 0; i < df->n_stages; i++) {
		struct dockerfile_stage *st = &df->stages[i];
		dockerfile_instruction_clear(&st->from);
		free(st->base);
		free(st->name);
		for (size_t j = 0; j < st->n_instructions; j++)
			dockerfile_instruction_clear(&st->instructions[j]);
		free(st->instructions);
	}
	free(df->stages);
	free(df->syntax);
	free(df->path);
	free(df);
}

long dockerfile_stage_index(const struct dockerfile *df, const char *name)
{
	for (size_t i = 0; i < df->n_stages; i++)
		if (df->stages[i].name && !strcasecmp(df->stages[i].name, name))
			return (long)i;
	if (!*name)
		return -1;
	for (const char *c = name; *c; c++)
		if (*c < '0' || *c > '9')
			return -1;
	if (strlen(name) > 9)
		return -1;
	long i = strtol(name, NULL, 10);
	return i < (long)df->n_stages ? i : -1;
}
