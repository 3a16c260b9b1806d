/* Finding and reading images: by name, id or id prefix; listing them newest first. */
#include "storage/image.h"
#include "core/base/digest.h"
#include "core/base/json_file.h"
#include "core/base/util.h"
#include "storage/blob.h"
#include "storage/events.h"
#include "storage/image_record.h"
#include "storage/layer.h"
#include "storage/reference.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

void image_free(struct image *img)
{
	free(img->id);
	strv_free(img->names);
	strv_free(img->layer_dirs);
	strv_free(img->entrypoint);
	strv_free(img->cmd);
	strv_free(img->env);
	free(img->workdir);
	free(img->user);
	free(img->stop_signal);
	strv_free(img->exposed_ports);
	free(img);
}

/* RFC 3339 ("2026-11-28T10:00:00.123456789Z", or with +hh:mm) to nanoseconds. */
static int64_t parse_time(const char *s)
{
	struct tm tm = {0};
	const char *p = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!p)
		return 0;
	int64_t ns = 0, scale = 1000000000;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if ((scale /= 10) > 0)
				ns += (*p - '0') * scale;
	int64_t offset = 0;
	if ((*p == '+' || *p == '-') && strlen(p) >= 6)
		offset = (p[0] == '-' ? -1 : 1) * (((p[1] - '0') * 10 + (p[2] - '0')) * 3600 +
						   ((p[4] - '0') * 10 + (p[5] - '0')) * 60);
	return ((int64_t)timegm(&tm) - offset) * 1000000000 + ns;
}

/* A copy of the string at key, NULL when absent or empty (docker treats both alike). */
static char *get_nonempty(json_object *o, const char *key)
{
	char *v = json_get_string(o, key);
	if (v && !*v) {
		free(v);
		return NULL;
	}
	return v;
}

static int fill_from_config(struct store *s, struct image *img, const char *digest,
			    int64_t *created_ns, struct holt_err *err)
{
	cleanup_free char *text = blob_read_unverified(s, digest, NULL, err);
	if (!text)
		return -1;
	cleanup_free char *what = xasprintf("config %s", digest);
	cleanup_json json_object *o = json_parse(text, what, err);
	if (!o)
		return -1;
	cleanup_free char *created = json_get_string(o, "created");
	*created_ns = parse_time(created);
	img->created = (time_t)(*created_ns / 1000000000);
	json_object *c;
	if (!json_object_object_get_ex(o, "config", &c) ||
	    !json_object_is_type(c, json_type_object))
		return 0;
	img->entrypoint = json_get_strv(c, "Entrypoint");
	img->cmd = json_get_strv(c, "Cmd");
	img->env = json_get_strv(c, "Env");
	img->workdir = get_nonempty(c, "WorkingDir");
	img->user = get_nonempty(c, "User");
	img->stop_signal = get_nonempty(c, "StopSignal");
	json_object *exposed;
	if (json_object_object_get_ex(c, "ExposedPorts", &exposed) &&
	    json_object_is_type(exposed, json_type_object)) {
		json_object_object_foreach(exposed, port, unused)
		{
			(void)unused;
			strv_push(&img->exposed_ports, port);
		}
	}
	return 0;
}

struct image *image_load(struct store *s, const char *id, json_object *names, int64_t *created_ns,
			 struct holt_err *err)
{
	struct image_record rec;
	if (image_record_load(s, id, &rec, err) < 0)
		return NULL;
	struct image *img = xzalloc(sizeof *img);
	int64_t ns = 0;
	img->id = xstrdup(id);
	img->names = image_names_of(names, id);
	img->n_layers = strv_len(rec.layers);
	img->layer_dirs = xzalloc((img->n_layers + 1) * sizeof *img->layer_dirs);
	int ret = 0;
	for (size_t i = 0; ret == 0 && i < img->n_layers; i++) {
		uint64_t size = 0;
		img->layer_dirs[i] = layer_diff_dir(s, rec.layers[i]);
		ret = layer_size(s, rec.layers[i], &size, err);
		img->size += size;
	}
	if (ret == 0)
		ret = fill_from_config(s, img, rec.config, &ns, err);
	image_record_clear(&rec);
	if (ret < 0) {
		holt_err_wrap(err, "image \"%.12s\"", id);
		image_free(img);
		return NULL;
	}
	if (created_ns)
		*created_ns = ns;
	return img;
}

bool image_exists(struct store *s, const char *id)
{
	cleanup_free char *dir = image_dir(s, id);
	struct stat st;
	return stat(dir, &st) == 0;
}

static char *no_such_image(const char *ref, struct holt_err *err)
{
	holt_err_set_code(err, ENOENT, "image \"%s\": no such image", ref);
	return NULL;
}

/* name@digest: an image named in that repository whose manifest has that digest, or that
 * was pulled from the repository by it. */
static char *resolve_digest(struct store *s, json_object *names, const struct reference *r,
			    struct holt_err *err)
{
	cleanup_free char *repo = reference_repository(r);
	json_object_object_foreach(names, key, val)
	{
		const char *id = json_object_get_string(val);
		if (!reference_after_repository(key, repo) || !id)
			continue;
		struct image_record rec;
		if (image_record_load(s, id, &rec, err) < 0)
			return NULL;
		cleanup_free char *known = xasprintf("%s@%s", repo, r->digest);
		bool match =
		    !strcmp(rec.manifest, r->digest) || strv_contains(rec.repo_digests, known);
		image_record_clear(&rec);
		if (match)
			return xstrdup(id);
	}
	return NULL;
}

static char *resolve_prefix(struct store *s, const char *ref, const char *prefix,
			    struct holt_err *err)
{
	cleanup_strv char **ids = NULL;
	char *found = NULL;
	if (image_ids(s, &ids, err) < 0)
		return NULL;
	for (size_t i = 0; ids && ids[i]; i++) {
		if (strncmp(ids[i], prefix, strlen(prefix)))
			continue;
		if (found) {
			free(found);
			holt_err_set(err, 0, "image \"%s\": ambiguous id prefix", ref);
			return NULL;
		}
		found = xstrdup(ids[i]);
	}
	return found ? found : no_such_image(ref, err);
}

char *image_resolve(struct store *s, json_object *names, const char *ref, char **name,
		    struct holt_err *err)
{
	const char *hex =
	    !strncmp(ref, DIGEST_PREFIX, strlen(DIGEST_PREFIX)) ? ref + strlen(DIGEST_PREFIX) : ref;
	if (name)
		*name = NULL;
	if (digest_hex_valid(hex))
		return image_exists(s, hex) ? xstrdup(hex) : no_such_image(ref, err);

	struct holt_err perr = {0};
	cleanup_reference struct reference r = {0};
	if (reference_parse(ref, &r, &perr) == 0) {
		if (r.digest) {
			char *id = resolve_digest(s, names, &r, err);
			return id || err->msg ? id : no_such_image(ref, err);
		}
		cleanup_free char *full = reference_string(&r);
		json_object *v;
		/* a name outlives its image when rmi was killed between the two, or the disk
		 * was full when it went to write the names: it names nothing */
		if (json_object_object_get_ex(names, full, &v) &&
		    image_exists(s, json_object_get_string(v))) {
			if (name)
				*name = steal_pointer(&full);
			return xstrdup(json_object_get_string(v));
		}
	}
	/* Docker takes any string of hex digits that is not a name as an id prefix. */
	if (*hex && strspn(hex, "0123456789abcdef") == strlen(hex)) {
		holt_err_release(&perr);
		return resolve_prefix(s, ref, hex, err);
	}
	if (perr.msg) {
		*err = perr;
		return NULL;
	}
	return no_such_image(ref, err);
}

struct image *image_lookup(struct store *s, const char *ref, struct holt_err *err)
{
	cleanup_json json_object *names = image_names_load(s, err);
	if (!names)
		return NULL;
	cleanup_free char *id = image_resolve(s, names, ref, NULL, err);
	return id ? image_load(s, id, names, NULL, err) : NULL;
}

struct listed {
	struct image *img;
	int64_t created_ns;
};

static int newest_first(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;
	if (x->created_ns != y->created_ns)
		return x->created_ns < y->created_ns ? 1 : -1;
	return strcmp(x->img->id, y->img->id);
}

int image_list(struct store *s, struct image ***out, size_t *n, struct holt_err *err)
{
	cleanup_json json_object *names = image_names_load(s, err);
	cleanup_strv char **ids = NULL;
	if (!names || image_ids(s, &ids, err) < 0)
		return -1;
	size_t count = 0;
	cleanup_free struct listed *l = xzalloc(strv_len(ids) * sizeof *l);
	for (size_t i = 0; ids && ids[i]; i++) {
		l[count].img = image_load(s, ids[i], names, &l[count].created_ns, err);
		if (l[count].img) {
			count++;
			continue;
		}
		/* Removed by another command since readdir: not an error. */
		if (!image_exists(s, ids[i])) {
			holt_err_release(err);
			continue;
		}
		for (size_t j = 0; j < count; j++)
			image_free(l[j].img);
		return -1;
	}
	qsort(l, count, sizeof *l, newest_first);
	*out = xzalloc((count + 1) * sizeof **out);
	for (size_t i = 0; i < count; i++)
		(*out)[i] = l[i].img;
	*n = count;
	return 0;
}

int image_tag(struct store *s, const char *ref, const char *new_name, struct holt_err *err)
{
	cleanup_reference struct reference r = {0};
	if (reference_parse(new_name, &r, err) < 0)
		return -1;
	if (r.digest)
		return holt_err_set(err, 0, "tag \"%s\": a digest cannot be a tag", new_name);
	cleanup_free char *full = reference_string(&r);
	if (store_lock(s, err) < 0)
		return -1;
	cleanup_json json_object *names = image_names_load(s, err);
	cleanup_free char *id = names ? image_resolve(s, names, ref, NULL, err) : NULL;
	int ret = -1;
	if (id) {
		json_object_object_add(names, full, json_object_new_string(id));
		ret = image_names_save(s, names, err);
	}
	store_unlock(s);
	if (ret == 0) {
		cleanup_free char *event_id = xasprintf("sha256:%s", id);
		cleanup_free char *familiar = reference_familiar(&r);
		events_record(store_root(s), "image", "tag", event_id,
			      (const char *const[]){"name", familiar, NULL});
	}
	return ret;
}
