/* Reading manifest.json (docker) or index.json and its manifests (OCI) into a list of
 * images, each with its config, its layers' members and digests, and its names. */
#include "storage/image_archive_meta.h"
#include "core/base/platform.h"
#include "core/base/util.h"
#include "storage/record.h"
#include "storage/reference.h"

#include <errno.h>
#include <string.h>

#define BLOBS_DIR	  "blobs/sha256/"
#define MEDIA_OCI_INDEX	  "application/vnd.oci.image.index.v1+json"
#define MEDIA_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define ANNOTATION_REF	  "org.opencontainers.image.ref.name"
#define ANNOTATION_CTRD	  "io.containerd.image.name"

char *image_archive_path_clean(const char *path)
{
	cleanup_free char *copy = xstrdup(path);
	char *out = xzalloc(strlen(path) + 1);
	char *save = NULL;
	size_t len = 0;

	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			if (len == 0) {
				free(out);
				return NULL;
			}
			char *slash = strrchr(out, '/');
			len = slash ? (size_t)(slash - out) : 0;
			out[len] = '\0';
			continue;
		}
		if (len)
			out[len++] = '/';
		size_t n = strlen(c);
		memcpy(out + len, c, n + 1);
		len += n;
	}
	return out;
}

static const char *get_member(const struct image_archive_members *m, const char *path, size_t *len,
			      struct holt_err *err)
{
	cleanup_free char *clean = image_archive_path_clean(path);
	if (!clean)
		return holt_err_set(err, 0, "member \"%s\": path climbs out of the archive", path),
		       NULL;
	return m->get(m->ctx, clean, len, err);
}

static json_object *parse_member(const char *path, const char *text, struct holt_err *err)
{
	cleanup_free char *what = xasprintf("member \"%s\"", path);
	return json_parse(text, what, err);
}

/* "sha256:<hex>" for a path blobs/sha256/<hex>, "" for any other path. */
static char *digest_of_path(const char *path)
{
	cleanup_free char *clean = image_archive_path_clean(path);
	if (clean && !strncmp(clean, BLOBS_DIR, strlen(BLOBS_DIR)) &&
	    digest_hex_valid(clean + strlen(BLOBS_DIR)))
		return xasprintf(DIGEST_PREFIX "%s", clean + strlen(BLOBS_DIR));
	return xstrdup("");
}

/* The digest docker's legacy layout gives a config in its name, "<hex>.json". */
static char *digest_of_config_path(const char *path)
{
	char *d = digest_of_path(path);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t n = strlen(base);
	if (!*d && n == DIGEST_HEX_LEN + 5 && !strcmp(base + DIGEST_HEX_LEN, ".json")) {
		cleanup_free char *hex = xstrndup(base, DIGEST_HEX_LEN);
		if (digest_hex_valid(hex)) {
			free(d);
			d = xasprintf(DIGEST_PREFIX "%s", hex);
		}
	}
	return d;
}

static char *blob_member(const char *digest)
{
	return xasprintf(BLOBS_DIR "%s", digest_hex(digest));
}

/* Fetches the member at path and checks it against want ("" or NULL: nothing to check). */
static const char *get_checked(const struct image_archive_members *m, const char *path,
			       const char *want, size_t *len, char got[DIGEST_STR_SIZE],
			       struct holt_err *err)
{
	const char *text = get_member(m, path, len, err);
	if (!text)
		return NULL;
	digest_buf(text, *len, got);
	if (want && *want && strcmp(want, got))
		return holt_err_set(err, 0, "member \"%s\": digest %s, expected %s", path, got,
				    want),
		       NULL;
	return text;
}

/* Reads the config of img from path: its digest, and the diff_ids of its rootfs. */
static int read_config(const struct image_archive_members *m, struct archived_image *img,
		       const char *path, const char *want, struct holt_err *err)
{
	img->config_text = get_checked(m, path, want, &img->config_len, img->config_digest, err);
	if (!img->config_text)
		return -1;
	cleanup_json json_object *config = parse_member(path, img->config_text, err);
	json_object *rootfs = NULL;
	if (!config)
		return -1;
	if (json_object_object_get_ex(config, "rootfs", &rootfs))
		img->diff_ids = json_get_strv(rootfs, "diff_ids");
	size_t n = strv_len(img->diff_ids);
	if (n != strv_len(img->layers))
		return holt_err_set(err, 0, "member \"%s\": %zu diff_ids for %zu layers", path, n,
				    strv_len(img->layers));
	for (size_t i = 0; i < n; i++)
		if (!digest_valid(img->diff_ids[i]))
			return holt_err_set(err, 0, "member \"%s\": invalid diff_id \"%s\"", path,
					    img->diff_ids[i]);
	return 0;
}

static int add_name(struct archived_image *img, const char *member, const char *name,
		    struct holt_err *err)
{
	cleanup_reference struct reference r = {0};
	if (reference_parse(name, &r, err) < 0)
		return holt_err_wrap(err, "member \"%s\"", member);
	if (r.digest)
		return holt_err_set(err, 0, "member \"%s\": \"%s\": a digest cannot name an image",
				    member, name);
	cleanup_free char *full = reference_string(&r);
	strv_push(&img->names, full);
	return 0;
}

static int docker_entry(const struct image_archive_members *m, json_object *e,
			struct archived_image *img, struct holt_err *err)
{
	json_object *tags = NULL;
	cleanup_free char *config = json_get_string(e, "Config");
	img->layers = json_get_strv(e, "Layers");
	if (!config || !img->layers)
		return holt_err_set(err, 0,
				    "member \"manifest.json\": an entry without Config or Layers");
	for (size_t i = 0; img->layers[i]; i++) {
		cleanup_free char *d = digest_of_path(img->layers[i]);
		strv_push(&img->layer_digests, d);
	}
	if (json_object_object_get_ex(e, "RepoTags", &tags) &&
	    json_object_is_type(tags, json_type_array))
		for (size_t i = 0; i < json_object_array_length(tags); i++) {
			const char *t = json_object_get_string(json_object_array_get_idx(tags, i));
			if (t && add_name(img, "manifest.json", t, err) < 0)
				return -1;
		}
	cleanup_free char *want = digest_of_config_path(config);
	return read_config(m, img, config, want, err);
}

static bool is_index(const char *media_type)
{
	return media_type &&
	       (!strcmp(media_type, MEDIA_OCI_INDEX) || !strcmp(media_type, MEDIA_DOCKER_LIST));
}

static const char *desc_string(json_object *desc, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(desc, key, &v) ? json_object_get_string(v) : NULL;
}

/* The descriptor's digest, when valid; member names the JSON it comes from. */
static const char *desc_digest(json_object *desc, const char *member, struct holt_err *err)
{
	const char *d = desc_string(desc, "digest");
	if (!d || !digest_valid(d))
		return holt_err_set(err, 0, "member \"%s\": a descriptor without a valid digest",
				    member),
		       NULL;
	return d;
}

static bool platform_is_host(json_object *desc)
{
	json_object *p;
	if (!json_object_object_get_ex(desc, "platform", &p))
		return false;
	const char *os = desc_string(p, "os"), *arch = desc_string(p, "architecture");
	const char *variant = desc_string(p, "variant"), *want = platform_variant();
	return os && arch && !strcmp(os, platform_os()) && !strcmp(arch, platform_arch()) &&
	       (!variant || !want || !strcmp(variant, want));
}

/* The host's manifest from the image index at desc (a multi-platform image). */
static json_object *pick_platform(const struct image_archive_members *m, json_object *desc,
				  json_object **index, struct holt_err *err)
{
	const char *digest = desc_digest(desc, "index.json", err);
	if (!digest)
		return NULL;
	cleanup_free char *path = blob_member(digest);
	char got[DIGEST_STR_SIZE];
	size_t len;
	const char *text = get_checked(m, path, digest, &len, got, err);
	json_object *list;
	if (!text || !(*index = parse_member(path, text, err)))
		return NULL;
	if (!json_object_object_get_ex(*index, "manifests", &list) ||
	    !json_object_is_type(list, json_type_array))
		return holt_err_set(err, 0, "member \"%s\": no manifests", path), NULL;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *d = json_object_array_get_idx(list, i);
		if (platform_is_host(d) && !is_index(desc_string(d, "mediaType")))
			return d;
	}
	return holt_err_set(err, 0, "member \"%s\": no manifest for %s/%s", path, platform_os(),
			    platform_arch()),
	       NULL;
}

/* The name an index entry gives its image: containerd's full name first, as docker 25
 * writes it beside a ref.name holding the tag alone. */
static const char *oci_name(json_object *desc)
{
	json_object *a;
	if (!json_object_object_get_ex(desc, "annotations", &a))
		return NULL;
	const char *n = desc_string(a, ANNOTATION_CTRD);
	return n ? n : desc_string(a, ANNOTATION_REF);
}

static int oci_layers(struct archived_image *img, const char *path, struct holt_err *err)
{
	if (!json_object_is_type(img->layer_descs, json_type_array))
		return holt_err_set(err, 0, "member \"%s\": no layers", path);
	for (size_t i = 0; i < json_object_array_length(img->layer_descs); i++) {
		const char *d =
		    desc_digest(json_object_array_get_idx(img->layer_descs, i), path, err);
		if (!d)
			return -1;
		cleanup_free char *member = blob_member(d);
		strv_push(&img->layers, member);
		strv_push(&img->layer_digests, d);
	}
	return 0;
}

static int oci_entry(const struct image_archive_members *m, json_object *desc,
		     struct archived_image *img, struct holt_err *err)
{
	cleanup_json json_object *index = NULL;
	json_object *mdesc =
	    is_index(desc_string(desc, "mediaType")) ? pick_platform(m, desc, &index, err) : desc;
	const char *digest = mdesc ? desc_digest(mdesc, "index.json", err) : NULL;
	if (!digest)
		return -1;
	cleanup_free char *path = blob_member(digest);
	char got[DIGEST_STR_SIZE];
	img->manifest_text = get_checked(m, path, digest, &img->manifest_len, got, err);
	cleanup_json json_object *manifest =
	    img->manifest_text ? parse_member(path, img->manifest_text, err) : NULL;
	json_object *config, *layers;
	if (!manifest)
		return -1;
	if (!json_object_object_get_ex(manifest, "config", &config))
		return holt_err_set(err, 0, "member \"%s\": no config", path);
	const char *config_digest = desc_digest(config, path, err);
	if (!config_digest)
		return -1;
	json_object_object_get_ex(manifest, "layers", &layers);
	img->layer_descs = json_object_get(layers);
	if (oci_layers(img, path, err) < 0)
		return -1;
	const char *name = oci_name(desc);
	if (name && add_name(img, "index.json", name, err) < 0)
		return -1;
	cleanup_free char *config_path = blob_member(config_digest);
	return read_config(m, img, config_path, config_digest, err);
}

static void archived_image_clear(struct archived_image *img)
{
	strv_free(img->layers);
	strv_free(img->layer_digests);
	strv_free(img->diff_ids);
	strv_free(img->names);
	if (img->layer_descs)
		json_object_put(img->layer_descs);
	memset(img, 0, sizeof *img);
}

/* Entries with the same config are one image: the first keeps the others' names. */
static size_t merge_same(struct archived_image *images, size_t n)
{
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j;
		for (j = 0; j < kept; j++)
			if (!strcmp(images[j].config_digest, images[i].config_digest))
				break;
		if (j == kept) {
			images[kept++] = images[i];
			continue;
		}
		for (size_t k = 0; images[i].names && images[i].names[k]; k++)
			strv_push(&images[j].names, images[i].names[k]);
		archived_image_clear(&images[i]);
	}
	return kept;
}

/* The array of entries of manifest.json, or index.json's manifests. */
static json_object *top_entries(const struct image_archive_members *m,
				enum image_archive_format *format, json_object **top,
				struct holt_err *err)
{
	size_t len;
	const char *text = m->get(m->ctx, "manifest.json", &len, err);
	json_object *list = NULL;

	*format = IMAGE_ARCHIVE_DOCKER;
	/* Only a missing member means the other format: one too big to read is the error. */
	if (!text && err->errnum != ENOENT)
		return NULL;
	if (!text) {
		holt_err_release(err);
		*format = IMAGE_ARCHIVE_OCI;
		text = m->get(m->ctx, "index.json", &len, err);
		if (!text && err->errnum != ENOENT)
			return NULL;
		if (!text) {
			holt_err_release(err);
			return holt_err_set(err, 0,
					    "neither manifest.json nor index.json: not a "
					    "docker-archive or an oci-archive"),
			       NULL;
		}
	}
	const char *path = *format == IMAGE_ARCHIVE_DOCKER ? "manifest.json" : "index.json";
	if (!(*top = parse_member(path, text, err)))
		return NULL;
	if (*format == IMAGE_ARCHIVE_DOCKER)
		list = *top;
	else
		json_object_object_get_ex(*top, "manifests", &list);
	if (!list || !json_object_is_type(list, json_type_array) ||
	    json_object_array_length(list) == 0)
		return holt_err_set(err, 0, "member \"%s\": no images", path), NULL;
	return list;
}

int image_archive_meta_read(const struct image_archive_members *m,
			    enum image_archive_format *format, struct archived_image **images,
			    size_t *n, struct holt_err *err)
{
	cleanup_json json_object *top = NULL;
	json_object *list = top_entries(m, format, &top, err);

	*images = NULL;
	*n = 0;
	if (!list)
		return -1;
	size_t count = json_object_array_length(list);
	struct archived_image *v = xzalloc(count * sizeof *v);
	for (size_t i = 0; i < count; i++) {
		json_object *e = json_object_array_get_idx(list, i);
		int r = *format == IMAGE_ARCHIVE_DOCKER ? docker_entry(m, e, &v[i], err)
							: oci_entry(m, e, &v[i], err);
		if (r < 0) {
			archived_images_free(v, count);
			return -1;
		}
	}
	*images = v;
	*n = merge_same(v, count);
	return 0;
}

void archived_images_free(struct archived_image *images, size_t n)
{
	for (size_t i = 0; i < n; i++)
		archived_image_clear(&images[i]);
	free(images);
}
