/* Registry documents: WWW-Authenticate challenges, manifests, indexes and platform
 * selection, as registries serve them. */
#include "core/base/err.h"
#include "core/base/platform.h"
#include "core/base/util.h"
#include "net/manifest.h"
#include "net/www_auth.h"
#include "tap.h"

#include <string.h>

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static bool fails_with(int ret, struct holt_err *err, const char *part)
{
	bool good = ret < 0 && err->msg && strstr(err->msg, part);
	if (!good)
		diag("ret %d, message: %s", ret, err->msg ? err->msg : "(none)");
	holt_err_release(err);
	return good;
}

static void challenges(void)
{
	struct holt_err err = {0};
	struct www_auth a;

	int r = www_auth_parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry."
			       "docker.io\",scope=\"repository:library/busybox:pull\"",
			       &a, &err);
	ok(r == 0 && a.scheme == AUTH_BEARER && !strcmp(a.realm, "https://auth.docker.io/token") &&
	       !strcmp(a.service, "registry.docker.io") &&
	       !strcmp(a.scope, "repository:library/busybox:pull"),
	   "Docker Hub's Bearer challenge");
	www_auth_clear(&a);

	r = www_auth_parse("bearer realm=\"http://127.0.0.1:9/t?x=1\", scope=\"a:b:pull,push\"", &a,
			   &err);
	ok(r == 0 && a.scheme == AUTH_BEARER && !strcmp(a.realm, "http://127.0.0.1:9/t?x=1") &&
	       !a.service && !strcmp(a.scope, "a:b:pull,push"),
	   "lower-case scheme, spaces after commas, no service, a comma inside quotes");
	www_auth_clear(&a);

	r = www_auth_parse("Basic realm=\"Registry Realm\"", &a, &err);
	ok(r == 0 && a.scheme == AUTH_BASIC && !strcmp(a.realm, "Registry Realm"), "Basic");
	www_auth_clear(&a);

	r = www_auth_parse("Bearer realm=\"a\\\"b\"", &a, &err);
	ok(r == 0 && !strcmp(a.realm, "a\"b"), "an escaped quote in a quoted value");
	www_auth_clear(&a);

	ok(fails_with(www_auth_parse("Negotiate abc", &a, &err), &err, "\"Negotiate\""),
	   "an unknown scheme is refused by name");
	ok(fails_with(www_auth_parse("Bearer service=\"x\"", &a, &err), &err, "no realm"),
	   "a Bearer challenge without a realm is refused");
}

static const char oci_manifest[] =
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" D1
    "\",\"size\":7},\"layers\":[{\"mediaType\":\"application/"
    "vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" D2
    "\",\"size\":100},{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\","
    "\"digest\":\"" D3 "\",\"size\":5}]}";

static const char docker_manifest[] =
    "{\"schemaVersion\":2,\"mediaType\":\"application/"
    "vnd.docker.distribution.manifest.v2+json\",\"config\":{\"mediaType\":\"application/"
    "vnd.docker.container.image.v1+json\",\"digest\":\"" D1
    "\",\"size\":7},\"layers\":[{\"mediaType\":\"application/"
    "vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\"" D2 "\",\"size\":100}]}";

static const char index_doc[] =
    "{\"schemaVersion\":2,\"manifests\":["
    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D1
    "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":"
    "\"v6\"}},"
    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D2
    "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":"
    "\"v7\"}},"
    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D3
    "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";

static void manifests(void)
{
	struct holt_err err = {0};
	struct manifest m;

	int r = manifest_parse(oci_manifest, NULL, "m", &m, &err);
	ok(r == 0 && !m.is_index && !strcmp(m.config.digest, D1) && m.n_layers == 2 &&
	       m.layers[0].size == 100 && !strcmp(m.layers[1].digest, D3),
	   "an OCI manifest: config and layers, in order");
	manifest_clear(&m);

	r = manifest_parse(docker_manifest, NULL, "m", &m, &err);
	ok(r == 0 && !m.is_index && m.n_layers == 1, "a Docker schema 2 manifest");
	manifest_clear(&m);

	r = manifest_parse(index_doc, "application/vnd.oci.image.index.v1+json", "i", &m, &err);
	ok(r == 0 && m.is_index && m.n_manifests == 3, "an index, known by its manifests");
	const struct descriptor *d = manifest_select(&m, "linux", "arm", "v7", "i", &err);
	ok(d && !strcmp(d->digest, D2), "--platform linux/arm/v7 picks the v7 entry");
	d = manifest_select(&m, "linux", "amd64", NULL, "i", &err);
	ok(d && !strcmp(d->digest, D3), "linux/amd64");
	d = manifest_select(&m, "linux", "arm", NULL, "i", &err);
	ok(d != NULL, "linux/arm without a variant takes one of them");
	holt_err_release(&err);
	d = manifest_select(&m, "linux", "s390x", NULL, "i", &err);
	ok(!d && err.msg && strstr(err.msg, "linux/s390x") && strstr(err.msg, "linux/arm/v6"),
	   "a platform the index lacks: the message names it and what there is");
	holt_err_release(&err);
	manifest_clear(&m);

	ok(fails_with(manifest_parse("{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}", NULL,
				     "m", &m, &err),
		      &err, "schema 1"),
	   "schema 1 is refused by name");
	ok(fails_with(manifest_parse("{}",
				     "application/vnd.docker.distribution.manifest.v1+prettyjws",
				     "m", &m, &err),
		      &err, "schema 1"),
	   "schema 1 known by its content type");
	ok(fails_with(manifest_parse("{\"schemaVersion\":2", NULL, "m", &m, &err), &err,
		      "not a JSON object"),
	   "truncated JSON");
	/* 10,000 levels: refused after 32, with a message that says so. */
	cleanup_free char *deep = xmalloc(2 * 10000 + 20);
	char *p = stpcpy(deep, "{\"a\":");
	for (int i = 0; i < 10000; i++)
		*p++ = '[';
	for (int i = 0; i < 10000; i++)
		*p++ = ']';
	strcpy(p, "}");
	ok(fails_with(manifest_parse(deep, NULL, "m", &m, &err), &err,
		      "m: nested more than 32 levels deep"),
	   "a manifest nested 10,000 deep is refused");
	ok(fails_with(manifest_parse("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1
				     "\",\"size\":1},\"layers\":[{\"mediaType\":\"text/"
				     "plain\",\"digest\":\"" D2 "\",\"size\":1}]}",
				     NULL, "m", &m, &err),
		      &err, "text/plain"),
	   "a layer of a media type holt cannot unpack is named");
	ok(fails_with(manifest_parse("{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:abc\","
				     "\"size\":1},\"layers\":[]}",
				     NULL, "m", &m, &err),
		      &err, "sha256:abc"),
	   "a malformed digest is named");
	ok(fails_with(manifest_parse("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1
				     "\",\"size\":1},\"layers\":[]}",
				     NULL, "m", &m, &err),
		      &err, "no layers"),
	   "a manifest without layers");
	ok(fails_with(manifest_parse("{\"schemaVersion\":2,\"mediaType\":\"application/"
				     "vnd.example.not-a-manifest+json\",\"config\":{\"digest\":"
				     "\"" D1 "\",\"size\":1},\"layers\":[]}",
				     NULL, "m", &m, &err),
		      &err, "\"application/vnd.example.not-a-manifest+json\" is not an image"),
	   "a mediaType that is no manifest or index is refused by name");
	ok(fails_with(manifest_parse("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1
				     "\",\"size\":1},\"layers\":[]}",
				     "application/json", "m", &m, &err),
		      &err, "no layers"),
	   "without a mediaType, a generic Content-Type leaves it to the fields");
	r = manifest_parse(index_doc, "application/vnd.docker.distribution.manifest.list.v2+json",
			   "i", &m, &err);
	ok(r == 0 && m.is_index, "a Docker manifest list known by its Content-Type");
	manifest_clear(&m);
}

int main(void)
{
	plan(23);
	challenges();
	manifests();
	return done();
}
