/* history_build and history_created_by: docker's history rows from an OCI config. */
#include "core/base/util.h"
#include "core/history.h"
#include "tap.h"

#include <string.h>

static json_object *parse(const char *text)
{
	json_object *o = json_tokener_parse(text);
	if (!o)
		abort();
	return o;
}

/* Two layers, made by the first and third entries; the second and fourth are metadata. */
static const char config_text[] =
    "{\"history\": ["
    "{\"created\": \"2024-01-02T03:04:05.123Z\", \"created_by\": \"ADD rootfs\"},"
    "{\"created\": \"2024-01-02T03:04:06Z\", \"created_by\": \"ENV A=1\", \"empty_layer\": true},"
    "{\"created\": \"2024-01-03T00:00:00+01:00\", \"created_by\": \"RUN\\tmake\","
    " \"comment\": \"built\"},"
    "{\"created_by\": \"CMD sh\", \"empty_layer\": true}"
    "]}";

static void test_build(void)
{
	json_object *config = parse(config_text);
	uint64_t sizes[] = {1000, 20};
	struct history_entry *h = NULL;
	struct holt_err err = {0};
	size_t n = 0;

	ok(history_build(config, sizes, 2, &h, &n, &err) == 0 && n == 4, "four entries");
	ok(!strcmp(h[0].created_by, "CMD sh") && h[0].size == 0 && h[0].created == 0,
	   "newest first; an empty layer's size is 0; no created is 0");
	ok(!strcmp(h[1].created_by, "RUN\tmake") && h[1].size == 20 &&
	       !strcmp(h[1].comment, "built"),
	   "the second layer's size goes to the entry that made it");
	ok(h[1].created == 1704236400, "a time with an offset is converted to UTC");
	ok(h[2].size == 0 && !strcmp(h[2].comment, ""), "a metadata entry: no size, empty comment");
	ok(h[3].size == 1000 && h[3].created == 1704164645, "the base layer's entry, oldest last");
	history_free(h, n);

	int ret = history_build(config, sizes, 1, &h, &n, &err);
	ok(ret < 0 && err.msg && strstr(err.msg, "has (1)"),
	   "more entries making a layer than layers is an error: %s", err.msg);
	holt_err_release(&err);
	json_object_put(config);

	config = parse("{\"architecture\": \"amd64\"}");
	ok(history_build(config, sizes, 2, &h, &n, &err) == 0 && n == 0 && !h,
	   "no history: no entries");
	json_object_put(config);
}

static void check_created_by(const char *in, size_t max, const char *want)
{
	cleanup_free char *got = history_created_by(in, max);
	ok(!strcmp(got, want), "created_by \"%s\" at %zu: \"%s\" (want \"%s\")", in, max, got,
	   want);
}

static void test_created_by(void)
{
	char exact[46], longer[47], want[48];

	memset(exact, 'a', 45);
	exact[45] = '\0';
	memset(longer, 'a', 46);
	longer[46] = '\0';
	memset(want, 'a', 44);
	strcpy(want + 44, "…");
	check_created_by(exact, 45, exact);
	check_created_by(longer, 45, want);
	check_created_by(longer, 0, longer);
	check_created_by("a\tb", 45, "a b");
	check_created_by("héllo wörld", 5, "héll…");
	check_created_by("", 45, "");
}

int main(void)
{
	plan(14);
	test_build();
	test_created_by();
	return done();
}
