#include "core/push.h"
#include "core/base/parallel.h"
#include "core/base/util.h"
#include "net/manifest.h"
#include "net/registry.h"
#include "storage/blob.h"
#include "storage/image.h"
#include "storage/image_manifest.h"
#include "storage/reference.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

void pushed_clear(struct pushed *p)
{
	free(p->reference), free(p->tag), free(p->digest);
	memset(p, 0, sizeof *p);
}

/* Another repository of the same registry that has the image: its blobs can be mounted. */
static char *mount_source(const struct image *img, const struct reference *to)
{
	for (size_t i = 0; img->names && img->names[i]; i++) {
		cleanup_reference struct reference r = {0};
		struct holt_err e = {0};
		if (reference_parse(img->names[i], &r, &e) < 0) {
			holt_err_release(&e);
			continue;
		}
		if (!strcmp(r.domain, to->domain) && strcmp(r.path, to->path))
			return xstrdup(r.path);
	}
	return NULL;
}

/* Blobs sent at once, as docker does. */
enum { PARALLEL_BLOBS = 3 };

struct push {
	struct store *s;
	struct registry *reg;
	const struct manifest *m;
	const char *from;
	const struct push_opts *o;
	pthread_mutex_t lock; /* one progress call at a time */
};

static int push_blob(struct push *p, const struct descriptor *d, struct holt_err *err)
{
	bool exists;
	if (registry_blob_exists(p->reg, d->digest, &exists, err) < 0)
		return -1;
	enum push_blob what = PUSH_BLOB_EXISTS;
	if (!exists) {
		cleanup_free char *path = blob_path(p->s, d->digest);
		cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0)
			return holt_err_set(err, errno, "blob %s of the image", d->digest);
		bool mounted;
		if (registry_put_blob(p->reg, d->digest, p->from, fd, (uint64_t)st.st_size,
				      &mounted, err) < 0)
			return -1;
		what = mounted ? PUSH_BLOB_MOUNTED : PUSH_BLOB_UPLOADED;
	}
	const struct push_progress *pr = p->o->progress;
	if (pr && pr->blob) {
		pthread_mutex_lock(&p->lock);
		pr->blob(pr->ctx, d->digest, d->size, what);
		pthread_mutex_unlock(&p->lock);
	}
	return 0;
}

/* Item i: layer i, or the config after the layers. */
static int push_item(size_t i, void *ctx, struct holt_err *err)
{
	struct push *p = ctx;
	const struct descriptor *d = i < p->m->n_layers ? &p->m->layers[i] : &p->m->config;
	return push_blob(p, d, err);
}

static const char *media_type_of(const char *manifest, char **owned)
{
	json_object *o = json_tokener_parse(manifest), *mt;
	*owned = o && json_object_object_get_ex(o, "mediaType", &mt)
		     ? xstrdup(json_object_get_string(mt))
		     : NULL;
	json_object_put(o);
	return *owned ? *owned : "application/vnd.oci.image.manifest.v1+json";
}

static int push_to(struct store *s, const struct image *img, const struct reference *to,
		   const struct push_opts *o, struct pushed *out, struct holt_err *err)
{
	cleanup_free char *digest = NULL, *body = NULL, *mt_owned = NULL;
	size_t len;
	struct manifest m;
	if (image_manifest(s, img->id, &digest, &body, &len, err) < 0 ||
	    manifest_parse(body, NULL, "the image's manifest", &m, err) < 0)
		return -1;
	struct registry_opts ropts = {.tls_verify = o->tls_verify, .authfile = o->authfile};
	struct registry *reg = registry_open(to->domain, to->path, &ropts, err);
	cleanup_free char *from = mount_source(img, to);
	struct push p = {.s = s, .reg = reg, .m = &m, .from = from, .o = o};
	pthread_mutex_init(&p.lock, NULL);
	int ret = reg ? parallel_run(m.n_layers + 1, PARALLEL_BLOBS, push_item, &p, err) : -1;
	pthread_mutex_destroy(&p.lock);
	if (ret == 0)
		ret = registry_put_manifest(reg, to->tag, media_type_of(body, &mt_owned), body, len,
					    err);
	registry_free(reg);
	manifest_clear(&m);
	if (ret == 0) {
		out->digest = steal_pointer(&digest);
		out->size = len;
	}
	return ret;
}

int push_image(struct store *s, const char *src, const char *dest, const struct push_opts *o,
	       struct pushed *out, struct holt_err *err)
{
	cleanup_reference struct reference to = {0};
	memset(out, 0, sizeof *out);
	cleanup_image struct image *img = image_lookup(s, src, err);
	if (!img)
		return holt_err_wrap(err, "push");
	if (reference_parse(dest ? dest : src, &to, err) < 0) {
		if (dest)
			return holt_err_wrap(err, "push");
		holt_err_release(err);
		return holt_err_set(err, 0,
				    "push %s: no image is named so (give the destination: "
				    "holt push IMAGE REGISTRY/REPOSITORY:TAG)",
				    src);
	}
	if (to.digest || !to.tag)
		return holt_err_set(err, 0, "push %s: push to a tag, not a digest",
				    dest ? dest : src);
	out->reference = reference_string(&to);
	out->tag = xstrdup(to.tag);
	bool named = false;
	for (size_t i = 0; img->names && img->names[i]; i++)
		named |= !strcmp(img->names[i], out->reference);
	if (!dest && !named) {
		holt_err_set(err, 0,
			     "push %s: no image is named so (give the destination: holt push "
			     "IMAGE REGISTRY/REPOSITORY:TAG)",
			     src);
		pushed_clear(out);
		return -1;
	}
	if (push_to(s, img, &to, o, out, err) < 0) {
		holt_err_wrap(err, "push %s", out->reference);
		pushed_clear(out);
		return -1;
	}
	return 0;
}
