/* The --format engine against what Go's text/template and docker's functions print, and
 * the tabwriter against Go's text/tabwriter with docker's settings. */
#include "cmd/tabwriter.h"
#include "cmd/template.h"
#include "core/base/err.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "tap.h"

#include <string.h>

static const char data_json[] =
    "{\"Name\":\"web\",\"Names\":[\"a\",\"b\",\"c\"],"
    "\"State\":{\"Status\":\"running\",\"ExitCode\":0,\"Running\":true},"
    "\"Labels\":{\"z\":\"1\",\"a\":\"2\"},\"Size\":1234,\"Ratio\":1.5,\"Big\":1000000.0,"
    "\"Small\":0.00001,\"Tenth\":0.0001,\"Whole\":3.0,\"Empty\":\"\",\"None\":null,"
    "\"List\":[],\"Obj\":{},\"Html\":\"<a&b>/c\",\"Neg\":-7,\"Uni\":\"h\xc3\xa9llo w\xc3\xb6rld\","
    "\"Items\":[{\"Name\":\"first\"},{\"Name\":\"second\"}],\"Matrix\":[[1,2],[3,4]]}";

struct render_case {
	const char *tmpl;
	const char *want;
};

static const struct render_case renders[] = {
    /* text, fields, Go's %v */
    {"plain text", "plain text"},
    {"", ""},
    {"{{.Name}}", "web"},
    {"{{ .Name }}", "web"},
    {"{{.State.Status}}/{{.State.ExitCode}}", "running/0"},
    {"{{.Missing}}", "<no value>"},
    {"{{.Missing.Deeper}}", "<no value>"},
    {"{{.None}}", "<nil>"},
    {"{{.Names}}", "[a b c]"},
    {"{{.Labels}}", "map[a:2 z:1]"},
    {"{{.Items}}", "[map[Name:first] map[Name:second]]"},
    {"{{.State.Running}} {{.Neg}}", "true -7"},
    {"{{.Ratio}} {{.Big}} {{.Size}} {{.Small}} {{.Tenth}} {{.Whole}}",
     "1.5 1e+06 1234 1e-05 0.0001 3"},
    {"{{$.Name}} {{with .State}}{{$.Name}}{{end}}", "web web"},
    {"{{.Name}}\n{{.Size}}", "web\n1234"},
    /* literals */
    {"{{\"a\\tb\\u00e9\\x41\\101\\\"\"}}", "a\tb\xc3\xa9"
					   "AA\""},
    {"{{`raw\\n`}}", "raw\\n"},
    {"{{-5}} {{0x1F}} {{1e3}} {{.5}} {{true}} {{false}} {{010}}", "-5 31 1000 0.5 true false 8"},
    /* trim markers and comments */
    {"a  {{- .Name -}}  b", "awebb"},
    {"a \n{{- .Name}} \nb", "aweb \nb"},
    {"a {{- /* note */ -}} b", "ab"},
    {"{{/* note */}}x", "x"},
    {"x {{-3}}", "x -3"},
    {"{{if true -}}\n  yes\n{{- end}}", "yes"},
    {"{{ .Name\n\t| upper }}", "WEB"},
    {"a\\tb", "a\\tb"},
    /* docker's functions */
    {"{{json .Labels}}", "{\"z\":\"1\",\"a\":\"2\"}"},
    {"{{json .Html}}", "\"<a&b>/c\""},
    {"{{.Names | json}}", "[\"a\",\"b\",\"c\"]"},
    {"{{json .Missing}} {{json .None}} {{json .Size}}", "null null 1234"},
    {"{{.Name | upper}} {{upper \"MiXed\" | lower}}", "WEB mixed"},
    {"{{title \"hello-world foo_bar\"}}", "Hello-World Foo_bar"},
    {"{{join .Names \", \"}}", "a, b, c"},
    {"{{join .List \",\"}}|{{join (split \"x\" \",\") \"-\"}}", "|x"},
    {"{{split \"a,b,,c\" \",\"}} {{len (split \"\" \",\")}}", "[a b  c] 1"},
    {"{{split \"h\xc3\xa9l\" \"\"}}", "[h \xc3\xa9 l]"},
    {"{{truncate .Name 2}} {{truncate .Uni 2}} {{truncate .Name 10}}", "we h\xc3\xa9 web"},
    {"[{{pad .Name 1 2}}] [{{pad .Empty 1 2}}]", "[ web  ] []"},
    /* Go's builtins */
    {"{{len .Names}} {{len .Labels}} {{len .Name}} {{len .Uni}}", "3 2 3 13"},
    {"{{index .Names 1}} {{index .Labels \"z\"}} {{index .Matrix 1 0}} {{index .Names}}",
     "b 1 3 [a b c]"},
    {"{{index .Labels \"nokey\"}}", "<nil>"},
    {"{{eq .Name \"web\"}} {{ne .Size 1234}} {{lt 1 2}} {{le 2 2}} {{gt 1.5 1}} {{ge \"b\" \"a\"}}",
     "true false true true true true"},
    {"{{eq .Name \"x\" \"y\" \"web\"}} {{eq .None nil}} {{eq .Name nil}} {{eq .Ratio 1.5}}",
     "true true false true"},
    {"{{eq .State.Running true}} {{lt \"abc\" \"abd\"}} {{gt \"ab\" \"a\"}}", "true true true"},
    {"{{and 1 0 \"x\"}} {{or 0 \"\" \"y\"}} {{and 1 \"z\"}} [{{or 0 \"\"}}] {{not .Empty}}",
     "0 y z [] true"},
    {"{{and false (index .Names 99)}} {{or true (index .Names 99)}}", "false true"},
    {"{{.Name | and 1}} {{.Name | or 0}} {{0 | and}}", "web web 0"},
    {"{{print 1 2 \"a\" \"b\" 3}}|{{println \"a\" 1}}|", "1 2ab3|a 1\n|"},
    /* printf */
    {"{{printf \"%s-%d-%v\" .Name .Size .Ratio}}", "web-1234-1.5"},
    {"{{printf \"%-6s|%6s|\" \"ab\" \"cd\"}}", "ab    |    cd|"},
    {"{{printf \"%5.1s|%%\" \"abc\"}}", "    a|%"},
    {"{{printf \"%05d %x %X %o %c %b\" 42 255 255 8 65 5}}", "00042 ff FF 10 A 101"},
    {"{{printf \"%.2f %e %g %t\" 3.14159 1234.5 0.000012 true}}", "3.14 1.234500e+03 1.2e-05 true"},
    {"{{printf \"%+d|% d|%-4d|%+.1f|%06.2f\" 5 5 5 2.25 -1.5}}", "+5| 5|5   |+2.2|-01.50"},
    {"{{printf \"%-8v|%8v|%v\" .Names 1.5 .Labels}}", "[a b c] |     1.5|map[a:2 z:1]"},
    {"{{printf \"%.3s|%3s|%.0d|%#x\" .Uni \"\xc3\xa9\" 0 255}}", "h\xc3\xa9l|  \xc3\xa9||0xff"},
    {"{{printf \"%x %X %d\" \"hi\" .Neg .Neg}}", "6869 -7 -7"},
    {"{{.Name | printf \"%s!\"}} {{printf \"%v\" .Missing}}", "web! <nil>"},
    /* pipelines and parentheses */
    {"{{len (split \"a b c\" \" \")}}", "3"},
    {"{{(index .Names 0) | upper}} {{(index .Items 1).Name}}", "A second"},
    {"{{.Name | printf \"%s-%s\" \"x\" | upper}}", "X-WEB"},
    /* if, with, range */
    {"{{if .State.Running}}up{{else}}down{{end}}", "up"},
    {"{{if .Empty}}x{{else if .List}}y{{else if .Size}}z{{else}}w{{end}}", "z"},
    {"{{if .Empty}}x{{else if .List}}y{{else}}w{{end}}", "w"},
    {"{{if .None}}1{{end}}{{if .List}}2{{end}}{{if .Obj}}3{{end}}{{if .Missing}}4{{end}}"
     "{{if .State.ExitCode}}5{{end}}{{if 0.0}}6{{end}}{{if \"x\"}}7{{end}}{{if .Neg}}8{{end}}",
     "78"},
    {"{{if and .State.Running (eq .State.ExitCode 0)}}ok{{end}}", "ok"},
    {"{{with .State}}{{.Status}}{{end}}", "running"},
    {"{{with .Empty}}x{{else}}none{{end}}", "none"},
    {"{{with $s := .State}}{{$s.Status}}{{end}}", "running"},
    {"{{range .Names}}[{{.}}]{{end}}", "[a][b][c]"},
    {"{{range $i, $n := .Names}}{{$i}}={{$n}} {{end}}", "0=a 1=b 2=c "},
    {"{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}", "a=2;z=1;"},
    {"{{range $v := .Labels}}{{$v}}{{end}}", "21"},
    {"{{range .List}}x{{else}}empty{{end}} {{range .None}}x{{else}}nil{{end}}"
     " {{range .Missing}}x{{else}}missing{{end}}",
     "empty nil missing"},
    {"{{range .Names}}{{.}}{{if ne . \"c\"}},{{end}}{{end}}", "a,b,c"},
    {"{{range .Items}}{{if eq .Name \"second\"}}{{.Name}}{{end}}{{end}}", "second"},
    {"{{range .Matrix}}{{range .}}{{.}}{{end}};{{end}}", "12;34;"},
    /* variables */
    {"{{$x := .Name}}{{$x}}-{{$x | upper}}", "web-WEB"},
    {"{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2"},
    {"{{$x := \"out\"}}{{with .State}}{{$x := \"in\"}}{{$x}}{{end}}{{$x}}", "inout"},
    {"{{$n := 0}}{{range .Names}}{{$n = .}}{{end}}{{$n}}", "c"},
};

struct error_case {
	const char *tmpl;
	const char *want; /* the whole message, or with a trailing '*' its start */
};

static const struct error_case parse_errors[] = {
    {"{{.Name", "1:1: unclosed action"},
    {"ab{{.Name}}{{", "1:12: unclosed action"},
    {"{{if .A}}{{.B", "1:10: unclosed action"},
    {"{{.Name}", "1:8: unexpected \"}\" in operand"},
    {"{{\"abc}}", "1:3: unterminated quoted string"},
    {"{{`abc}}", "1:3: unterminated raw quoted string"},
    {"{{foo}}", "1:3: function \"foo\" not defined"},
    {"{{.Name | nosuch}}", "1:11: function \"nosuch\" not defined"},
    {"{{end}}", "1:1: unexpected {{end}}"},
    {"x{{else}}", "1:2: unexpected {{else}}"},
    {"{{if .A}}x", "1:1: missing {{end}} for {{if}}"},
    {"a\n  {{range .A}}", "2:3: missing {{end}} for {{range}}"},
    {"{{with .A}}{{else}}{{else}}{{end}}", "1:20: unexpected {{else}} in {{with}}"},
    {"{{range .A}}{{else if .B}}{{end}}", "1:13: unexpected {{else if}} in {{range}}"},
    {"{{join .Names}}", "1:3: wrong number of args for join: want 2 got 1"},
    {"{{.Names | join}}", "1:12: wrong number of args for join: want 2 got 1"},
    {"{{upper}}", "1:3: wrong number of args for upper: want 1 got 0"},
    {"{{eq 1}}", "1:3: wrong number of args for eq: want at least 2 got 1"},
    {"{{printf \"%s\" upper}}", "1:15: wrong number of args for upper: want 1 got 0"},
    {"{{if}}{{end}}", "1:5: missing value for if"},
    {"{{}}", "1:3: missing value for command"},
    {"{{.A | }}", "1:8: missing value for command"},
    {"{{$x}}", "1:3: undefined variable \"$x\""},
    {"{{$x = 1}}", "1:3: undefined variable \"$x\""},
    {"{{with $x := 1}}{{end}}{{$x}}", "1:26: undefined variable \"$x\""},
    {"{{.A .B}}", "1:6: can't give argument to non-function .A"},
    {"{{.A | .B}}", "1:8: non executable command in pipeline stage 2"},
    {"{{template \"x\"}}", "1:3: {{template}} is not supported"},
    {"{{(.A}}", "1:3: unclosed left paren"},
    {"{{.A)}}", "1:5: unexpected \")\" in action"},
    {"{{\"\\q\"}}", "1:4: invalid escape \"\\q\""},
    {"{{0x}}", "1:3: bad number syntax: \"0x\""},
    {"{{nil}}", "1:3: nil is not a command"},
    {"{{/* x }}", "1:1: unclosed comment"},
    {"{{/* x */ }}", "1:10: comment ends before closing delimiter"},
    {"{{.A.}}", "1:5: unexpected \".\" in operand"},
    {"{{.A,}}", "1:5: unexpected \",\" in operand"},
    {"\xc3\xa9{{&}}", "1:4: unexpected \"&\" in command"},
};

static const struct error_case exec_errors[] = {
    {"{{index .Names 5}}", "1:3: at <index .Names 5>: error calling index: index out of range: 5"},
    {"x\n  {{index .Names \"a\"}}",
     "2:5: at <index .Names \"a\">: error calling index: wrong type for value; expected int; "
     "got string"},
    {"{{index .Name 0}}", "1:3: at <index .Name 0>: error calling index: can't index item of "
			  "type string"},
    {"{{.Name.First}}", "1:3: at <.Name.First>: can't evaluate field First in type string"},
    {"{{.None.X}}", "1:3: at <.None.X>: nil pointer evaluating .X"},
    {"{{range .Name}}{{end}}", "1:9: at <.Name>: range can't iterate over web"},
    {"{{lt .Name 1}}", "1:3: at <lt .Name 1>: error calling lt: incompatible types for "
		       "comparison"},
    {"{{lt true false}}", "1:3: at <lt true false>: error calling lt: invalid type for "
			  "comparison"},
    {"{{eq .Names .Names}}", "1:3: at <eq .Names .Names>: error calling eq: non-comparable "
			     "type []interface {}"},
    {"{{len .Size}}", "1:3: at <len .Size>: error calling len: len of type int"},
    {"{{upper .Names}}", "1:3: at <upper .Names>: error calling upper: wrong type for value; "
			 "expected string; got []interface {}"},
    {"{{.Name | join \",\"}}", "1:11: at <join \",\">: error calling join: wrong type for "
			       "value; expected []string; got string"},
    {"{{printf 1}}", "1:3: at <printf 1>: error calling printf: wrong type for value; "
		     "expected string; got int"},
    {"{{printf \"%d %s\"}}", "1:3: at <printf \"%d %s\">: error calling printf: printf: %d has no "
			     "value"},
    {"{{printf \"%d\" \"x\"}}", "1:3: at <printf \"%d\" \"x\">: error calling printf: printf: %d "
				"of string"},
    {"{{printf \"%s\" 1 2}}", "1:3: at <printf \"%s\" 1 2>: error calling printf: printf: 2 values "
			      "for 1 verbs"},
    {"{{printf \"%q\" .Name}}", "1:3: at <printf \"%q\" .Name>: error calling printf: printf: %q "
				"of string"},
    {"{{printf \"x%\"}}", "1:3: at <printf \"x%\">: error calling printf: printf: % at the end of "
			  "the format"},
    {"{{truncate .Name -1}}", "1:3: at <truncate .Name -1>: error calling truncate: "
			      "negative length -1"},
    {"{{pad .Name 1 \"x\"}}", "1:3: at <pad .Name 1 \"x\">: error calling pad: wrong type "
			      "for value; expected int; got string"},
    {"ok {{.Name}} {{index .List 0}} never", "1:16: at <index .List 0>: error calling index: "
					     "index out of range: 0"},
};

/* s with newlines and tabs escaped, to keep TAP lines whole; caller frees. */
static char *shown(const char *s)
{
	char *out = xmalloc(2 * strlen(s) + 1), *p = out;
	for (; *s; s++) {
		if (*s == '\n' || *s == '\t')
			*p++ = '\\', *p++ = *s == '\n' ? 'n' : 't';
		else
			*p++ = *s;
	}
	*p = '\0';
	return out;
}

static void diag_diff(const char *got, const char *want)
{
	cleanup_free char *g = shown(got ? got : "(null)"), *w = shown(want);
	diag("got  \"%s\"", g);
	diag("want \"%s\"", w);
}

/* Renders tmpl over data and reports the result against want. */
static void check_render(const char *tmpl, json_object *data, const char *want)
{
	struct holt_err err = {0};
	cleanup_free char *name = shown(tmpl);
	cleanup_template struct template *t = template_parse(tmpl, 0, &err);
	cleanup_free char *got = t ? template_render(t, data, &err) : NULL;
	if (!ok(got && !strcmp(got, want), "render \"%s\"", name))
		diag_diff(got ? got : err.msg, want);
	holt_err_release(&err);
}

/* With a trailing '*', want is the start of the message. */
static bool message_is(const char *msg, const char *want)
{
	size_t n = strlen(want);
	if (n && want[n - 1] == '*')
		return msg && !strncmp(msg, want, n - 1);
	return msg && !strcmp(msg, want);
}

static void check_parse_error(const struct error_case *c)
{
	struct holt_err err = {0};
	cleanup_free char *name = shown(c->tmpl);
	struct template *t = template_parse(c->tmpl, 0, &err);
	if (!ok(!t && message_is(err.msg, c->want), "parse error \"%s\"", name))
		diag_diff(t ? "(parsed)" : err.msg, c->want);
	if (t)
		template_free(t);
	holt_err_release(&err);
}

static void check_exec_error(const struct error_case *c, json_object *data)
{
	struct holt_err err = {0};
	cleanup_free char *name = shown(c->tmpl);
	cleanup_template struct template *t = template_parse(c->tmpl, 0, &err);
	cleanup_free char *got = t ? template_render(t, data, &err) : NULL;
	if (!ok(t && !got && message_is(err.msg, c->want), "render error \"%s\"", name))
		diag_diff(got ? got : err.msg, c->want);
	holt_err_release(&err);
}

/* docker's column headers: ID's from data, the rest the field name upper-cased. */
static char *header_of(const char *field, void *data)
{
	if (!strcmp(field, "ID"))
		return xstrdup(data);
	char *h = xstrdup(field);
	for (char *p = h; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	return h;
}

static const struct render_case headers[] = {
    {"{{.ID}}\t{{.Names}}", "CONTAINER ID\tNAMES"},
    {"{{json .Labels}}|{{.State.Status | upper}}|{{join .Names \",\"}}|{{.Names | join \",\"}}",
     "LABELS|STATUS|NAMES|NAMES"},
    {"{{printf \"%-13s|\" .ID}}{{truncate .ID 3}}|{{pad .ID 1 1}}|{{lower .ID}}",
     "CONTAINER ID |CONTAINER ID| CONTAINER ID |CONTAINER ID"},
    {"{{$n := .Name}}{{$n}} {{with .State}}{{.Status}}{{end}} {{(index .Items 0).Name}}",
     "NAME STATUS NAME"},
    {"pre {{.ID}} {{range .Names}}x{{end}} post", "pre CONTAINER ID "},
};

static void test_headers(void)
{
	for (size_t i = 0; i < sizeof headers / sizeof *headers; i++) {
		struct holt_err err = {0};
		cleanup_template struct template *t = template_parse(headers[i].tmpl, 0, &err);
		cleanup_free char *got =
		    t ? template_render_header(t, header_of, "CONTAINER ID") : NULL;
		cleanup_free char *name = shown(headers[i].tmpl);
		if (!ok(got && !strcmp(got, headers[i].want), "header \"%s\"", name))
			diag_diff(got ? got : err.msg, headers[i].want);
		holt_err_release(&err);
	}
}

static void test_missingkey_error(json_object *data)
{
	struct holt_err err = {0};
	cleanup_template struct template *t =
	    template_parse("{{.State.Status}} {{.Nope}}", TEMPLATE_MISSINGKEY_ERROR, &err);
	cleanup_free char *got = template_render(t, data, &err);
	ok(!got && message_is(err.msg, "1:21: at <.Nope>: map has no entry for key \"Nope\""),
	   "missingkey=error: %s", err.msg);
	holt_err_release(&err);
}

/* docker's --format takes \t and \n typed as two characters in the text for tab and
 * newline; inside actions Go's own string escapes apply. */
static void test_text_escapes(json_object *data)
{
	struct holt_err err = {0};
	cleanup_template struct template *t = template_parse(
	    "{{.Name}}\\t{{join .Names \"\\n\"}}\\n\\x", TEMPLATE_TEXT_ESCAPES, &err);
	cleanup_free char *got = t ? template_render(t, data, &err) : NULL;
	if (!ok(got && !strcmp(got, "web\ta\nb\nc\n\\x"), "TEMPLATE_TEXT_ESCAPES"))
		diag_diff(got ? got : err.msg, "web\ta\nb\nc\n\\x");
	holt_err_release(&err);
}

/* Nesting is bounded, so that no template can overflow the stack. */
static void test_depth(void)
{
	struct holt_err err = {0};
	size_t n = 1500;
	char *src = xmalloc(2 * n + 8), *p = src;

	p += sprintf(p, "{{");
	memset(p, '(', n), p += n;
	p += sprintf(p, ".A");
	memset(p, ')', n), p += n;
	sprintf(p, "}}");
	struct template *t = template_parse(src, 0, &err);
	ok(!t && message_is(err.msg, "1:1003: template nested too deeply"), "deep nesting: %s",
	   err.msg);
	holt_err_release(&err);
	free(src);
}

/* Parsed once, rendered for many rows, each with its own dot and variables. */
static void test_many_rows(void)
{
	struct holt_err err = {0};
	cleanup_template struct template *t = template_parse(
	    "{{$n := .N}}{{range $i, $e := .L}}{{if $i}},{{end}}{{$n}}{{$e}}{{end}}", 0, &err);
	bool all = t != NULL;

	for (int i = 0; all && i < 1000; i++) {
		cleanup_json json_object *row = json_object_new_object();
		json_object_object_add(row, "N", json_object_new_int(i));
		json_object *l = json_object_new_array();
		json_object_array_add(l, json_object_new_string("x"));
		json_object_array_add(l, json_object_new_string("y"));
		json_object_object_add(row, "L", l);
		cleanup_free char *got = template_render(t, row, &err);
		cleanup_free char *want = xasprintf("%dx,%dy", i, i);
		all = got && !strcmp(got, want);
	}
	ok(all, "one parse renders 1000 rows");
	holt_err_release(&err);
}

struct align_case {
	const char *in;
	size_t minwidth, padding;
	const char *want;
};

static const struct align_case aligns[] = {
    {"REPOSITORY\tTAG\tIMAGE ID\nalpine\tlatest\tabc\n", 10, 3,
     "REPOSITORY   TAG       IMAGE ID\nalpine       latest    abc\n"},
    {"A\t\tC\nx\ty\tz\n", 10, 3, "A                   C\nx         y         z\n"},
    {"\xc3\xa9\tx\nab\ty\n", 0, 1, "\xc3\xa9  x\nab y\n"},
    {"a\tb\nccc\nlonger\tc\n", 0, 1, "a b\nccc\nlonger c\n"},
    {"a\t\nbb\t\n", 0, 1, "a  \nbb \n"},
    {"a\tb", 10, 3, "a         b"},
    {"", 10, 3, ""},
    {"no tabs\nat all\n", 10, 3, "no tabs\nat all\n"},
    {"a\tb\tc\nd\te\n", 0, 1, "a b c\nd e\n"},
};

static void test_align(void)
{
	for (size_t i = 0; i < sizeof aligns / sizeof *aligns; i++) {
		cleanup_free char *got =
		    tabwriter_align(aligns[i].in, aligns[i].minwidth, aligns[i].padding);
		cleanup_free char *name = shown(aligns[i].in);
		if (!ok(!strcmp(got, aligns[i].want), "tabwriter \"%s\"", name))
			diag_diff(got, aligns[i].want);
	}
}

#define COUNT(a) (sizeof(a) / sizeof *(a))

int main(void)
{
	cleanup_json json_object *data = json_tokener_parse(data_json);

	if (!data) {
		plan(1);
		ok(false, "test data parses");
		return done();
	}
	plan((int)(COUNT(renders) + COUNT(parse_errors) + COUNT(exec_errors) + COUNT(headers) +
		   COUNT(aligns) + 6));
	for (size_t i = 0; i < COUNT(renders); i++)
		check_render(renders[i].tmpl, data, renders[i].want);
	for (size_t i = 0; i < COUNT(parse_errors); i++)
		check_parse_error(&parse_errors[i]);
	for (size_t i = 0; i < COUNT(exec_errors); i++)
		check_exec_error(&exec_errors[i], data);
	test_headers();
	test_missingkey_error(data);
	test_text_escapes(data);
	test_depth();
	test_many_rows();
	test_align();

	cleanup_json json_object *str = json_object_new_string("just a string");
	check_render("{{.}}|{{len .}}", str, "just a string|13");
	check_render("{{.}}", NULL, "<nil>");
	return done();
}
