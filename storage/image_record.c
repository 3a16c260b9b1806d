/* images/<id>/image.json and images/names.json. */
#include "storage/image_record.h"
#include "core/base/digest.h"
#include "core/base/util.h"
#include "storage/record.h"

#include <errno.h>
#include <string.h>

#define NAMES_FILE "names.json"

char *image_dir(struct store *s, const char *id)
{
	return xasprintf("%s/images/%s", store_root(s), id);
}

json_object *image_record_json(const struct image_record *r)
{
	json_object *o = json_object_new_object();
	json_add_string(o, "manifest", r->manifest);
	json_add_string(o, "config", r->config);
	json_add_strv(o, "layers", r->layers);
	if (r->repo_digests)
		json_add_strv(o, "repo_digests", r->repo_digests);
	return o;
}

int image_record_load(struct store *s, const char *id, struct image_record *r, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("%s/images/%s/image.json", store_root(s), id);
	cleanup_json json_object *o = json_file_load(path, err);
	memset(r, 0, sizeof *r);
	if (!o)
		return -1;
	r->manifest = json_get_string(o, "manifest");
	r->config = json_get_string(o, "config");
	r->layers = json_get_strv(o, "layers");
	r->repo_digests = json_get_strv(o, "repo_digests");
	if (!r->manifest || !r->config || !digest_valid(r->manifest) || !digest_valid(r->config)) {
		image_record_clear(r);
		return holt_err_set(err, 0, "read \"%s\": no valid manifest and config digests",
				    path);
	}
	for (size_t i = 0; r->layers && r->layers[i]; i++) {
		if (!digest_valid(r->layers[i])) {
			image_record_clear(r);
			return holt_err_set(err, 0, "read \"%s\": invalid layer \"%s\"", path,
					    r->layers[i]);
		}
	}
	return 0;
}

void image_record_clear(struct image_record *r)
{
	free(r->manifest);
	free(r->config);
	strv_free(r->layers);
	strv_free(r->repo_digests);
	memset(r, 0, sizeof *r);
}

json_object *image_names_load(struct store *s, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("%s/images/" NAMES_FILE, store_root(s));
	json_object *o = json_file_load(path, err);
	if (!o && err->errnum == ENOENT) {
		holt_err_release(err);
		return json_object_new_object();
	}
	if (o && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		holt_err_set(err, 0, "read \"%s\": not a JSON object", path);
		return NULL;
	}
	return o;
}

int image_names_save(struct store *s, json_object *names, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("%s/images/" NAMES_FILE, store_root(s));
	return record_write(s, path, names, err);
}

char **image_names_of(json_object *names, const char *id)
{
	char **v = NULL;
	json_object_object_foreach(names, key, val)
	{
		const char *s = json_object_get_string(val);
		if (s && !strcmp(s, id))
			strv_push(&v, key);
	}
	strv_sort(v);
	return v;
}

int image_ids(struct store *s, char ***ids, struct holt_err *err)
{
	cleanup_free char *dir = xasprintf("%s/images", store_root(s));
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	*ids = NULL;
	if (!d)
		return holt_err_set(err, errno, "list images in \"%s\"", dir);
	while ((de = readdir(d)))
		if (digest_hex_valid(de->d_name))
			strv_push(ids, de->d_name);
	return 0;
}
