#include "net/manifest.h"
#include "core/base/digest.h"
#include "core/base/json.h"
#include "core/base/platform.h"
#include "core/base/util.h"

#include <stdbool.h>
#include <string.h>

static const char *const layer_types[] = {
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.diff.tar.zstd",
    /* Non-distributable layers are ordinary layers once a registry holds them. */
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
};

static const char *const image_types[] = {
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
};

static const char *const index_types[] = {
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
};

#define N_OF(a) (sizeof(a) / sizeof *(a))

static bool is_one_of(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int descriptor_parse(json_object *o, const char *field, const char *what,
			    struct descriptor *d, struct holt_err *err)
{
	const char *digest = str(o, "digest");
	json_object *size;
	if (!json_object_is_type(o, json_type_object) || !digest ||
	    !json_object_object_get_ex(o, "size", &size) ||
	    !json_object_is_type(size, json_type_int))
		return holt_err_set(err, 0, "%s: %s is not a descriptor with digest and size", what,
				    field);
	if (!digest_valid(digest))
		return holt_err_set(err, 0, "%s: %s: digest \"%s\" is not sha256:<64 hex digits>",
				    what, field, digest);
	d->digest = xstrdup(digest);
	d->size = json_object_get_int64(size);
	if (d->size < 0)
		return holt_err_set(err, 0, "%s: %s: negative size", what, field);
	const char *mt = str(o, "mediaType");
	d->media_type = mt ? xstrdup(mt) : NULL;
	json_object *platform;
	if (json_object_object_get_ex(o, "platform", &platform)) {
		const char *os = str(platform, "os"), *arch = str(platform, "architecture"),
			   *variant = str(platform, "variant");
		d->os = os ? xstrdup(os) : NULL;
		d->arch = arch ? xstrdup(arch) : NULL;
		d->variant = variant ? xstrdup(variant) : NULL;
	}
	return 0;
}

static int descriptors(json_object *o, const char *key, const char *what, struct descriptor **out,
		       size_t *n, struct holt_err *err)
{
	json_object *arr;
	if (!json_object_object_get_ex(o, key, &arr) || !json_object_is_type(arr, json_type_array))
		return holt_err_set(err, 0, "%s: no \"%s\" array", what, key);
	*n = json_object_array_length(arr);
	*out = xzalloc((*n ? *n : 1) * sizeof **out);
	for (size_t i = 0; i < *n; i++) {
		char field[48];
		snprintf(field, sizeof field, "%s[%zu]", key, i);
		if (descriptor_parse(json_object_array_get_idx(arr, i), field, what, &(*out)[i],
				     err) < 0)
			return -1;
	}
	return 0;
}

static int parse_image(json_object *o, const char *what, struct manifest *m, struct holt_err *err)
{
	json_object *config;
	if (!json_object_object_get_ex(o, "config", &config) ||
	    descriptor_parse(config, "config", what, &m->config, err) < 0)
		return err->msg ? -1 : holt_err_set(err, 0, "%s: no config", what);
	if (descriptors(o, "layers", what, &m->layers, &m->n_layers, err) < 0)
		return -1;
	if (m->n_layers == 0)
		return holt_err_set(err, 0, "%s: no layers", what);
	for (size_t i = 0; i < m->n_layers; i++) {
		const char *mt = m->layers[i].media_type;
		if (!mt)
			return holt_err_set(err, 0, "%s: layers[%zu] has no mediaType", what, i);
		if (!is_one_of(mt, layer_types, N_OF(layer_types)))
			return holt_err_set(
			    err, 0,
			    "%s: layers[%zu]: media type \"%s\" is not a layer holt can unpack%s",
			    what, i, mt,
			    strstr(mt, "foreign") ? " (a foreign layer, fetched from elsewhere)"
						  : "");
	}
	return 0;
}

int manifest_parse(const char *body, const char *content_type, const char *what, struct manifest *m,
		   struct holt_err *err)
{
	memset(m, 0, sizeof *m);
	enum json_tokener_error jerr;
	/* json-c stops at its default depth (JSON_TOKENER_DEFAULT_DEPTH, 32): a document
	 * nested 10,000 deep is refused after reading 32 levels of it, not built in memory. */
	cleanup_json json_object *o = json_tokener_parse_verbose(body, &jerr);
	if (!o && jerr == json_tokener_error_depth)
		return holt_err_set(err, 0, "%s: nested more than %d levels deep", what,
				    JSON_TOKENER_DEFAULT_DEPTH);
	if (!o || !json_object_is_type(o, json_type_object))
		return holt_err_set(err, 0, "%s: not a JSON object", what);
	json_object *version;
	int schema = json_object_object_get_ex(o, "schemaVersion", &version)
			 ? json_object_get_int(version)
			 : 0;
	const char *own = str(o, "mediaType");
	const char *mt = own ? own : content_type;
	if (schema == 1 || (mt && strstr(mt, "distribution.manifest.v1")))
		return holt_err_set(err, 0,
				    "%s: a Docker schema 1 manifest, which holt does not "
				    "pull (deprecated since 2017; push the image again with a "
				    "current tool)",
				    what);
	if (schema != 2)
		return holt_err_set(err, 0, "%s: schemaVersion %d, not 2", what, schema);
	bool image = mt && is_one_of(mt, image_types, N_OF(image_types));
	bool index = mt && is_one_of(mt, index_types, N_OF(index_types));
	/* The document's own word is final; a Content-Type such as application/json, which
	 * some registries send for OCI manifests without one, leaves it to the fields. */
	if (own && !image && !index)
		return holt_err_set(
		    err, 0, "%s: media type \"%s\" is not an image manifest or index", what, own);
	if (!image && !index)
		index = json_object_object_get_ex(o, "manifests", NULL);
	m->is_index = index;
	int ret = index ? descriptors(o, "manifests", what, &m->manifests, &m->n_manifests, err)
			: parse_image(o, what, m, err);
	if (ret < 0)
		manifest_clear(m);
	return ret;
}

static void descriptor_clear(struct descriptor *d)
{
	free(d->media_type), free(d->digest), free(d->os), free(d->arch), free(d->variant);
}

void manifest_clear(struct manifest *m)
{
	descriptor_clear(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		descriptor_clear(&m->layers[i]);
	for (size_t i = 0; i < m->n_manifests; i++)
		descriptor_clear(&m->manifests[i]);
	free(m->layers);
	free(m->manifests);
	memset(m, 0, sizeof *m);
}

const struct descriptor *manifest_select(const struct manifest *m, const char *os, const char *arch,
					 const char *variant, const char *what,
					 struct holt_err *err)
{
	const struct descriptor *any = NULL;
	const char *host_variant = strcmp(arch, platform_arch()) == 0 ? platform_variant() : NULL;
	for (size_t i = 0; i < m->n_manifests; i++) {
		const struct descriptor *d = &m->manifests[i];
		if (!d->os || !d->arch || strcmp(d->os, os) != 0 || strcmp(d->arch, arch) != 0)
			continue;
		if (variant) {
			if (d->variant && strcmp(d->variant, variant) == 0)
				return d;
			continue;
		}
		if (!host_variant || (d->variant && strcmp(d->variant, host_variant) == 0))
			return d;
		if (!any)
			any = d;
	}
	if (any)
		return any;
	cleanup_free char *have = xstrdup("");
	for (size_t i = 0; i < m->n_manifests; i++) {
		const struct descriptor *d = &m->manifests[i];
		char *next = xasprintf("%s%s%s/%s%s%s", have, *have ? ", " : "",
				       d->os ? d->os : "?", d->arch ? d->arch : "?",
				       d->variant ? "/" : "", d->variant ? d->variant : "");
		free(have);
		have = next;
	}
	return holt_err_set(err, 0, "%s: no image for %s/%s%s%s (it has: %s)", what, os, arch,
			    variant ? "/" : "", variant ? variant : "", *have ? have : "none"),
	       NULL;
}
