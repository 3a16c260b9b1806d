/* Unit tests of the .dockerignore matcher. */
#include "core/base/util.h"
#include "core/dockerignore.h"
#include "tests/unit/tap.h"

#include <stdio.h>
#include <string.h>

static struct dockerignore *load(const char *text)
{
	struct holt_err err = {0};
	struct dockerignore *di = dockerignore_parse(text, strlen(text), ".dockerignore", &err);

	if (!di)
		diag("parse failed: %s", err.msg);
	holt_err_release(&err);
	return di;
}

/* paths: "+path" must be kept, "-path" excluded. */
static void expect(const char *what, const char *text, const char *const *paths)
{
	struct dockerignore *di = load(text);
	cleanup_free char *wrong = xstrdup("");

	for (const char *const *p = paths; di && *p; p++) {
		bool want = **p == '-';
		if (dockerignore_excluded(di, *p + 1) != want) {
			char *n = xasprintf("%s %s", wrong, *p);
			free(wrong);
			wrong = n;
		}
	}
	ok(di && !*wrong, "%s (wrong:%s)", what, wrong);
	dockerignore_free(di);
}

static void expect_error(const char *text, const char *want)
{
	struct holt_err err = {0};
	struct dockerignore *di = dockerignore_parse(text, strlen(text), ".dockerignore", &err);

	ok(!di && err.msg && !strcmp(err.msg, want), "error [%s]: [%s]", want,
	   err.msg ? err.msg : "parsed");
	dockerignore_free(di);
	holt_err_release(&err);
}

static void test_reference_examples(void)
{
	/* the Dockerfile reference's .dockerignore example */
	expect("reference example", "# comment\n*/temp*\n*/*/temp*\ntemp?\n",
	       (const char *const[]){"-somedir/temporary.txt", "-somedir/temp", "+temporary.txt",
				     "-somedir/subdir/temporary.txt", "-tempa", "-tempb", "+tempab",
				     "+a/b/c/temp", "-somedir/temp/inside", NULL});
	expect("**/*.go", "**/*.go\n",
	       (const char *const[]){"-main.go", "-a/b/c.go", "+a/b/c.goo", "+go", NULL});
	expect("exception", "*.md\n!README.md\n",
	       (const char *const[]){"-a.md", "+README.md", "+docs/b.md", NULL});
	expect("exception then exclusion", "*.md\n!README*.md\nREADME-secret.md\n",
	       (const char *const[]){"-a.md", "+README.md", "+README-x.md", "-README-secret.md",
				     NULL});
	expect("exclusion then exception", "*.md\nREADME-secret.md\n!README*.md\n",
	       (const char *const[]){"-a.md", "+README.md", "+README-secret.md", NULL});
}

static void test_rules(void)
{
	expect("empty file excludes nothing", "",
	       (const char *const[]){"+a", "+a/b", "+.dockerignore", NULL});
	expect("comments and blanks", "#a\n\n   \n # b\n",
	       (const char *const[]){"+a", "+#a", "-# b", NULL});
	expect("parent directory excludes below", "build\n",
	       (const char *const[]){"-build", "-build/a/b", "+builder", "+src/build", NULL});
	expect("leading and trailing '/', ./ and .. cleaned", "/a/\n./b//c/\nd/../e\n",
	       (const char *const[]){"-a", "-a/x", "-b/c/y", "+b", "-e", "+d", NULL});
	expect(
	    "** in the middle", "a/**/z\n",
	    (const char *const[]){"-a/z", "-a/b/z", "-a/b/c/z", "-a/z/q", "+a/zz", "+b/a/z", NULL});
	expect("** at the end", "docs/**\n",
	       (const char *const[]){"-docs/a", "-docs/a/b", "+docs", "+doc", NULL});
	expect("** alone", "**\n!keep\n", (const char *const[]){"-a", "-a/b", "+keep", NULL});
	expect("**/name", "**/node_modules\n",
	       (const char *const[]){"-node_modules", "-a/node_modules", "-a/b/node_modules/x",
				     "+a/node_modules2", NULL});
	expect("* does not cross /", "a*\n", (const char *const[]){"-abc", "+x/abc", NULL});
	expect("? is one character", "?.txt\n",
	       (const char *const[]){"-a.txt", "+ab.txt", "+.txt", NULL});
	expect("classes", "[a-c].txt\n[^x]y\nn[!]z\n",
	       (const char *const[]){"-b.txt", "+d.txt", "-ay", "+xy", "-n!z", "+nqz", NULL});
	expect("escapes", "\\*.txt\nq\\?\n",
	       (const char *const[]){"-*.txt", "+a.txt", "-q?", "+qa", NULL});
	expect("blanks around a pattern and after !", "  a  \n!  a/keep \n",
	       (const char *const[]){"-a/x", "+a/keep", NULL});
	expect("exception of a file in an excluded dir", "dir\n!dir/keep.txt\n",
	       (const char *const[]){"-dir/x", "+dir/keep.txt", "-dir/sub/keep.txt", NULL});
	expect("exception of a directory", "*\n!src\n",
	       (const char *const[]){"-a", "+src", "+src/deep/f", "-srcx", NULL});
	expect("the pattern . is ignored, as the reference says", ".\n./\n",
	       (const char *const[]){"+a", "+a/b", "+.hidden", NULL});
	expect("CRLF lines", "a\r\nb\r\n", (const char *const[]){"-a", "-b", "+c", NULL});

	expect_error("ok\n[a-\n", ".dockerignore:2: bad pattern \"[a-\"");
	expect_error("[]\n", ".dockerignore:1: bad pattern \"[]\"");
	expect_error("a\\\n", ".dockerignore:1: bad pattern \"a\\\"");
	expect_error("a\n!\n", ".dockerignore:2: \"!\" excepts no pattern");
}

static void test_may_include_below(void)
{
	struct dockerignore *di = load("node_modules\nbuild\n!build/keep\n!**/*.keep\n");
	ok(di && dockerignore_may_include_below(di, "build"), "a named exception below");
	ok(di && dockerignore_may_include_below(di, "node_modules"), "** may match anywhere");
	dockerignore_free(di);

	di = load("a\nb\n!a/x/y\n!c*/d\n");
	ok(di && dockerignore_may_include_below(di, "a") &&
	       dockerignore_may_include_below(di, "a/x") &&
	       !dockerignore_may_include_below(di, "a/z") &&
	       !dockerignore_may_include_below(di, "b") &&
	       dockerignore_may_include_below(di, "cc") &&
	       dockerignore_may_include_below(di, "c/d/e"),
	   "element by element, globs included");
	dockerignore_free(di);

	/* found by fuzz_dockerignore: a '/' in a class does not split elements */
	di = load("*\n!*[/[a-c]/?\n");
	ok(di && dockerignore_excluded(di, "a") && !dockerignore_excluded(di, "a/x") &&
	       dockerignore_may_include_below(di, "a"),
	   "a class holding '/' stays in its element");
	dockerignore_free(di);

	di = load("a\n");
	ok(di && !dockerignore_may_include_below(di, "a"), "no exception: nothing below");
	dockerignore_free(di);
}

int main(void)
{
	test_reference_examples();
	test_rules();
	test_may_include_below();
	plan(tap_n);
	return done();
}
