/* Unit tests of the Dockerfile parser and of the expansion of its words. */
#include "core/base/util.h"
#include "core/dockerfile.h"
#include "core/dockerfile_line.h"
#include "tests/unit/helpers.h"
#include "tests/unit/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *const test_vars[] = {
    "EMPTY=",  "FOO=foo",    "BAR=bar baz",
    "X=first", "X=second",   "DIR=/srv",
    "Q=a\"b",  "SPACED= a ", "FILE=/home/tux/book/book.tar.bz2",
    NULL,
};

static void expect_expand(const char *word, char escape, const char *want)
{
	struct holt_err err = {0};
	cleanup_free char *got = dockerfile_expand(word, test_vars, escape, &err);

	ok(got && !strcmp(got, want), "expand %s -> [%s]: [%s]%s", word, want, got ? got : "",
	   err.msg ? err.msg : "");
	holt_err_release(&err);
}

static void expect_expand_error(const char *word, const char *why)
{
	struct holt_err err = {0};
	cleanup_free char *got = dockerfile_expand(word, test_vars, '\\', &err);

	ok(!got && err.msg && strstr(err.msg, why), "expand %s fails: %s", word,
	   err.msg ? err.msg : got);
	holt_err_release(&err);
}

/* want: the words joined by '|'; split: dockerfile_fields rather than dockerfile_words. */
static void expect_split(const char *args, char escape, bool split, const char *want)
{
	struct holt_err err = {0};
	cleanup_strv char **words = split ? dockerfile_fields(args, test_vars, escape, &err)
					  : dockerfile_words(args, test_vars, escape, &err);
	cleanup_free char *got = xstrdup("");

	for (char **w = words; w && *w; w++) {
		char *n = xasprintf("%s%s%s", got, w == words ? "" : "|", *w);
		free(got);
		got = n;
	}
	ok(words && !strcmp(got, want), "%s %s -> [%s]: [%s]%s", split ? "fields" : "words", args,
	   want, got, err.msg ? err.msg : "");
	holt_err_release(&err);
}

static void expect_words(const char *args, char escape, const char *want)
{
	expect_split(args, escape, false, want);
}

static void test_expand(void)
{
	expect_expand("$FOO", '\\', "foo");
	expect_expand("${FOO}", '\\', "foo");
	expect_expand("${FOO}_x", '\\', "foo_x");
	expect_expand("$FOO_x", '\\', "");
	expect_expand("a${NOPE}b", '\\', "ab");
	expect_expand("$X", '\\', "second");
	expect_expand("'$FOO'", '\\', "$FOO");
	expect_expand("\"$FOO\"", '\\', "foo");
	expect_expand("\\$FOO", '\\', "$FOO");
	expect_expand("\"\\$FOO\"", '\\', "$FOO");
	expect_expand("\"a\\\"b\"", '\\', "a\"b");
	expect_expand("\"a\\nb\"", '\\', "a\\nb");
	expect_expand("\"a\\\\b\"", '\\', "a\\b");
	expect_expand("a\\ b", '\\', "a b");
	expect_expand("trailing\\", '\\', "trailing");
	expect_expand("$", '\\', "$");
	expect_expand("a$-b", '\\', "a$-b");
	expect_expand("$/x", '\\', "$/x");
	expect_expand("$1x", '\\', "x");
	expect_expand("${NOPE:-def}", '\\', "def");
	expect_expand("${EMPTY:-def}", '\\', "def");
	expect_expand("${EMPTY-def}", '\\', "");
	expect_expand("${NOPE-def}", '\\', "def");
	expect_expand("${FOO:-def}", '\\', "foo");
	expect_expand("${FOO:+alt}", '\\', "alt");
	expect_expand("${EMPTY:+alt}", '\\', "");
	expect_expand("${EMPTY+alt}", '\\', "alt");
	expect_expand("${NOPE+alt}", '\\', "");
	expect_expand("${FOO:?must}", '\\', "foo");
	expect_expand("${EMPTY?must}", '\\', "");
	expect_expand("${NOPE:-$FOO/${DIR}}", '\\', "foo//srv");
	expect_expand("${NOPE:-'a b'}", '\\', "a b");
	expect_expand("${NOPE:-\"$FOO\"}", '\\', "foo");
	expect_expand("${NOPE:-a\\}b}", '\\', "a}b");
	expect_expand("${NOPE:-${NOPE2:-deep}}", '\\', "deep");
	expect_expand("`$FOO", '`', "$FOO");
	expect_expand("C:\\dir\\$FOO", '`', "C:\\dir\\foo");
	expect_expand("\"a`\"b\"", '`', "a\"b");
	expect_expand("$Q", '\\', "a\"b");
	/* the examples of the Dockerfile reference's "Environment replacement" */
	expect_expand("/bar", '\\', "/bar");
	expect_expand("$FOO/bar", '\\', "foo/bar");
	expect_expand("\\$FOO", '\\', "$FOO");
	expect_expand("${FOO:-/bar}", '\\', "foo");

	/* pattern removal and replacement, as the reference's examples */
	expect_expand("${FILE#*/}", '\\', "home/tux/book/book.tar.bz2");
	expect_expand("${FILE##*/}", '\\', "book.tar.bz2");
	expect_expand("${FILE%.*}", '\\', "/home/tux/book/book.tar");
	expect_expand("${FILE%%.*}", '\\', "/home/tux/book/book");
	expect_expand("${FILE#nomatch}", '\\', "/home/tux/book/book.tar.bz2");
	expect_expand("${FILE/tux/wilber}", '\\', "/home/wilber/book/book.tar.bz2");
	expect_expand("${FILE//book/B}", '\\', "/home/tux/B/B.tar.bz2");
	expect_expand("${FILE/b*k/X}", '\\', "/home/tux/X.tar.bz2");
	expect_expand("${FILE//o}", '\\', "/hme/tux/bk/bk.tar.bz2");
	expect_expand("${FOO/$FOO/${DIR}}", '\\', "/srv");
	expect_expand("${NOPE#x}", '\\', "");
	expect_expand_error("${FILE/x", "not closed");

	expect_expand_error("${NOPE:?needs a value}", "NOPE: needs a value");
	expect_expand_error("${EMPTY:?}", "EMPTY: is empty");
	expect_expand_error("${NOPE?}", "NOPE: is not set");
	expect_expand_error("${FOO", "not closed");
	expect_expand_error("${FOO:-x", "not closed");
	expect_expand_error("${}", "bad substitution");
	expect_expand_error("${:-x}", "bad substitution");
	expect_expand_error("${FOO!x}", "unsupported modifier (!)");
	expect_expand_error("'open", "single quote");
	expect_expand_error("\"open", "double quote");
}

static void test_words(void)
{
	expect_words("a b  c", '\\', "a|b|c");
	expect_words("  lead trail  ", '\\', "lead|trail");
	expect_words("\"a b\" 'c d'", '\\', "a b|c d");
	expect_words("a\\ b", '\\', "a b");
	expect_words("$BAR", '\\', "bar baz");
	expect_words("\"$BAR\"", '\\', "bar baz");
	expect_words("x$SPACED", '\\', "x a ");
	expect_words("$EMPTY a", '\\', "a");
	expect_words("$NOPE", '\\', "");
	expect_words("\"\" a", '\\', "|a");
	expect_words("a=\"1 2\" b=$FOO", '\\', "a=1 2|b=foo");
	expect_words("${NOPE:-x y}", '\\', "x y");
	expect_words("\"$EMPTY\" '' $EMPTY", '\\', "|");
	expect_words("A=$BAR B=${NOPE:-\"1 2\"}", '\\', "A=bar baz|B=1 2");
	expect_words("", '\\', "");

	struct holt_err err = {0};
	char **w = dockerfile_words("a 'open", test_vars, '\\', &err);
	ok(!w && err.msg && strstr(err.msg, "single quote"), "words with an open quote fail: %s",
	   err.msg ? err.msg : "");
	holt_err_release(&err);
}

/* BuildKit's ProcessWords: an unquoted value's blanks separate words, a quoted one's not. */
static void test_fields(void)
{
	expect_split("$BAR", '\\', true, "bar|baz");
	expect_split("${BAR}/tcp", '\\', true, "bar|baz/tcp");
	expect_split("x$BAR", '\\', true, "xbar|baz");
	expect_split("\"$BAR\" '$BAR'", '\\', true, "bar baz|$BAR");
	expect_split("\"$BAR\"$BAR", '\\', true, "bar bazbar|baz");
	expect_split("$SPACED", '\\', true, "a");
	expect_split("x${SPACED}y", '\\', true, "x|a|y");
	expect_split("$EMPTY $NOPE a", '\\', true, "a");
	expect_split("\"$EMPTY\" '' b", '\\', true, "b");
	expect_split("${NOPE:-1 2} 3", '\\', true, "1|2|3");
	expect_split("a\\ b $FOO", '\\', true, "a b|foo");
	expect_split("${NOPE:-\"1 2\"}", '\\', true, "1|2");

	struct holt_err err = {0};
	char **w = dockerfile_fields("${FOO", test_vars, '\\', &err);
	ok(!w && err.msg && strstr(err.msg, "not closed"), "fields with an open ${ fail: %s",
	   err.msg ? err.msg : "");
	holt_err_release(&err);
}

static struct dockerfile *parse(const char *text)
{
	struct holt_err err = {0};
	struct dockerfile *df = dockerfile_parse(text, strlen(text), "Dockerfile", &err);

	if (!df)
		diag("parse failed: %s", err.msg);
	holt_err_release(&err);
	return df;
}

static void expect_error(const char *text, const char *want)
{
	struct holt_err err = {0};
	struct dockerfile *df = dockerfile_parse(text, strlen(text), "Dockerfile", &err);

	ok(!df && err.msg && !strcmp(err.msg, want), "error [%s]: [%s]", want,
	   err.msg ? err.msg : "parsed");
	dockerfile_free(df);
	holt_err_release(&err);
}

static const struct dockerfile_instruction *ins_at(const struct dockerfile *df, size_t stage,
						   size_t i)
{
	if (!df || stage >= df->n_stages || i >= df->stages[stage].n_instructions)
		return NULL;
	return &df->stages[stage].instructions[i];
}

static bool is(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static void test_basics(void)
{
	struct dockerfile *df = parse("# a comment\n"
				      "from busybox:1.36 As Build\n"
				      "run echo hi\n"
				      "\n"
				      "  # indented comment\n"
				      "COPY --from=build --chown=1:1 a b /dst/\n"
				      "CMD [\"sh\", \"-c\", \"echo x\"]\n"
				      "ENTRYPOINT [\"broken\" \n"
				      "FROM scratch\n"
				      "ENV A=1\r\n");
	ok(df && df->n_stages == 2, "two stages");
	if (!df || df->n_stages != 2) {
		dockerfile_free(df);
		return;
	}
	ok(df->escape == '\\' && !df->syntax && !df->n_meta_args, "defaults");
	const struct dockerfile_stage *st = &df->stages[0];
	ok(is(st->base, "busybox:1.36") && is(st->name, "build") && st->from.line == 2 &&
	       is(st->from.keyword, "FROM") && is(st->from.text, "from busybox:1.36 As Build"),
	   "FROM base, lower-cased AS name, line, text");
	ok(st->n_instructions == 4, "four instructions in stage 0");
	const struct dockerfile_instruction *run = ins_at(df, 0, 0);
	ok(run && is(run->keyword, "RUN") && is(run->args, "echo hi") && !run->json && run->flags &&
	       !run->flags[0] && run->line == 3,
	   "lower-case run is RUN, shell form");
	const struct dockerfile_instruction *copy = ins_at(df, 0, 1);
	ok(copy && is(copy->flags[0], "--from=build") && is(copy->flags[1], "--chown=1:1") &&
	       !copy->flags[2] && is(copy->args, "a b /dst/") && copy->line == 6,
	   "COPY flags and args");
	const struct dockerfile_instruction *cmd = ins_at(df, 0, 2);
	ok(cmd && cmd->json && is(cmd->json[0], "sh") && is(cmd->json[2], "echo x") &&
	       !cmd->json[3],
	   "CMD exec form");
	const struct dockerfile_instruction *ep = ins_at(df, 0, 3);
	ok(ep && !ep->json && is(ep->args, "[\"broken\""), "invalid JSON is the shell form");
	ok(!df->stages[1].name && is(df->stages[1].base, "scratch") &&
	       is(ins_at(df, 1, 0)->args, "A=1"),
	   "stage 1 without a name; CRLF line ends");
	ok(dockerfile_stage_index(df, "build") == 0 && dockerfile_stage_index(df, "BUILD") == 0 &&
	       dockerfile_stage_index(df, "1") == 1 && dockerfile_stage_index(df, "2") == -1 &&
	       dockerfile_stage_index(df, "nope") == -1 && dockerfile_stage_index(df, "") == -1,
	   "stage index by name and number");
	dockerfile_free(df);
}

static void test_continuations(void)
{
	struct dockerfile *df = parse("FROM a\n"
				      "RUN apt-get update && \\\n"
				      "    # a comment inside\n"
				      "\n"
				      "    apt-get install x \\  \n"
				      "  && echo done\n"
				      "LABEL a=b\n");
	const struct dockerfile_instruction *run = ins_at(df, 0, 0);
	ok(run && is(run->args, "apt-get update &&     apt-get install x   && echo done") &&
	       run->line == 2,
	   "continuation joined, comment and blank lines skipped: [%s]", run ? run->args : "");
	const struct dockerfile_instruction *label = ins_at(df, 0, 1);
	ok(label && label->line == 7, "line numbers count the skipped lines");
	dockerfile_free(df);

	df = parse("# escape=`\n"
		   "FROM windows\n"
		   "RUN dir C:\\ `\n"
		   "  /s\n"
		   "COPY a\\ b\\ C:\\dst\\\n");
	ok(df && df->escape == '`', "escape directive");
	run = ins_at(df, 0, 0);
	ok(run && is(run->args, "dir C:\\   /s"), "backtick continues: [%s]", run ? run->args : "");
	const struct dockerfile_instruction *copy = ins_at(df, 0, 1);
	ok(copy && is(copy->args, "a\\ b\\ C:\\dst\\"), "a backslash does not continue");
	dockerfile_free(df);

	df = parse("FROM a\nRUN echo \\\n");
	run = ins_at(df, 0, 0);
	ok(run && is(run->args, "echo"), "continuation at the end of the file");
	dockerfile_free(df);
}

static void test_directives(void)
{
	struct dockerfile *df = parse("# syntax=docker/dockerfile:1\n"
				      "#ESCAPE = ` \n"
				      "FROM a\n");
	ok(df && is(df->syntax, "docker/dockerfile:1") && df->escape == '`',
	   "syntax and escape, any case, blanks around");
	dockerfile_free(df);

	df = parse("# comment\n# escape=`\nFROM a\n");
	ok(df && df->escape == '\\', "a directive after a comment is a comment");
	dockerfile_free(df);

	df = parse("\n# escape=`\nFROM a\n");
	ok(df && df->escape == '\\', "a directive after a blank line is a comment");
	dockerfile_free(df);

	df = parse("# unknown=x\n# escape=`\nFROM a\n");
	ok(df && df->escape == '\\', "an unknown directive ends the directives");
	dockerfile_free(df);

	df = parse("FROM a\n# escape=`\n");
	ok(df && df->escape == '\\', "a directive after an instruction is a comment");
	dockerfile_free(df);

	df = parse("\xef\xbb\xbf# escape=`\nFROM a\n");
	ok(df && df->escape == '`', "a byte-order mark is skipped");
	dockerfile_free(df);

	expect_error("# escape=x\nFROM a\n", "Dockerfile:1: escape \"x\" is neither \\ nor `");
	expect_error("# escape=`\n# escape=\\\nFROM a\n",
		     "Dockerfile:2: only one escape directive may be given");
}

static void test_meta_args_and_errors(void)
{
	struct dockerfile *df = parse("ARG V=1\n"
				      "ARG BASE\n"
				      "FROM debian:${V} AS x\n"
				      "ARG V\n");
	ok(df && df->n_meta_args == 2 && is(df->meta_args[0].args, "V=1") &&
	       is(df->meta_args[1].args, "BASE") && is(df->stages[0].base, "debian:${V}") &&
	       ins_at(df, 0, 0) && is(ins_at(df, 0, 0)->keyword, "ARG"),
	   "meta ARGs, unexpanded base");
	dockerfile_free(df);

	df = parse("FROM --platform=linux/amd64 a\n");
	ok(df && is(df->stages[0].from.flags[0], "--platform=linux/amd64") &&
	       is(df->stages[0].base, "a"),
	   "FROM --platform");
	dockerfile_free(df);

	expect_error("RUN x\nFROM a\n",
		     "Dockerfile:1: RUN: comes before the first FROM, where only ARG may");
	expect_error("# only a comment\n", "Dockerfile: no FROM instruction");
	expect_error("", "Dockerfile: no FROM instruction");
	expect_error("ARG A\n", "Dockerfile: no FROM instruction");
	expect_error("FROM a\n\nFOO bar\n", "Dockerfile:3: unknown instruction \"FOO\"");
	expect_error("FROM a\nEXPOSE\n", "Dockerfile:2: EXPOSE: needs an argument");
	expect_error("FROM a b\n", "Dockerfile:1: FROM: takes an image and optionally AS name");
	expect_error("FROM a AS 1x\n",
		     "Dockerfile:1: FROM: stage name \"1x\" must start with a letter and hold only "
		     "letters, digits, '-', '_' and '.'");
	expect_error("FROM a AS x\nFROM b AS X\n",
		     "Dockerfile:2: FROM: stage name \"x\" is already the stage of line 1");
	expect_error("FROM a\nONBUILD FROM b\n",
		     "Dockerfile:2: ONBUILD: FROM is not allowed after ONBUILD");
	expect_error("FROM a\nONBUILD BOGUS b\n",
		     "Dockerfile:2: ONBUILD: unknown instruction \"BOGUS\"");
}

static void test_flags_and_json(void)
{
	struct dockerfile *df =
	    parse("FROM a\n"
		  "RUN --mount=type=cache,target=/x --network=none [\"a\", \"b\"]\n"
		  "COPY --chown=\"a b\" -- --weird /d\n"
		  "HEALTHCHECK --interval=5s CMD [\"curl\", \"-f\"]\n"
		  "CMD []\n"
		  "SHELL [\"/bin/bash\", \"-c\"]\n"
		  "RUN [\"a\", 1]\n"
		  "RUN [\"a\"] trailing\n"
		  "ENV A [\"x\"]\n"
		  "CMD\n");
	const struct dockerfile_instruction *i = ins_at(df, 0, 0);
	ok(i && is(i->flags[0], "--mount=type=cache,target=/x") &&
	       is(i->flags[1], "--network=none") && i->json && is(i->json[1], "b"),
	   "RUN flags then exec form");
	i = ins_at(df, 0, 1);
	ok(i && is(i->flags[0], "--chown=a b") && !i->flags[1] && is(i->args, "--weird /d"),
	   "quoted flag value; -- ends the flags");
	i = ins_at(df, 0, 2);
	ok(i && is(i->flags[0], "--interval=5s") && i->json && is(i->json[0], "curl") &&
	       is(i->args, "CMD [\"curl\", \"-f\"]"),
	   "HEALTHCHECK CMD exec form");
	i = ins_at(df, 0, 3);
	ok(i && i->json && !i->json[0], "CMD [] is an empty exec form");
	i = ins_at(df, 0, 4);
	ok(i && i->json && is(i->json[0], "/bin/bash"), "SHELL");
	i = ins_at(df, 0, 5);
	ok(i && !i->json, "a non-string element makes the shell form");
	i = ins_at(df, 0, 6);
	ok(i && !i->json, "text after the array makes the shell form");
	i = ins_at(df, 0, 7);
	ok(i && !i->json, "ENV takes no exec form");
	i = ins_at(df, 0, 8);
	ok(i && is(i->args, "") && !i->json, "a bare CMD");
	dockerfile_free(df);
}

static void test_heredocs(void)
{
	struct dockerfile *df = parse("FROM a\n"
				      "RUN <<EOF\n"
				      "echo $HOME\n"
				      "  EOF\n"
				      "EOF\n"
				      "COPY <<-\"END\" /dest\n"
				      "\t\tkeep $X\n"
				      "\tEND\n"
				      "RUN python3 <<'P' && cat <<B >/f\n"
				      "print(1)\n"
				      "P\n"
				      "b\n"
				      "B\n"
				      "RUN echo '<<NOT' \"<<NOR\" a<<NOPE\n"
				      "RUN 3<<FD\n"
				      "x\n"
				      "FD\n"
				      "ENV A=<<B\n"
				      "LABEL l=1\n");
	const struct dockerfile_instruction *i = ins_at(df, 0, 0);
	ok(i && i->n_heredocs == 1 && is(i->heredocs[0].name, "EOF") &&
	       is(i->heredocs[0].body, "echo $HOME\n  EOF\n") && i->heredocs[0].expand &&
	       !i->heredocs[0].chomp && is(i->args, "<<EOF"),
	   "RUN <<EOF body, an indented delimiter is body");
	i = ins_at(df, 0, 1);
	ok(i && i->n_heredocs == 1 && is(i->heredocs[0].name, "END") &&
	       is(i->heredocs[0].body, "keep $X\n") && !i->heredocs[0].expand &&
	       i->heredocs[0].chomp && i->line == 6,
	   "COPY <<-\"END\": tabs stripped, quoted: no expansion");
	i = ins_at(df, 0, 2);
	ok(i && i->n_heredocs == 2 && is(i->heredocs[0].name, "P") && !i->heredocs[0].expand &&
	       is(i->heredocs[0].body, "print(1)\n") && is(i->heredocs[1].name, "B") &&
	       i->heredocs[1].expand && is(i->heredocs[1].body, "b\n"),
	   "two heredocs on one line, in order");
	i = ins_at(df, 0, 3);
	ok(i && i->n_heredocs == 0, "quoted << and a<<x are no heredocs");
	i = ins_at(df, 0, 4);
	ok(i && i->n_heredocs == 1 && is(i->heredocs[0].name, "FD"), "n<<NAME");
	i = ins_at(df, 0, 5);
	ok(i && i->n_heredocs == 0 && is(i->keyword, "ENV"), "ENV takes no heredoc");
	i = ins_at(df, 0, 6);
	ok(i && is(i->keyword, "LABEL") && i->line == 19, "lines counted through heredocs");
	dockerfile_free(df);

	df = parse("FROM a\nRUN <<EOF\n# kept\n\n  \\\nEOF\nRUN x\n");
	i = ins_at(df, 0, 0);
	ok(i && i->n_heredocs == 1 && is(i->heredocs[0].body, "# kept\n\n  \\\n") &&
	       ins_at(df, 0, 1) && ins_at(df, 0, 1)->line == 7,
	   "comments, blank lines and escapes in a body are body");
	dockerfile_free(df);

	df = parse("FROM a\nRUN <<EOF\nEOF\n");
	i = ins_at(df, 0, 0);
	ok(i && i->n_heredocs == 1 && is(i->heredocs[0].body, ""), "an empty heredoc");
	dockerfile_free(df);

	expect_error("FROM a\n\n\n\n\n\nRUN <<EOF\necho\n",
		     "Dockerfile:7: RUN: heredoc \"EOF\" is not closed");
	expect_error("FROM a\nCOPY <<A <<B /d\na\nA\nb\n",
		     "Dockerfile:2: COPY: heredoc \"B\" is not closed");
}

static void test_line(void)
{
	struct dockerfile_instruction ins;
	struct holt_err err = {0};

	ok(dockerfile_line_parse("  cmd [\"a\"]  ", "change", &ins, &err) == 0 &&
	       is(ins.keyword, "CMD") && ins.json && is(ins.json[0], "a") &&
	       is(ins.text, "cmd [\"a\"]"),
	   "one line parsed alone");
	dockerfile_instruction_clear(&ins);
	cleanup_strv char **raw =
	    dockerfile_raw_words(" A=\"x y\" B=${C:-1 2} 'q r'\\ s \\\"a ", '\\');
	ok(strv_len(raw) == 4 && is(raw[0], "A=\"x y\"") && is(raw[1], "B=${C:-1 2}") &&
	       is(raw[2], "'q r'\\ s") && is(raw[3], "\\\"a"),
	   "raw words keep quotes and escapes; ${...} groups");
	ok(dockerfile_line_parse("NOPE x", "change", &ins, &err) < 0 &&
	       is(err.msg, "change: unknown instruction \"NOPE\""),
	   "one unknown line: %s", err.msg ? err.msg : "");
	holt_err_release(&err);
}

int main(void)
{
	test_expand();
	test_words();
	test_fields();
	test_basics();
	test_continuations();
	test_directives();
	test_meta_args_and_errors();
	test_flags_and_json();
	test_heredocs();
	test_line();
	plan(tap_n);
	return done();
}
