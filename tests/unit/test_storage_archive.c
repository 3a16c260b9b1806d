/* image_archive_meta: what manifest.json and index.json say an archive holds, with the
 * digests of the JSON members checked, and the member paths cleaned. */
#include "core/base/platform.h"
#include "core/base/util.h"
#include "storage/image_archive_meta.h"
#include "tap.h"

#include <errno.h>
#include <string.h>

#define MAX_MEMBERS 8
#define HEX_A	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

struct member {
	const char *path;
	char *text;
};

static struct member members[MAX_MEMBERS];
static size_t n_members;

static const char *get(void *ctx, const char *path, size_t *len, struct holt_err *err)
{
	for (size_t i = 0; i < n_members; i++)
		if (!strcmp(members[i].path, path)) {
			*len = strlen(members[i].text);
			return members[i].text;
		}
	return holt_err_set_code(err, ENOENT, "member \"%s\": missing", path), NULL;
}

static const struct image_archive_members archive = {get, NULL};

static void reset(void)
{
	for (size_t i = 0; i < n_members; i++)
		free(members[i].text);
	n_members = 0;
}

static void add(const char *path, char *text)
{
	members[n_members++] = (struct member){path, text};
}

/* Adds text under blobs/sha256/<its hex> and returns its digest (static storage). */
static const char *add_blob(char *text)
{
	static char digests[MAX_MEMBERS][DIGEST_STR_SIZE];
	static char paths[MAX_MEMBERS][96];
	char *d = digests[n_members], *p = paths[n_members];
	digest_buf(text, strlen(text), d);
	snprintf(p, sizeof paths[0], "blobs/sha256/%s", digest_hex(d));
	add(p, text);
	return d;
}

static char *config(int n_layers)
{
	return xasprintf("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
			 "\"layers\",\"diff_ids\":[%s]}}",
			 n_layers == 1 ? "\"sha256:" HEX_A "\""
				       : "\"sha256:" HEX_A "\",\"sha256:" HEX_B "\"");
}

static int read_archive(enum image_archive_format *format, struct archived_image **images,
			size_t *n, struct holt_err *err)
{
	return image_archive_meta_read(&archive, format, images, n, err);
}

static void test_path_clean(void)
{
	static const char *const cases[][2] = {
	    {"./a//b/./c", "a/b/c"}, {"a/../b", "b"},	  {"/abs/x", "abs/x"},
	    {"../x", NULL},	     {"x/../../y", NULL}, {"a/b/../../c/", "c"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		cleanup_free char *got = image_archive_path_clean(cases[i][0]);
		ok(cases[i][1] ? got && !strcmp(got, cases[i][1]) : !got, "clean \"%s\" -> %s",
		   cases[i][0], got ? got : "NULL");
	}
}

static void test_docker_legacy(void)
{
	struct holt_err err = {0};
	enum image_archive_format format;
	struct archived_image *images;
	size_t n;
	char digest[DIGEST_STR_SIZE];
	char *c = config(2);

	digest_buf(c, strlen(c), digest);
	cleanup_free char *config_path = xasprintf("%s.json", digest_hex(digest));
	add(config_path, c);
	/* Two entries with one config: one image with both entries' names. */
	add("manifest.json",
	    xasprintf("[{\"Config\":\"%s\",\"RepoTags\":[\"busybox\"],\"Layers\":[\"l1/layer.tar\","
		      "\"./blobs/sha256/" HEX_B "\"]},{\"Config\":\"./%s\",\"RepoTags\":"
		      "[\"me/app:v2\"],\"Layers\":[\"l1/layer.tar\",\"blobs/sha256/" HEX_B "\"]}]",
		      config_path, config_path));
	int r = read_archive(&format, &images, &n, &err);
	ok(r == 0 && format == IMAGE_ARCHIVE_DOCKER && n == 1, "docker-archive: one image (%s)",
	   err.msg ? err.msg : "ok");
	if (r == 0 && n == 1) {
		struct archived_image *im = images;
		ok(!strcmp(im->config_digest, digest), "the config digest is its name's");
		ok(strv_len(im->names) == 2 &&
		       !strcmp(im->names[0], "docker.io/library/busybox:latest") &&
		       !strcmp(im->names[1], "docker.io/me/app:v2"),
		   "RepoTags of both entries, as full references");
		ok(strv_len(im->layers) == 2 && !strcmp(im->layer_digests[0], "") &&
		       !strcmp(im->layer_digests[1], "sha256:" HEX_B),
		   "a legacy layer has no digest, a blobs/sha256 one has its name");
		ok(!im->manifest_text && strv_len(im->diff_ids) == 2, "no manifest, two diff_ids");
	} else {
		skip(4, "no image");
	}
	archived_images_free(images, n);
	holt_err_release(&err);
	reset();
}

static void test_docker_bad(void)
{
	struct holt_err err = {0};
	int r;
	enum image_archive_format format;
	struct archived_image *images;
	size_t n;

	add(HEX_A ".json", config(2));
	add("manifest.json",
	    xstrdup("[{\"Config\":\"" HEX_A ".json\",\"Layers\":[\"a.tar\",\"b.tar\"]}]"));
	r = read_archive(&format, &images, &n, &err);
	ok(r < 0 && strstr(err.msg, "digest sha256:") && strstr(err.msg, "expected sha256:" HEX_A),
	   "a config whose name is not its digest: %s", err.msg);
	holt_err_release(&err);
	reset();

	const char *d = add_blob(config(1));
	add("manifest.json", xasprintf("[{\"Config\":\"blobs/sha256/%s\",\"Layers\":[\"a.tar\","
				       "\"b.tar\"]}]",
				       digest_hex(d)));
	r = read_archive(&format, &images, &n, &err);
	ok(r < 0 && strstr(err.msg, "1 diff_ids for 2"), "fewer diff_ids than layers: %s", err.msg);
	holt_err_release(&err);
	reset();

	add("manifest.json", xstrdup("[{\"Config\":\"gone.json\",\"Layers\":[]}]"));
	r = read_archive(&format, &images, &n, &err);
	ok(r < 0 && strstr(err.msg, "member \"gone.json\": missing"), "a missing config: %s",
	   err.msg);
	holt_err_release(&err);
	reset();

	add("oci-layout", xstrdup("{}"));
	r = read_archive(&format, &images, &n, &err);
	ok(r < 0 && strstr(err.msg, "neither manifest.json nor index.json"),
	   "no manifest.json, no index.json: %s", err.msg);
	holt_err_release(&err);
	reset();
}

static char *manifest(const char *config_digest)
{
	return xasprintf("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest."
			 "v1+json\",\"config\":{\"digest\":\"%s\",\"size\":1},\"layers\":[{"
			 "\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
			 "\"digest\":\"sha256:" HEX_B "\",\"size\":1}]}",
			 config_digest);
}

static void test_oci(void)
{
	struct holt_err err = {0};
	enum image_archive_format format;
	struct archived_image *images;
	size_t n;

	const char *c = add_blob(config(1));
	const char *m = add_blob(manifest(c));
	/* The host's manifest among others, in a nested index (a multi-platform image). */
	const char *idx = add_blob(xasprintf(
	    "{\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	    "\"digest\":\"sha256:" HEX_A "\",\"platform\":{\"os\":\"linux\",\"architecture\":"
	    "\"not-%s\"}},{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	    "\"digest\":\"%s\",\"platform\":{\"os\":\"linux\",\"architecture\":\"%s\"%s%s%s}}]}",
	    platform_arch(), m, platform_arch(), platform_variant() ? ",\"variant\":\"" : "",
	    platform_variant() ? platform_variant() : "", platform_variant() ? "\"" : ""));
	add("index.json",
	    xasprintf(
		"{\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		"\"digest\":\"%s\",\"annotations\":{\"org.opencontainers.image.ref.name\":"
		"\"localhost:5000/a/b:t\"}},{\"mediaType\":\"application/vnd.oci.image.index."
		"v1+json\",\"digest\":\"%s\",\"annotations\":{\"io.containerd.image.name\":"
		"\"docker.io/library/multi:1\",\"org.opencontainers.image.ref.name\":\"1\"}}]}",
		m, idx));
	int r = read_archive(&format, &images, &n, &err);
	ok(r == 0 && format == IMAGE_ARCHIVE_OCI && n == 1, "oci-archive: one image (%s)",
	   err.msg ? err.msg : "ok");
	if (r == 0 && n == 1) {
		ok(!strcmp(images->config_digest, c), "its config");
		ok(strv_len(images->names) == 2 &&
		       !strcmp(images->names[0], "localhost:5000/a/b:t") &&
		       !strcmp(images->names[1], "docker.io/library/multi:1"),
		   "ref.name, and containerd's full name before ref.name");
		ok(images->manifest_text && strv_len(images->layers) == 1 &&
		       !strcmp(images->layers[0], "blobs/sha256/" HEX_B) &&
		       !strcmp(images->layer_digests[0], "sha256:" HEX_B),
		   "the manifest kept, its layers' members and digests");
	} else {
		skip(3, "no image");
	}
	archived_images_free(images, n);
	holt_err_release(&err);
	reset();

	/* A manifest whose bytes are not its digest. */
	r = -1;
	c = add_blob(config(1));
	add("index.json", xasprintf("{\"manifests\":[{\"digest\":\"sha256:" HEX_A "\"}]}"));
	add("blobs/sha256/" HEX_A, manifest(c));
	r = read_archive(&format, &images, &n, &err);
	ok(r < 0 && strstr(err.msg, "member \"blobs/sha256/" HEX_A "\": digest"),
	   "a manifest with a wrong digest: %s", err.msg);
	holt_err_release(&err);
	reset();
}

int main(void)
{
	plan(6 + 5 + 4 + 5);
	test_path_clean();
	test_docker_legacy();
	test_docker_bad();
	test_oci();
	return done();
}
