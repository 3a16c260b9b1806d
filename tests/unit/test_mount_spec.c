/* docker's three mount spellings (-v, --mount, --tmpfs) and the record they make. */
#include "core/base/err.h"
#include "core/base/util.h"
#include "core/mount_spec.h"
#include "tap.h"

#include <string.h>

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

struct volume_case {
	const char *in;
	enum mount_type type;
	const char *source, *destination;
	bool readonly, nocopy, anonymous;
	unsigned flags;
	const char *propagation;
};

static const struct volume_case volumes[] = {
    {"/cache", MOUNT_VOLUME, NULL, "/cache", false, false, true, 0, NULL},
    {"/cache:ro", MOUNT_VOLUME, NULL, "/cache", true, false, true, 0, NULL},
    {"data:/var/lib/db", MOUNT_VOLUME, "data", "/var/lib/db", false, false, false, 0, NULL},
    {"data:/d:ro,nocopy", MOUNT_VOLUME, "data", "/d", true, true, false, 0, NULL},
    {"/src:/src", MOUNT_BIND, "/src", "/src", false, false, false, 0, NULL},
    {"/src:/src:ro,z", MOUNT_BIND, "/src", "/src", true, false, false, 0, NULL},
    {"/s:/d:rw,Z,nosuid,nodev,noexec", MOUNT_BIND, "/s", "/d", false, false, false,
     MOUNT_SPEC_NOSUID | MOUNT_SPEC_NODEV | MOUNT_SPEC_NOEXEC, NULL},
    {"/s:/d:rshared", MOUNT_BIND, "/s", "/d", false, false, false, 0, "rshared"},
    {"v1://a/./b//", MOUNT_VOLUME, "v1", "/a/b", false, false, false, 0, NULL},
};

static const char *const bad_volumes[] = {
    "",		  /* empty */
    "a:b:c:d",	  /* too many parts */
    "v:relative", /* destination not absolute */
    "v:/a/../b",  /* .. in the destination */
    "v:/",	  /* the root */
    "../x:/d",	  /* not a volume name, not absolute */
    "x:/d",	  /* a one-character name */
    "v:/d:bogus", /* unknown option */
    "/s:/d:nocopy" /* nocopy is for volumes */,
    "v:/d:rshared" /* propagation is for binds */,
    ":/d", /* empty source */
};

static void test_volume(void)
{
	for (size_t i = 0; i < sizeof volumes / sizeof *volumes; i++) {
		const struct volume_case *c = &volumes[i];
		struct mount_spec *m = NULL;
		size_t n = 0;
		struct holt_err err = {0};
		int r = mount_spec_parse_volume(c->in, &m, &n, &err);
		ok(r == 0 && n == 1 && m[0].type == c->type && str_eq(m[0].source, c->source) &&
		       str_eq(m[0].destination, c->destination) && m[0].readonly == c->readonly &&
		       m[0].nocopy == c->nocopy && m[0].anonymous == c->anonymous &&
		       m[0].flags == c->flags && str_eq(m[0].propagation, c->propagation) &&
		       m[0].create_source,
		   "-v %s", c->in);
		holt_err_release(&err);
		mount_specs_free(m, n);
	}
	for (size_t i = 0; i < sizeof bad_volumes / sizeof *bad_volumes; i++) {
		struct mount_spec *m = NULL;
		size_t n = 0;
		struct holt_err err = {0};
		int r = mount_spec_parse_volume(bad_volumes[i], &m, &n, &err);
		ok(r < 0 && n == 0 && err.msg, "-v \"%s\" refused: %s", bad_volumes[i],
		   err.msg ? err.msg : "(accepted)");
		holt_err_release(&err);
		mount_specs_free(m, n);
	}
}

static void test_mount(void)
{
	struct mount_spec *m = NULL;
	size_t n = 0;
	struct holt_err err = {0};

	ok(mount_spec_parse_mount("type=bind,src=/h,dst=/c,readonly,bind-propagation=rslave", &m,
				  &n, &err) == 0 &&
	       m[0].type == MOUNT_BIND && str_eq(m[0].source, "/h") &&
	       str_eq(m[0].destination, "/c") && m[0].readonly && !m[0].create_source &&
	       str_eq(m[0].propagation, "rslave"),
	   "--mount type=bind");
	ok(mount_spec_parse_mount("type=volume,source=v1,target=/d,volume-nocopy,ro=false", &m, &n,
				  &err) == 0 &&
	       m[1].type == MOUNT_VOLUME && str_eq(m[1].source, "v1") && m[1].nocopy &&
	       !m[1].readonly && !m[1].anonymous,
	   "--mount type=volume");
	ok(mount_spec_parse_mount("dst=/anon", &m, &n, &err) == 0 && m[2].type == MOUNT_VOLUME &&
	       m[2].anonymous && !m[2].source,
	   "--mount without a type or source: an anonymous volume");
	ok(mount_spec_parse_mount("type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770", &m, &n,
				  &err) == 0 &&
	       m[3].type == MOUNT_TMPFS && str_eq(m[3].tmpfs_data, "size=64m,mode=1770"),
	   "--mount type=tmpfs: size and mode");
	ok(n == 4 && mount_spec_check(m, n, &err) == 0, "four destinations, all different");
	holt_err_release(&err);

	static const char *const bad[] = {
	    "type=bind,dst=/c",			     /* no source */
	    "type=bind,src=rel,dst=/c",		     /* relative source */
	    "type=volume,src=v1",		     /* no destination */
	    "type=nfs,dst=/c",			     /* unknown type */
	    "type=tmpfs,src=x,dst=/t",		     /* a tmpfs has no source */
	    "type=tmpfs,dst=/t,tmpfs-size=lots",     /* not a size */
	    "type=bind,src=/h,dst=/c,volume-nocopy", /* option of another type */
	    "type=volume,dst=/a/../b",		     /* .. */
	    "type=volume,dst=/d,readonly=maybe",     /* not a boolean */
	    "type=volume,dst=/d,colour=blue",	     /* unknown key */
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		size_t before = n;
		int r = mount_spec_parse_mount(bad[i], &m, &n, &err);
		ok(r < 0 && n == before && err.msg, "--mount \"%s\" refused: %s", bad[i],
		   err.msg ? err.msg : "(accepted)");
		holt_err_release(&err);
	}
	mount_specs_free(m, n);
}

static void test_tmpfs_and_record(void)
{
	struct mount_spec *m = NULL, *back = NULL;
	size_t n = 0, n_back = 0;
	struct holt_err err = {0};

	ok(mount_spec_parse_tmpfs("/run:size=16m,mode=1777", &m, &n, &err) == 0 &&
	       str_eq(m[0].tmpfs_data, "size=16m,mode=1777") &&
	       m[0].flags == (MOUNT_SPEC_NOSUID | MOUNT_SPEC_NODEV | MOUNT_SPEC_NOEXEC),
	   "--tmpfs with data: noexec, nosuid, nodev by default");
	ok(mount_spec_parse_tmpfs("/t:exec,ro", &m, &n, &err) == 0 && !m[1].tmpfs_data &&
	       m[1].readonly && m[1].flags == (MOUNT_SPEC_NOSUID | MOUNT_SPEC_NODEV),
	   "--tmpfs exec,ro");
	ok(mount_spec_parse_tmpfs("/t:huge=always", &m, &n, &err) < 0, "--tmpfs unknown option");
	holt_err_release(&err);
	ok(mount_spec_parse_volume("/h:/run", &m, &n, &err) == 0 &&
	       mount_spec_check(m, n, &err) < 0 && strstr(err.msg, "/run"),
	   "a duplicate destination is refused");
	holt_err_release(&err);

	json_object *rec = mount_specs_to_json(m, n);
	mount_specs_from_json(rec, &back, &n_back);
	json_object_put(rec);
	bool same = n_back == n;
	for (size_t i = 0; same && i < n; i++)
		same = back[i].type == m[i].type && str_eq(back[i].source, m[i].source) &&
		       str_eq(back[i].destination, m[i].destination) &&
		       str_eq(back[i].tmpfs_data, m[i].tmpfs_data) && back[i].flags == m[i].flags &&
		       back[i].readonly == m[i].readonly && back[i].anonymous == m[i].anonymous &&
		       back[i].create_source == m[i].create_source;
	ok(same, "the config.json record reads back the same");
	mount_specs_free(back, n_back);
	mount_specs_free(m, n);
}

int main(void)
{
	plan(9 + 11 + 5 + 10 + 5);
	test_volume();
	test_mount();
	test_tmpfs_and_record();
	return done();
}
