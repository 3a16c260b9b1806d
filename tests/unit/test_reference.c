/* Reference parsing against docker's rules (distribution/reference normalize tests). */
#include "core/base/err.h"
#include "core/base/util.h"
#include "storage/reference.h"
#include "tap.h"

#include <string.h>

struct good {
	const char *in;
	const char *full;     /* reference_string */
	const char *familiar; /* reference_familiar */
};

static const struct good goods[] = {
    {"busybox", "docker.io/library/busybox:latest", "busybox:latest"},
    {"myimg:1", "docker.io/library/myimg:1", "myimg:1"},
    {"library/debian:bookworm", "docker.io/library/debian:bookworm", "debian:bookworm"},
    {"docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
    {"index.docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
    {"me/app", "docker.io/me/app:latest", "me/app:latest"},
    {"docker.io/library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest"},
    {"localhost/a", "localhost/a:latest", "localhost/a:latest"},
    {"localhost:5000/a/b:t", "localhost:5000/a/b:t", "localhost:5000/a/b:t"},
    {"registry.example:5000/team/app", "registry.example:5000/team/app:latest",
     "registry.example:5000/team/app:latest"},
    {"quay.io/x/y-z_w.v__u---t", "quay.io/x/y-z_w.v__u---t:latest",
     "quay.io/x/y-z_w.v__u---t:latest"},
    {"Host/a", "Host/a:latest", "Host/a:latest"},
    {"[::1]:5000/a", "[::1]:5000/a:latest", "[::1]:5000/a:latest"},
    {"localhost:5000", "docker.io/library/localhost:5000", "localhost:5000"},
    /* Found by fuzz_reference: shown as host.example.qw/co:latest, it named another
     * registry. */
    {"index.docker.io/host.example.qw/co", "docker.io/host.example.qw/co:latest",
     "docker.io/host.example.qw/co:latest"},
    /* Found by fuzz_reference: shown without library/ it read as an image id, which
     * does not parse. */
    {"library/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
     "docker.io/library/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef:latest",
     "library/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef:latest"},
    {"a:V1_2.3-x", "docker.io/library/a:V1_2.3-x", "a:V1_2.3-x"},
    {"a@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
     "docker.io/library/a@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
     "a@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
    {"h:1/a:t@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
     "h:1/a:t@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
     "h:1/a:t@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
};

struct bad {
	const char *in;
	const char *why; /* a substring of the message */
};

static const struct bad bads[] = {
    {"", "empty name"},
    {":tag", "empty repository name"},
    {"Busybox", "must be lowercase"},
    {"docker.io/Me/app", "must be lowercase"},
    {"a:", "invalid tag \"\""},
    {"a:b!", "invalid tag \"b!\""},
    {"a:.x", "invalid tag"},
    {"a@sha256:abc", "invalid digest"},
    {"a@md5:0123", "invalid digest"},
    {"a@", "invalid digest"},
    {"-a", "invalid repository name component \"-a\""},
    {"a//b", "invalid repository name component \"\""},
    {"a/", "invalid repository name component"},
    {"a..b", "invalid repository name component"},
    {"a___b", "invalid repository name component"},
    {"my image", "invalid repository name component"},
    {"host-.io/a", "invalid registry \"host-.io\""},
    {"host:port/a", "invalid registry \"host:port\""},
    {"host:/a", "invalid registry"},
    {"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "64-digit hex"},
};

int main(void)
{
	size_t n_good = sizeof goods / sizeof *goods, n_bad = sizeof bads / sizeof *bads;
	plan((int)(n_good * 2 + n_bad * 2 + 12));

	for (size_t i = 0; i < n_good; i++) {
		struct holt_err err = {0};
		cleanup_reference struct reference r = {0};
		int ret = reference_parse(goods[i].in, &r, &err);
		if (ret < 0) {
			ok(false, "parse \"%s\": %s", goods[i].in, err.msg);
			ok(false, "familiar \"%s\"", goods[i].in);
			holt_err_release(&err);
			continue;
		}
		cleanup_free char *full = reference_string(&r);
		cleanup_free char *fam = reference_familiar(&r);
		ok(!strcmp(full, goods[i].full), "parse \"%s\" -> %s", goods[i].in, full);
		ok(!strcmp(fam, goods[i].familiar), "familiar \"%s\" -> %s", goods[i].in, fam);
	}

	for (size_t i = 0; i < n_bad; i++) {
		struct holt_err err = {0};
		struct reference r;
		int ret = reference_parse(bads[i].in, &r, &err);
		ok(ret < 0, "refuse \"%s\"", bads[i].in);
		cleanup_free char *quoted = xasprintf("invalid reference \"%s\": ", bads[i].in);
		ok(err.msg && strstr(err.msg, bads[i].why) &&
		       !strncmp(err.msg, quoted, strlen(quoted)),
		   "message for \"%s\": %s", bads[i].in, err.msg ? err.msg : "(none)");
		holt_err_release(&err);
	}

	struct holt_err err = {0};
	cleanup_reference struct reference r = {0};
	ok(reference_parse("localhost:5000/a/b:t", &r, &err) == 0 &&
	       !strcmp(r.domain, "localhost:5000") && !strcmp(r.path, "a/b") &&
	       !strcmp(r.tag, "t") && !r.digest,
	   "fields of localhost:5000/a/b:t");
	cleanup_free char *repo = reference_repository(&r);
	ok(!strcmp(repo, "localhost:5000/a/b"), "repository %s", repo);
	cleanup_reference struct reference o = {0};
	ok(reference_parse("busybox", &o, &err) == 0, "parse busybox");
	cleanup_free char *frepo = reference_familiar_repository(&o);
	ok(!strcmp(frepo, "busybox"), "familiar repository %s", frepo);

	/* Only a name with no registry in it is tried in unqualified-search-registries. */
	ok(o.is_short && !r.is_short, "busybox is short, localhost:5000/a/b:t is not");
	cleanup_reference struct reference d = {0}, m = {0};
	ok(reference_parse("docker.io/busybox", &d, &err) == 0 && !d.is_short,
	   "docker.io/busybox names its registry");
	ok(reference_parse("me/app:1", &m, &err) == 0 && m.is_short, "me/app:1 is short");

	/* Found by fuzz_reference: a 240-character name parsed, but not its full form,
	 * docker.io/library/ and 240 characters. docker bounds the normalized name. */
	char long_name[241], legacy[300];
	memset(long_name, 'a', 240);
	long_name[240] = '\0';
	cleanup_reference struct reference l = {0}, g = {0};
	ok(reference_parse(long_name, &l, &err) < 0 && strstr(err.msg, "longer than 255"),
	   "a name over 255 characters once normalized is refused: %s", err.msg ? err.msg : "");
	holt_err_release(&err);
	/* index.docker.io/ becomes docker.io/: 258 characters typed, 252 normalized. */
	snprintf(legacy, sizeof legacy, "index.docker.io/a/%s", long_name);
	ok(reference_parse(legacy, &g, &err) == 0, "258 characters that normalize to 252 parse");

	const char *after = reference_after_repository("h:1/a/b:t", "h:1/a/b");
	ok(after && !strcmp(after, ":t"), "after the repository: the tag");
	after = reference_after_repository("h:1/a/b@sha256:x", "h:1/a/b");
	ok(after && !strcmp(after, "@sha256:x"), "after the repository: the digest");
	ok(!reference_after_repository("h:1/a/bc:t", "h:1/a/b") &&
	       !reference_after_repository("h:1/a:t", "h:1/a/b"),
	   "another repository, even one whose name starts the same, is not this one");
	return done();
}
