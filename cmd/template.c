/* The --format template engine: Go's text/template as docker uses it, parsed once into a
 * tree and rendered over json-c values. What users can see follows Go: truthiness,
 * "<no value>" for a missing key, maps in sorted key order; values and functions are in
 * core/template_func.c. */
#include "cmd/template.h"
#include "cmd/template_func.h"
#include "core/base/json.h"
#include "core/base/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Nesting of blocks and parentheses, so that a hostile template cannot overflow the stack. */
#define MAX_DEPTH 1000

/* --- the tree -------------------------------------------------------------------------- */

enum arg_kind { ARG_DOT, ARG_FIELD, ARG_VAR, ARG_PIPE, ARG_CONST, ARG_NIL, ARG_FUNC };

/* An operand: dot, a field chain, a variable, a parenthesized pipeline, a constant, or a
 * function (named alone, it is called with no arguments). */
struct arg {
	enum arg_kind kind;
	size_t pos, end;	/* its text in the source, for messages */
	char **fields;		/* the .A.B after a dot, a variable or a ")" */
	char *var;		/* ARG_VAR: "$x" */
	struct pipe *pipe;	/* ARG_PIPE */
	json_object *constant;	/* ARG_CONST */
	const struct tfunc *fn; /* ARG_FUNC */
};

/* A stage of a pipeline: a function and its arguments, or a single operand. */
struct command {
	struct arg *args;
	size_t nargs;
	size_t pos, end;
};

struct pipe {
	char *decl[2]; /* $x := …, or in range $k, $v := … */
	size_t ndecl;
	bool assign; /* = rather than := */
	struct command *cmds;
	size_t ncmds;
	size_t pos, end;
};

enum node_kind { NODE_TEXT, NODE_ACTION, NODE_IF, NODE_RANGE, NODE_WITH };

struct list {
	struct node *nodes;
	size_t n;
};

struct node {
	enum node_kind kind;
	char *text; /* NODE_TEXT */
	size_t len;
	struct pipe *pipe;
	struct list body, alt; /* alt: after {{else}} */
};

struct template
{
	char *src;
	unsigned flags;
	struct list root;
};

/* Appends a zeroed element to the array *arr of *n elements and returns it. */
static void *push(void *arr, size_t *n, size_t size)
{
	void **a = arr;
	*a = xrealloc(*a, (*n + 1) * size);
	void *e = (char *)*a + (*n)++ * size;
	memset(e, 0, size);
	return e;
}

static void pipe_free(struct pipe *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->ncmds; i++) {
		for (size_t j = 0; j < p->cmds[i].nargs; j++) {
			struct arg *a = &p->cmds[i].args[j];
			strv_free(a->fields);
			free(a->var);
			pipe_free(a->pipe);
			json_object_put(a->constant);
		}
		free(p->cmds[i].args);
	}
	free(p->cmds);
	free(p->decl[0]);
	free(p->decl[1]);
	free(p);
}

static void list_clear(struct list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->nodes[i].text);
		pipe_free(l->nodes[i].pipe);
		list_clear(&l->nodes[i].body);
		list_clear(&l->nodes[i].alt);
	}
	free(l->nodes);
}

void template_free(struct template *t)
{
	list_clear(&t->root);
	free(t->src);
	free(t);
}

/* 1-based line, and column in code points, of byte pos of src. */
static void line_col(const char *src, size_t pos, size_t *line, size_t *col)
{
	size_t start = 0;

	*line = 1;
	for (size_t i = 0; i < pos; i++)
		if (src[i] == '\n')
			(*line)++, start = i + 1;
	*col = utf8_count(src + start, pos - start) + 1;
}

/* --- parsing --------------------------------------------------------------------------- */

struct parser {
	const char *src;
	size_t p;	   /* the cursor */
	size_t action;	   /* where the current action's "{{" is */
	bool trim_text;	   /* the last action ended in " -}}" */
	const char **vars; /* the variables in scope, innermost last */
	size_t nvars;
	unsigned depth;
	bool text_escapes; /* TEMPLATE_TEXT_ESCAPES */
	struct holt_err *err;
};

enum block_end { END_EOF, END_END, END_ELSE, END_ELSE_IF };

static int parse_pipeline(struct parser *ps, struct pipe *pipe, const char *what, size_t max_decl);
static int parse_block(struct parser *ps, struct list *l, enum node_kind kind, size_t pos);

__attribute__((format(printf, 3, 4))) static int parse_error(struct parser *ps, size_t pos,
							     const char *fmt, ...)
{
	size_t line, col;
	va_list ap;

	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	line_col(ps->src, pos, &line, &col);
	return holt_err_set(ps->err, 0, "%zu:%zu: %s", line, col, msg);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_ident(char c)
{
	return c == '_' || isalnum((unsigned char)c) || (unsigned char)c >= 0x80;
}

static void skip_space(struct parser *ps)
{
	while (is_space(ps->src[ps->p]))
		ps->p++;
}

/* Whether the word at the cursor is kw, as a whole word. */
static bool at_word(const struct parser *ps, const char *kw)
{
	size_t n = strlen(kw);
	return !strncmp(ps->src + ps->p, kw, n) && !is_ident(ps->src[ps->p + n]);
}

/* Bytes of the "}}" or " -}}" (space already passed) at the cursor; 0 if none is. */
static size_t close_len(const struct parser *ps)
{
	const char *s = ps->src + ps->p;
	if (s[0] == '}' && s[1] == '}')
		return 2;
	if (s[0] == '-' && s[1] == '}' && s[2] == '}' && ps->p > 0 && is_space(s[-1]))
		return 3;
	return 0;
}

static bool at_pipeline_end(const struct parser *ps)
{
	char c = ps->src[ps->p];
	return !c || c == ')' || close_len(ps);
}

static int unexpected(struct parser *ps, const char *where)
{
	const char *s = ps->src + ps->p;
	size_t n = 0;

	if (!*s)
		return parse_error(ps, ps->action, "unclosed action");
	while (is_ident(s[n]))
		n++;
	if (!n)
		n = utf8_seq(s, strlen(s)) ?: 1;
	return parse_error(ps, ps->p, "unexpected \"%.*s\" in %s", (int)n, s, where);
}

static int expect_close(struct parser *ps)
{
	skip_space(ps);
	size_t n = close_len(ps);
	if (!n)
		return unexpected(ps, "action");
	ps->trim_text = n == 3;
	ps->p += n;
	return 0;
}

/* A comment action; Go wants the close delimiter right after the comment ends. */
static int parse_comment(struct parser *ps)
{
	const char *end = strstr(ps->src + ps->p + 2, "*/");
	if (!end)
		return parse_error(ps, ps->action, "unclosed comment");
	ps->p = (size_t)(end + 2 - ps->src);
	if (is_space(end[2]) && !strncmp(end + 3, "-}}", 3)) {
		ps->p += 4;
		ps->trim_text = true;
	} else if (!strncmp(end + 2, "}}", 2)) {
		ps->p += 2;
		ps->trim_text = false;
	} else {
		return parse_error(ps, ps->p, "comment ends before closing delimiter");
	}
	return 0;
}

static bool var_in_scope(const struct parser *ps, const char *name)
{
	for (size_t i = 0; i < ps->nvars; i++)
		if (!strcmp(ps->vars[i], name))
			return true;
	return !strcmp(name, "$");
}

/* .A.B after an operand; none is fine. */
static int parse_fields(struct parser *ps, char ***fields)
{
	while (ps->src[ps->p] == '.' && is_ident(ps->src[ps->p + 1]) &&
	       !isdigit((unsigned char)ps->src[ps->p + 1])) {
		size_t start = ++ps->p;
		while (is_ident(ps->src[ps->p]))
			ps->p++;
		char *name = xstrndup(ps->src + start, ps->p - start);
		strv_push(fields, name);
		free(name);
	}
	if (ps->src[ps->p] == '.')
		return unexpected(ps, "operand");
	return 0;
}

static int parse_var(struct parser *ps, struct arg *a)
{
	size_t start = ps->p++;
	while (is_ident(ps->src[ps->p]))
		ps->p++;
	a->kind = ARG_VAR;
	a->var = xstrndup(ps->src + start, ps->p - start);
	if (!var_in_scope(ps, a->var))
		return parse_error(ps, start, "undefined variable \"%s\"", a->var);
	return parse_fields(ps, &a->fields);
}

static int parse_paren(struct parser *ps, struct arg *a)
{
	size_t open = ps->p++;
	a->kind = ARG_PIPE;
	a->pipe = xzalloc(sizeof *a->pipe);
	if (parse_pipeline(ps, a->pipe, "parenthesized pipeline", 0) < 0)
		return -1;
	if (ps->src[ps->p] != ')')
		return parse_error(ps, open, "unclosed left paren");
	ps->p++;
	return parse_fields(ps, &a->fields);
}

static unsigned hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (unsigned)(c - 'A' + 10);
	return 16;
}

/* Decodes the Go escape at s (a backslash) into b; returns its length, or 0. */
static size_t unescape(struct tbuf *b, const char *s)
{
	static const char simple[] = "abfnrtv\\\"";
	static const char values[] = "\a\b\f\n\r\t\v\\\"";
	const char *hit = s[1] ? strchr(simple, s[1]) : NULL;
	unsigned digits = s[1] == 'x' ? 2 : s[1] == 'u' ? 4 : s[1] == 'U' ? 8 : 3;
	unsigned base = digits == 3 ? 8 : 16;
	const char *d = digits == 3 ? s + 1 : s + 2;
	uint32_t v = 0;

	if (hit) {
		tbuf_putc(b, values[hit - simple]);
		return 2;
	}
	if (base == 8 && (s[1] < '0' || s[1] > '7'))
		return 0;
	for (unsigned i = 0; i < digits; i++) {
		unsigned x = hex_digit(d[i]);
		if (x >= base)
			return 0;
		v = v * base + x;
	}
	if (digits <= 3 && v > 0xff)
		return 0;
	if (digits <= 3)
		tbuf_putc(b, (char)v);
	else if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000))
		return 0;
	else
		utf8_put(b, v);
	return (size_t)(d - s) + digits;
}

/* "…" with Go's escapes, or `…` raw. */
static int parse_string(struct parser *ps, struct arg *a)
{
	const char *s = ps->src + ps->p;
	struct tbuf b = {0};

	if (*s == '`') {
		const char *end = strchr(s + 1, '`');
		if (!end)
			return parse_error(ps, ps->p, "unterminated raw quoted string");
		tbuf_add(&b, s + 1, (size_t)(end - s - 1));
		s = end + 1;
	} else {
		for (s++; *s != '"';) {
			size_t n = 1;
			if (!*s || *s == '\n') {
				free(b.s);
				return parse_error(ps, ps->p, "unterminated quoted string");
			}
			if (*s != '\\')
				tbuf_putc(&b, *s);
			else if (!(n = unescape(&b, s))) {
				free(b.s);
				return parse_error(ps, (size_t)(s - ps->src),
						   "invalid escape \"%.2s\"", s);
			}
			s += n;
		}
		s++;
	}
	a->kind = ARG_CONST;
	a->constant = json_object_new_string_len(b.s ? b.s : "", (int)b.len);
	free(b.s);
	ps->p = (size_t)(s - ps->src);
	return 0;
}

/* Go's number syntax, roughly: an int (decimal, 0x hex, 0 octal) or a float. */
static int parse_number(struct parser *ps, struct arg *a)
{
	const char *s = ps->src + ps->p;
	size_t n = s[0] == '-' || s[0] == '+';
	bool hex = s[n] == '0' && (s[n + 1] == 'x' || s[n + 1] == 'X');
	char *end;

	while (isalnum((unsigned char)s[n]) || s[n] == '.' ||
	       ((s[n] == '-' || s[n] == '+') && !hex && (s[n - 1] == 'e' || s[n - 1] == 'E')))
		n++;
	cleanup_free char *text = xstrndup(s, n);
	errno = 0;
	a->kind = ARG_CONST;
	if (!hex && strpbrk(text, ".eE"))
		a->constant = json_object_new_double(strtod(text, &end));
	else
		a->constant = json_object_new_int64(strtoll(text, &end, 0));
	if (*end || errno)
		return parse_error(ps, ps->p, "bad number syntax: \"%s\"", text);
	ps->p += n;
	return 0;
}

static int parse_ident(struct parser *ps, struct arg *a)
{
	const char *s = ps->src + ps->p;
	size_t n = 0;

	while (is_ident(s[n]))
		n++;
	if (at_word(ps, "true") || at_word(ps, "false")) {
		a->kind = ARG_CONST;
		a->constant = json_object_new_boolean(*s == 't');
	} else if (at_word(ps, "nil")) {
		a->kind = ARG_NIL;
	} else if ((a->fn = tfunc_find(s, n))) {
		a->kind = ARG_FUNC;
	} else {
		return parse_error(ps, ps->p, "function \"%.*s\" not defined", (int)n, s);
	}
	ps->p += n;
	return 0;
}

static int parse_operand(struct parser *ps, struct arg *a)
{
	const char *s = ps->src + ps->p;
	bool sign = s[0] == '-' || s[0] == '+';
	int ret;

	a->pos = ps->p;
	if (s[0] == '.' && !isdigit((unsigned char)s[1])) {
		a->kind = is_ident(s[1]) ? ARG_FIELD : ARG_DOT;
		if (a->kind == ARG_DOT)
			ps->p++;
		ret = parse_fields(ps, &a->fields);
	} else if (s[0] == '$') {
		ret = parse_var(ps, a);
	} else if (s[0] == '(') {
		ret = parse_paren(ps, a);
	} else if (s[0] == '"' || s[0] == '`') {
		ret = parse_string(ps, a);
	} else if (isdigit((unsigned char)s[sign]) ||
		   (s[sign] == '.' && isdigit((unsigned char)s[sign + 1]))) {
		ret = parse_number(ps, a);
	} else if (isalpha((unsigned char)s[0]) || s[0] == '_') {
		ret = parse_ident(ps, a);
	} else {
		ret = unexpected(ps, "command");
	}
	a->end = ps->p;
	return ret;
}

static int check_arity(struct parser *ps, const struct tfunc *fn, size_t n, size_t pos)
{
	if (n >= fn->min && n <= fn->max)
		return 0;
	if (fn->max == TFUNC_ANY)
		return parse_error(ps, pos,
				   "wrong number of args for %s: want at least %zu got %zu",
				   fn->name, fn->min, n);
	return parse_error(ps, pos, "wrong number of args for %s: want %zu got %zu", fn->name,
			   fn->max, n);
}

static int parse_command(struct parser *ps, struct command *c)
{
	c->pos = ps->p;
	for (;;) {
		skip_space(ps);
		if (ps->src[ps->p] == '|' || at_pipeline_end(ps))
			break;
		struct arg *a = push(&c->args, &c->nargs, sizeof *a);
		if (parse_operand(ps, a) < 0)
			return -1;
		c->end = a->end;
		char next = ps->src[ps->p];
		if (next && !is_space(next) && next != '|' && next != ')' && !close_len(ps))
			return unexpected(ps, "operand");
		if (a->kind == ARG_FUNC && c->nargs > 1 && check_arity(ps, a->fn, 0, a->pos) < 0)
			return -1;
	}
	if (!ps->src[ps->p])
		return parse_error(ps, ps->action, "unclosed action");
	if (!c->nargs)
		return parse_error(ps, ps->p, "missing value for command");
	if (c->args[0].kind != ARG_FUNC && c->nargs > 1)
		return parse_error(ps, c->args[1].pos, "can't give argument to non-function %.*s",
				   (int)(c->args[0].end - c->args[0].pos),
				   ps->src + c->args[0].pos);
	if (c->args[0].kind == ARG_NIL)
		return parse_error(ps, c->pos, "nil is not a command");
	return 0;
}

/* A leading "$x :=", "$x =" or, up to max names, "$k, $v :=". Without one the cursor
 * stays where it was. */
static int parse_decl(struct parser *ps, struct pipe *pipe, size_t max)
{
	size_t start = ps->p, n = 0;
	char *names[2] = {NULL, NULL};

	while (n < max && ps->src[ps->p] == '$') {
		size_t len = 1;
		while (is_ident(ps->src[ps->p + len]))
			len++;
		names[n++] = xstrndup(ps->src + ps->p, len);
		ps->p += len;
		skip_space(ps);
		if (n < max && ps->src[ps->p] == ',') {
			ps->p++;
			skip_space(ps);
		} else {
			break;
		}
	}
	bool define = !strncmp(ps->src + ps->p, ":=", 2);
	bool assign = ps->src[ps->p] == '=';
	if (!n || !(define || assign)) {
		free(names[0]);
		free(names[1]);
		ps->p = start;
		return 0;
	}
	ps->p += define ? 2 : 1;
	pipe->decl[0] = names[0];
	pipe->decl[1] = names[1];
	pipe->ndecl = n;
	pipe->assign = assign;
	for (size_t i = 0; assign && i < n; i++)
		if (!var_in_scope(ps, names[i]))
			return parse_error(ps, start, "undefined variable \"%s\"", names[i]);
	return 0;
}

/* Commands joined by "|", up to the end of the action or a ")"; what names the context
 * for "missing value for …". */
static int parse_pipeline(struct parser *ps, struct pipe *pipe, const char *what, size_t max_decl)
{
	if (++ps->depth > MAX_DEPTH)
		return parse_error(ps, ps->p, "template nested too deeply");
	skip_space(ps);
	pipe->pos = ps->p;
	if (parse_decl(ps, pipe, max_decl) < 0)
		return -1;
	for (;;) {
		skip_space(ps);
		if (!ps->src[ps->p])
			return parse_error(ps, ps->action, "unclosed action");
		if (at_pipeline_end(ps) && !pipe->ncmds)
			break;
		struct command *c = push(&pipe->cmds, &pipe->ncmds, sizeof *c);
		if (parse_command(ps, c) < 0)
			return -1;
		pipe->end = c->end;
		if (ps->src[ps->p] != '|')
			break;
		ps->p++;
	}
	if (!pipe->ncmds)
		return parse_error(ps, ps->p, "missing value for %s", what);
	for (size_t i = 0; i < pipe->ncmds; i++) {
		const struct command *c = &pipe->cmds[i];
		if (c->args[0].kind == ARG_FUNC) {
			if (check_arity(ps, c->args[0].fn, c->nargs - 1 + (i > 0), c->pos) < 0)
				return -1;
		} else if (i > 0) {
			return parse_error(ps, c->pos,
					   "non executable command in pipeline stage %zu", i + 1);
		}
	}
	for (size_t i = 0; !pipe->assign && i < pipe->ndecl; i++)
		*(const char **)push(&ps->vars, &ps->nvars, sizeof *ps->vars) = pipe->decl[i];
	ps->depth--;
	return 0;
}

static void add_text(struct parser *ps, struct list *l, const char *s, size_t len)
{
	struct node *n = push(&l->nodes, &l->n, sizeof *n);

	n->kind = NODE_TEXT;
	n->text = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++) {
		if (ps->text_escapes && s[i] == '\\' && i + 1 < len &&
		    (s[i + 1] == 't' || s[i + 1] == 'n'))
			n->text[n->len++] = s[++i] == 't' ? '\t' : '\n';
		else
			n->text[n->len++] = s[i];
	}
	n->text[n->len] = '\0';
}

/* The action whose "{{" is at ps->action, the cursor just inside it: adds it to l, or,
 * for an {{end}} or {{else}} that closes the enclosing block, returns 1 with *end. */
static int parse_action(struct parser *ps, struct list *l, enum block_end *end)
{
	static const struct {
		const char *word;
		enum node_kind kind;
	} blocks[] = {{"if", NODE_IF}, {"range", NODE_RANGE}, {"with", NODE_WITH}};
	static const char *const unsupported[] = {"define", "template", "block", "break",
						  "continue"};

	if (!strncmp(ps->src + ps->p, "/*", 2))
		return parse_comment(ps);
	skip_space(ps);
	if (at_word(ps, "end")) {
		ps->p += 3;
		*end = END_END;
		return expect_close(ps) < 0 ? -1 : 1;
	}
	if (at_word(ps, "else")) {
		ps->p += 4;
		skip_space(ps);
		if (at_word(ps, "if")) { /* the {{if}} that follows takes the rest */
			ps->p += 2;
			*end = END_ELSE_IF;
			return 1;
		}
		*end = END_ELSE;
		return expect_close(ps) < 0 ? -1 : 1;
	}
	for (size_t i = 0; i < sizeof blocks / sizeof *blocks; i++)
		if (at_word(ps, blocks[i].word)) {
			ps->p += strlen(blocks[i].word);
			return parse_block(ps, l, blocks[i].kind, ps->action);
		}
	for (size_t i = 0; i < sizeof unsupported / sizeof *unsupported; i++)
		if (at_word(ps, unsupported[i]))
			return parse_error(ps, ps->p, "{{%s}} is not supported", unsupported[i]);
	struct node *n = push(&l->nodes, &l->n, sizeof *n);
	n->kind = NODE_ACTION;
	n->pipe = xzalloc(sizeof *n->pipe);
	if (parse_pipeline(ps, n->pipe, "command", 1) < 0)
		return -1;
	return expect_close(ps);
}

/* Text and actions up to the end of the template or an {{end}} / {{else}}, which *end
 * says (and *end_pos where). */
static int parse_list(struct parser *ps, struct list *l, enum block_end *end, size_t *end_pos)
{
	int ret = 0;

	while (ret == 0) {
		const char *s = ps->src + ps->p;
		const char *open = strstr(s, "{{");
		size_t len = open ? (size_t)(open - s) : strlen(s);
		bool trim = open && open[2] == '-' && is_space(open[3]);

		if (ps->trim_text)
			for (; len && is_space(*s); len--)
				s++;
		while (trim && len && is_space(s[len - 1]))
			len--;
		if (len)
			add_text(ps, l, s, len);
		ps->trim_text = false;
		if (!open) {
			*end = END_EOF;
			return 0;
		}
		ps->action = *end_pos = (size_t)(open - ps->src);
		ps->p = ps->action + (trim ? 4 : 2);
		ret = parse_action(ps, l, end);
	}
	return ret < 0 ? -1 : 0;
}

static int parse_block_body(struct parser *ps, struct node *n, const char *name, size_t pos)
{
	enum block_end end;
	size_t end_pos;

	if (parse_pipeline(ps, n->pipe, name, n->kind == NODE_RANGE ? 2 : 1) < 0 ||
	    expect_close(ps) < 0 || parse_list(ps, &n->body, &end, &end_pos) < 0)
		return -1;
	if (end == END_ELSE_IF && n->kind == NODE_IF)
		return parse_block(ps, &n->alt, NODE_IF, end_pos); /* it takes the {{end}} */
	if (end == END_ELSE && parse_list(ps, &n->alt, &end, &end_pos) < 0)
		return -1;
	if (end == END_EOF)
		return parse_error(ps, pos, "missing {{end}} for {{%s}}", name);
	if (end != END_END)
		return parse_error(ps, end_pos, "unexpected {{else%s}} in {{%s}}",
				   end == END_ELSE_IF ? " if" : "", name);
	return 0;
}

/* {{if}}, {{range}} or {{with}}, from its pipeline to its {{end}}; the variables it
 * declares go out of scope there. */
static int parse_block(struct parser *ps, struct list *l, enum node_kind kind, size_t pos)
{
	static const char *const names[] = {
	    [NODE_IF] = "if", [NODE_RANGE] = "range", [NODE_WITH] = "with"};
	struct node *n = push(&l->nodes, &l->n, sizeof *n);
	size_t mark = ps->nvars;

	if (++ps->depth > MAX_DEPTH)
		return parse_error(ps, pos, "template nested too deeply");
	n->kind = kind;
	n->pipe = xzalloc(sizeof *n->pipe);
	int ret = parse_block_body(ps, n, names[kind], pos);
	ps->nvars = mark;
	ps->depth--;
	return ret;
}

struct template *template_parse(const char *src, unsigned flags, struct holt_err *err)
{
	struct template *t = xzalloc(sizeof *t);
	struct parser ps = {.text_escapes = flags & TEMPLATE_TEXT_ESCAPES, .err = err};
	enum block_end end = END_EOF;
	size_t end_pos = 0;

	t->src = xstrdup(src);
	t->flags = flags;
	ps.src = t->src;
	int ret = parse_list(&ps, &t->root, &end, &end_pos);
	if (ret == 0 && end != END_EOF)
		ret = parse_error(&ps, end_pos, "unexpected {{%s}}",
				  end == END_END    ? "end"
				  : end == END_ELSE ? "else"
						    : "else if");
	free(ps.vars);
	if (ret < 0) {
		template_free(t);
		return NULL;
	}
	return t;
}

/* --- rendering ------------------------------------------------------------------------- */

struct var {
	const char *name;
	struct tvalue v;
};

struct state {
	const struct template *t;
	struct tbuf out;
	struct var *vars; /* innermost last */
	size_t nvars;
	char *(*header)(const char *field, void *data); /* set: rendering a table header */
	void *header_data;
	struct holt_err *err;
};

static int walk(struct state *st, const struct list *l, json_object *dot);
static int eval_pipe(struct state *st, const struct pipe *p, json_object *dot, struct tvalue *out);

__attribute__((format(printf, 4, 5))) static int exec_error(struct state *st, size_t pos,
							    size_t end, const char *fmt, ...)
{
	size_t line, col;
	va_list ap;

	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	line_col(st->t->src, pos, &line, &col);
	return holt_err_set(st->err, 0, "%zu:%zu: at <%.*s>: %s", line, col, (int)(end - pos),
			    st->t->src + pos, msg);
}

/* Declares name (or, with assign, sets the variable in scope) to v, taking it. */
static void set_var(struct state *st, const char *name, bool assign, struct tvalue v)
{
	for (size_t i = st->nvars; assign && i-- > 0;)
		if (!strcmp(st->vars[i].name, name)) {
			tvalue_clear(&st->vars[i].v);
			st->vars[i].v = v;
			return;
		}
	struct var *var = push(&st->vars, &st->nvars, sizeof *var);
	var->name = name;
	var->v = v;
}

static void pop_vars(struct state *st, size_t mark)
{
	while (st->nvars > mark)
		tvalue_clear(&st->vars[--st->nvars].v);
}

static struct tvalue get_var(const struct state *st, const char *name)
{
	for (size_t i = st->nvars; i-- > 0;)
		if (!strcmp(st->vars[i].name, name))
			return tvalue_copy(&st->vars[i].v);
	return (struct tvalue){.missing = true}; /* the parser lets no unknown name through */
}

/* Follows a's .A.B from v, which it takes. A table header takes the last name's header
 * instead. */
static int eval_fields(struct state *st, const struct arg *a, struct tvalue v, struct tvalue *out)
{
	bool strict = st->t->flags & TEMPLATE_MISSINGKEY_ERROR;

	if (a->fields && st->header) {
		cleanup_free char *h =
		    st->header(a->fields[strv_len(a->fields) - 1], st->header_data);
		tvalue_clear(&v);
		v = tvalue_own(json_object_new_string(h));
	}
	for (char **f = a->fields; f && *f && !st->header; f++) {
		json_object *child;
		if (v.missing && strict)
			return exec_error(st, a->pos, a->end, "nil data; no entry for key \"%s\"",
					  *f);
		if (v.missing)
			continue;
		if (!json_object_is_type(v.j, json_type_object)) {
			int ret =
			    v.j ? exec_error(st, a->pos, a->end,
					     "can't evaluate field %s in type %s", *f,
					     tjson_type(v.j))
				: exec_error(st, a->pos, a->end, "nil pointer evaluating .%s", *f);
			tvalue_clear(&v);
			return ret;
		}
		bool found = json_object_object_get_ex(v.j, *f, &child);
		if (!found && strict) {
			tvalue_clear(&v);
			return exec_error(st, a->pos, a->end, "map has no entry for key \"%s\"",
					  *f);
		}
		struct tvalue next = found ? tvalue_ref(child) : (struct tvalue){.missing = true};
		tvalue_clear(&v);
		v = next;
	}
	*out = v;
	return 0;
}

static int call(struct state *st, const struct command *c, json_object *dot,
		const struct tvalue *final, struct tvalue *out);

static int eval_arg(struct state *st, const struct arg *a, json_object *dot, struct tvalue *out)
{
	struct tvalue v = {0};

	switch (a->kind) {
	case ARG_DOT:
	case ARG_FIELD:
		v = tvalue_ref(dot);
		break;
	case ARG_VAR:
		v = get_var(st, a->var);
		break;
	case ARG_PIPE:
		/* a header needs only the last field's name */
		if (!(st->header && a->fields) && eval_pipe(st, a->pipe, dot, &v) < 0)
			return -1;
		break;
	case ARG_CONST:
		v = tvalue_ref(a->constant);
		break;
	case ARG_NIL:
		break;
	case ARG_FUNC: {
		const struct command c = {(struct arg *)a, 1, a->pos, a->end};
		return call(st, &c, dot, NULL, out);
	}
	}
	return eval_fields(st, a, v, out);
}

/* and, or: left to right, stopping at the argument that decides, which is the result. */
static int call_lazy(struct state *st, const struct command *c, json_object *dot,
		     const struct tvalue *final, struct tvalue *out)
{
	bool stop_on = c->args[0].fn->lazy == TFUNC_OR, decided = false;
	struct tvalue v = {0};

	for (size_t i = 1; i < c->nargs && !decided; i++) {
		tvalue_clear(&v);
		if (eval_arg(st, &c->args[i], dot, &v) < 0)
			return -1;
		decided = tvalue_truth(&v) == stop_on;
	}
	if (final && !decided) {
		tvalue_clear(&v);
		v = tvalue_copy(final);
	}
	*out = v;
	return 0;
}

/* Calls c's function with its arguments and, in a pipeline, the previous stage's value
 * (final) last. */
static int call(struct state *st, const struct command *c, json_object *dot,
		const struct tvalue *final, struct tvalue *out)
{
	const struct tfunc *fn = c->args[0].fn;
	size_t n = c->nargs - 1 + (final != NULL);
	struct holt_err err = {0};
	int ret = 0;

	if (fn->lazy)
		return call_lazy(st, c, dot, final, out);
	struct tvalue *a = xzalloc((n + 1) * sizeof *a);
	for (size_t i = 1; i < c->nargs && ret == 0; i++)
		ret = eval_arg(st, &c->args[i], dot, &a[i - 1]);
	if (final)
		a[n - 1] = tvalue_copy(final);
	for (size_t i = 0; i < n; i++)
		a[i].missing = false; /* Go passes a missing value to a function as nil */
	if (ret == 0 && st->header && fn->header_passthrough)
		*out = tvalue_copy(&a[final ? n - 1 : 0]);
	else if (ret == 0 && fn->call(a, n, out, &err) < 0)
		ret = exec_error(st, c->pos, c->end, "error calling %s: %s", fn->name, err.msg);
	holt_err_release(&err);
	for (size_t i = 0; i < n; i++)
		tvalue_clear(&a[i]);
	free(a);
	return ret;
}

static int eval_pipe(struct state *st, const struct pipe *p, json_object *dot, struct tvalue *out)
{
	struct tvalue v = {0};

	for (size_t i = 0; i < p->ncmds; i++) {
		const struct command *c = &p->cmds[i];
		struct tvalue next;
		int ret = c->args[0].kind == ARG_FUNC ? call(st, c, dot, i ? &v : NULL, &next)
						      : eval_arg(st, &c->args[0], dot, &next);
		tvalue_clear(&v);
		if (ret < 0)
			return ret;
		v = next;
	}
	*out = v;
	return 0;
}

static int walk_action(struct state *st, const struct node *n, json_object *dot)
{
	struct tvalue v;

	if (eval_pipe(st, n->pipe, dot, &v) < 0)
		return -1;
	if (n->pipe->ndecl) {
		set_var(st, n->pipe->decl[0], n->pipe->assign, v);
		return 0;
	}
	tvalue_print(&st->out, &v);
	tvalue_clear(&v);
	return 0;
}

/* {{if}} and {{with}}; with moves dot to the value. */
static int walk_if(struct state *st, const struct node *n, json_object *dot)
{
	size_t mark = st->nvars;
	struct tvalue v;

	if (eval_pipe(st, n->pipe, dot, &v) < 0)
		return -1;
	bool yes = tvalue_truth(&v);
	if (n->pipe->ndecl)
		set_var(st, n->pipe->decl[0], n->pipe->assign, tvalue_copy(&v));
	int ret = walk(st, yes ? &n->body : &n->alt, n->kind == NODE_WITH && yes ? v.j : dot);
	tvalue_clear(&v);
	pop_vars(st, mark);
	return ret;
}

/* One pass of a range body; takes key. */
static int range_once(struct state *st, const struct node *n, json_object *key, json_object *elem)
{
	const struct pipe *p = n->pipe;
	size_t mark = st->nvars;

	if (p->ndecl == 2)
		set_var(st, p->decl[0], p->assign, tvalue_own(key));
	else
		json_object_put(key);
	if (p->ndecl)
		set_var(st, p->decl[p->ndecl - 1], p->assign, tvalue_ref(elem));
	int ret = walk(st, &n->body, elem);
	pop_vars(st, mark);
	return ret;
}

/* {{range}} over an array, or a map in key order; nothing to range over runs {{else}}. */
static int walk_range(struct state *st, const struct node *n, json_object *dot)
{
	struct tvalue v;
	size_t count = 0;
	int ret = 0;

	if (eval_pipe(st, n->pipe, dot, &v) < 0)
		return -1;
	switch (v.missing ? json_type_null : json_object_get_type(v.j)) {
	case json_type_null:
		break;
	case json_type_array:
		count = json_object_array_length(v.j);
		for (size_t i = 0; i < count && ret == 0; i++)
			ret = range_once(st, n, json_object_new_int64((int64_t)i),
					 json_object_array_get_idx(v.j, i));
		break;
	case json_type_object: {
		cleanup_free const char **keys = tjson_sorted_keys(v.j, &count);
		for (size_t i = 0; i < count && ret == 0; i++)
			ret = range_once(st, n, json_object_new_string(keys[i]),
					 json_object_object_get(v.j, keys[i]));
		break;
	}
	default: {
		struct tbuf text = {0};
		tjson_print(&text, v.j);
		ret = exec_error(st, n->pipe->pos, n->pipe->end, "range can't iterate over %s",
				 text.s ? text.s : "");
		free(text.s);
	}
	}
	if (ret == 0 && count == 0)
		ret = walk(st, &n->alt, dot);
	tvalue_clear(&v);
	return ret;
}

static int walk(struct state *st, const struct list *l, json_object *dot)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct node *n = &l->nodes[i];
		int ret = 0;
		switch (n->kind) {
		case NODE_TEXT:
			tbuf_add(&st->out, n->text, n->len);
			break;
		case NODE_ACTION:
			ret = walk_action(st, n, dot);
			break;
		case NODE_IF:
		case NODE_WITH:
			ret = walk_if(st, n, dot);
			break;
		case NODE_RANGE:
			ret = walk_range(st, n, dot);
			break;
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Walks the template with $ and dot = data; the text is left in st->out. */
static int render(struct state *st, json_object *data)
{
	set_var(st, "$", false, tvalue_ref(data));
	int ret = walk(st, &st->t->root, data);
	pop_vars(st, 0);
	free(st->vars);
	return ret;
}

char *template_render(const struct template *t, json_object *data, struct holt_err *err)
{
	struct state st = {.t = t, .err = err};

	if (render(&st, data) < 0) {
		free(st.out.s);
		return NULL;
	}
	return st.out.s ? st.out.s : xstrdup("");
}

char *template_render_header(const struct template *t,
			     char *(*header)(const char *field, void *data), void *data)
{
	struct holt_err err = {0};
	struct state st = {.t = t, .header = header, .header_data = data, .err = &err};
	cleanup_json json_object *dot = json_object_new_string("");

	render(&st, dot);
	holt_err_release(&err);
	return st.out.s ? st.out.s : xstrdup("");
}
