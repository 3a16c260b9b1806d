#include "core/pull.h"
#include "core/base/digest.h"
#include "core/base/json.h"
#include "core/base/parallel.h"
#include "core/base/platform.h"
#include "core/base/util.h"
#include "net/manifest.h"
#include "net/registry.h"
#include "net/registry_config.h"
#include "storage/blob.h"
#include "storage/image.h"
#include "storage/image_pull.h"
#include "storage/reference.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

/* Layers fetched at once, as docker does. */
enum { PARALLEL_LAYERS = 3, MAX_MANIFEST = 4 << 20, MAX_CONFIG = 8 << 20 };

struct platform {
	char *os, *arch, *variant;
};

struct pull {
	struct store *s;
	struct registry *reg;
	const struct manifest *m;
	char **diff_ids, **chain_ids;
	struct layer_stage **stages;
	size_t *todo, n_todo;

	pthread_mutex_t lock; /* one progress call at a time */
	const struct pull_progress *progress;
	atomic_bool failed; /* downloads under way stop: the pull has failed */
};

static int parse_platform(const char *s, struct platform *p, struct holt_err *err)
{
	memset(p, 0, sizeof *p);
	if (!s) {
		p->os = xstrdup(platform_os());
		p->arch = xstrdup(platform_arch());
		return 0;
	}
	cleanup_free char *copy = xstrdup(s);
	char *os = strtok(copy, "/"), *arch = strtok(NULL, "/"), *variant = strtok(NULL, "/");
	if (!os || !arch || strtok(NULL, "/"))
		return holt_err_set(err, 0, "--platform \"%s\": not os/arch[/variant]", s);
	p->os = xstrdup(os);
	p->arch = xstrdup(arch);
	p->variant = variant ? xstrdup(variant) : NULL;
	return 0;
}

static void platform_clear(struct platform *p)
{
	free(p->os), free(p->arch), free(p->variant);
}

/* A document whose digest is known is checked against it before anything reads it. */
static int verify(const struct registry_doc *d, const char *digest, const char *what,
		  struct holt_err *err)
{
	char got[DIGEST_STR_SIZE];
	digest_buf(d->body, d->len, got);
	if (digest && strcmp(got, digest) != 0)
		return holt_err_set(err, 0, "%s: digest mismatch: expected %s, got %s", what,
				    digest, got);
	return 0;
}

/* The image manifest r names for plat; index_digest gets the digest of the index it was
 * chosen from, or "" when r named a manifest. */
static int fetch_manifest(struct registry *reg, const struct reference *r,
			  const struct platform *plat, struct registry_doc *doc, struct manifest *m,
			  char index_digest[DIGEST_STR_SIZE], struct holt_err *err)
{
	*index_digest = '\0';
	const char *ref = r->digest ? r->digest : r->tag;
	cleanup_free char *what = xasprintf("manifest %s", ref);
	if (registry_get_doc(reg, "manifests", ref, MANIFEST_ACCEPT, MAX_MANIFEST, doc, err) < 0 ||
	    verify(doc, r->digest, what, err) < 0 ||
	    manifest_parse(doc->body, doc->media_type, what, m, err) < 0)
		return -1;
	if (!m->is_index)
		return 0;
	digest_buf(doc->body, doc->len, index_digest);
	const struct descriptor *d =
	    manifest_select(m, plat->os, plat->arch, plat->variant, what, err);
	if (!d)
		return -1;
	cleanup_free char *digest = xstrdup(d->digest);
	manifest_clear(m);
	registry_doc_clear(doc);
	free(what);
	what = xasprintf("manifest %s", digest);
	if (registry_get_doc(reg, "manifests", digest, MANIFEST_ACCEPT, MAX_MANIFEST, doc, err) <
		0 ||
	    verify(doc, digest, what, err) < 0 ||
	    manifest_parse(doc->body, doc->media_type, what, m, err) < 0)
		return -1;
	if (m->is_index)
		return holt_err_set(err, 0, "%s: an index inside an index", what);
	return 0;
}

/* The config's diff ids, one per layer of m; with --platform, the config must say it. */
static int read_config(const struct registry_doc *doc, const struct manifest *m,
		       const struct platform *asked, char ***diff_ids, struct holt_err *err)
{
	enum json_tokener_error jerr;
	cleanup_json json_object *o = json_tokener_parse_verbose(doc->body, &jerr);
	json_object *rootfs, *ids;
	if (!o && jerr == json_tokener_error_depth)
		return holt_err_set(err, 0, "config %s: nested more than %d levels deep",
				    m->config.digest, JSON_TOKENER_DEFAULT_DEPTH);
	if (!o || !json_object_object_get_ex(o, "rootfs", &rootfs) ||
	    !json_object_object_get_ex(rootfs, "diff_ids", &ids) ||
	    !json_object_is_type(ids, json_type_array))
		return holt_err_set(err, 0, "config %s: no rootfs.diff_ids", m->config.digest);
	size_t n = json_object_array_length(ids);
	if (n != m->n_layers)
		return holt_err_set(err, 0, "config %s: %zu diff_ids for %zu layers",
				    m->config.digest, n, m->n_layers);
	*diff_ids = xzalloc((n + 1) * sizeof **diff_ids);
	for (size_t i = 0; i < n; i++) {
		const char *id = json_object_get_string(json_object_array_get_idx(ids, i));
		if (!id || !digest_valid(id))
			return holt_err_set(err, 0,
					    "config %s: diff_ids[%zu] is not a sha256 digest",
					    m->config.digest, i);
		(*diff_ids)[i] = xstrdup(id);
	}
	if (asked) {
		cleanup_free char *os = json_get_string(o, "os");
		cleanup_free char *arch = json_get_string(o, "architecture");
		if (os && arch && (strcmp(os, asked->os) || strcmp(arch, asked->arch)))
			return holt_err_set(err, 0, "the image is for %s/%s, not for %s/%s", os,
					    arch, asked->os, asked->arch);
	}
	return 0;
}

static void tell_layer(struct pull *p, size_t i, bool present)
{
	const struct pull_progress *pr = p->progress;
	if (!pr || !pr->layer)
		return;
	pthread_mutex_lock(&p->lock);
	pr->layer(pr->ctx, i, p->m->layers[i].digest, p->m->layers[i].size, present);
	pthread_mutex_unlock(&p->lock);
}

static void tell_bytes(struct pull *p, size_t i, uint64_t done)
{
	const struct pull_progress *pr = p->progress;
	if (!pr || !pr->bytes)
		return;
	pthread_mutex_lock(&p->lock);
	pr->bytes(pr->ctx, i, done);
	pthread_mutex_unlock(&p->lock);
}

static void tell_done(struct pull *p, size_t i)
{
	const struct pull_progress *pr = p->progress;
	if (!pr || !pr->layer_done)
		return;
	pthread_mutex_lock(&p->lock);
	pr->layer_done(pr->ctx, i);
	pthread_mutex_unlock(&p->lock);
}

/* The download side of one layer: the registry's bytes into a pipe that layer_unpack
 * reads, so that unpacking runs while the blob is still coming. */
struct download {
	struct pull *p;
	size_t i;
	int fd;
	uint64_t done;
	bool reader_gone; /* layer_unpack stopped reading: its error is the one to tell */
	struct holt_err err;
};

static int to_pipe(const void *data, size_t len, void *ctx, struct holt_err *err)
{
	struct download *d = ctx;
	const char *c = data;
	if (atomic_load(&d->p->failed))
		return holt_err_set(err, 0, "cancelled: another layer failed");
	/* The manifest's size is the most the registry may send: a registry that streams on
	 * would fill the disk before the digest could be checked. */
	const struct descriptor *layer = &d->p->m->layers[d->i];
	if (d->done + len > (uint64_t)layer->size)
		return holt_err_set(err, 0,
				    "blob %s: the registry sent more than the %lld bytes the "
				    "manifest gives",
				    layer->digest, (long long)layer->size);
	while (len > 0) {
		ssize_t w = write(d->fd, c, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			d->reader_gone = errno == EPIPE;
			return holt_err_set(err, errno, "layer %zu: pass on the download", d->i);
		}
		c += w;
		len -= (size_t)w;
		d->done += (uint64_t)w;
	}
	tell_bytes(d->p, d->i, d->done);
	return 0;
}

static void *download_main(void *arg)
{
	struct download *d = arg;
	sigset_t pipe_sig;
	/* A reader that gave up is an EPIPE here, not the end of holt. */
	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_sig, NULL);
	registry_get_blob(d->p->reg, d->p->m->layers[d->i].digest, to_pipe, d, &d->err);
	close(d->fd);
	return NULL;
}

static int fetch_layer(struct pull *p, size_t i, struct holt_err *err)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return holt_err_set(err, errno, "layer %zu: create a pipe", i);
	struct download d = {.p = p, .i = i, .fd = fds[1]};
	pthread_t t;
	int e = pthread_create(&t, NULL, download_main, &d);
	if (e) {
		close(fds[0]), close(fds[1]);
		return holt_err_set(err, e, "layer %zu: start its download", i);
	}
	struct holt_err uerr = {0};
	const char *parent = i ? p->chain_ids[i - 1] : NULL;
	struct layer_stage *st = layer_unpack(p->s, fds[0], parent, p->m->layers[i].digest, &uerr);
	close(fds[0]);
	pthread_join(t, NULL);
	const char *digest = p->m->layers[i].digest;
	if (d.err.msg && !d.reader_gone) {
		holt_err_release(&uerr);
		if (st)
			layer_stage_free(st);
		*err = d.err;
		return -1;
	}
	holt_err_release(&d.err);
	if (!st) {
		*err = uerr;
		return holt_err_wrap(err, "layer %s", digest);
	}
	if (strcmp(layer_stage_info(st)->diff_id, p->diff_ids[i]) != 0) {
		holt_err_set(err, 0, "layer %s: its content is %s, but the config says %s", digest,
			     layer_stage_info(st)->diff_id, p->diff_ids[i]);
		layer_stage_free(st);
		return -1;
	}
	p->stages[i] = st;
	tell_done(p, i);
	return 0;
}

static int fetch_item(size_t k, void *ctx, struct holt_err *err)
{
	struct pull *p = ctx;
	if (fetch_layer(p, p->todo[k], err) < 0) {
		atomic_store(&p->failed, true);
		return -1;
	}
	return 0;
}

static void pull_clear(struct pull *p)
{
	for (size_t i = 0; p->m && i < p->m->n_layers; i++)
		if (p->stages && p->stages[i])
			layer_stage_free(p->stages[i]);
	free(p->stages), free(p->todo);
	strv_free(p->diff_ids);
	strv_free(p->chain_ids);
	pthread_mutex_destroy(&p->lock);
}

static int fetch_and_store(struct pull *p, const struct registry_doc *manifest,
			   const struct registry_doc *config, const char *name,
			   char *const *repo_digests, char **id, struct holt_err *err)
{
	size_t n = p->m->n_layers;
	p->chain_ids = xzalloc((n + 1) * sizeof *p->chain_ids);
	p->stages = xzalloc(n * sizeof *p->stages);
	p->todo = xzalloc(n * sizeof *p->todo);
	for (size_t i = 0; i < n; i++) {
		char chain[DIGEST_STR_SIZE];
		digest_chain_id(i ? p->chain_ids[i - 1] : NULL, p->diff_ids[i], chain);
		p->chain_ids[i] = xstrdup(chain);
		/* The blob too: push and save send it as the manifest names it. */
		cleanup_free char *blob = blob_path(p->s, p->m->layers[i].digest);
		bool present = layer_exists(p->s, chain) && access(blob, F_OK) == 0;
		if (!present)
			p->todo[p->n_todo++] = i;
		tell_layer(p, i, present);
	}
	/* The error told is the first layer's to fail; the others were cancelled by it. */
	if (parallel_run(p->n_todo, PARALLEL_LAYERS, fetch_item, p, err) < 0)
		return -1;
	struct pulled_image img = {
	    .manifest = manifest->body,
	    .manifest_len = manifest->len,
	    .config = config->body,
	    .config_len = config->len,
	    .chain_ids = p->chain_ids,
	    .stages = p->stages,
	    .n_layers = n,
	    .name = name,
	    .repo_digests = repo_digests,
	};
	int ret = image_store_pulled(p->s, &img, id, err);
	/* What was committed is no longer staged; what was not is removed below. */
	for (size_t i = 0; ret == 0 && i < n; i++)
		if (p->stages[i]) {
			layer_stage_free(p->stages[i]);
			p->stages[i] = NULL;
		}
	return ret;
}

/* The image config: the store's copy when it has one (a pull of an image already here
 * asks the registry for its manifest only), else the registry's. */
static int config_of(struct store *s, struct registry *reg, const char *digest,
		     struct registry_doc *out, struct holt_err *err)
{
	struct holt_err e = {0};
	memset(out, 0, sizeof *out);
	out->body = blob_read(s, digest, &out->len, &e);
	holt_err_release(&e);
	if (out->body && out->len <= MAX_CONFIG)
		return 0;
	registry_doc_clear(out);
	return registry_get_doc(reg, "blobs", digest, NULL, MAX_CONFIG, out, err);
}

/* Stores the image named by r (with a digest docker keeps no tag: "a:1@sha256:…" is
 * "a@sha256:…"), recording what the repository knows it by: the index pulled, if any,
 * then its manifest. */
static int store_named(struct pull *p, struct reference *r, const struct registry_doc *manifest,
		       const struct registry_doc *config, const char *index_digest,
		       const char *manifest_digest, char **id, struct holt_err *err)
{
	if (r->digest) {
		free(r->tag);
		r->tag = NULL;
	}
	cleanup_free char *name = reference_string(r);
	cleanup_free char *repo = reference_repository(r);
	cleanup_free char *by_index = *index_digest ? xasprintf("%s@%s", repo, index_digest) : NULL;
	cleanup_free char *by_manifest = xasprintf("%s@%s", repo, manifest_digest);
	char *repo_digests[] = {by_index ? by_index : by_manifest, by_index ? by_manifest : NULL,
				NULL};
	return fetch_and_store(p, manifest, config, name, repo_digests, id, err);
}

static char *pull_one(struct store *s, const char *ref, const struct pull_opts *o,
		      struct holt_err *err)
{
	cleanup_reference struct reference r = {0};
	struct platform plat = {0};
	struct registry_doc manifest = {0}, config = {0};
	struct manifest m = {0};
	struct pull p = {.s = s, .progress = o->progress, .m = &m};
	char *id = NULL, *what = NULL;

	pthread_mutex_init(&p.lock, NULL);
	atomic_init(&p.failed, false);
	if (reference_parse(ref, &r, err) < 0 || parse_platform(o->platform, &plat, err) < 0)
		goto out;
	struct registry_opts ropts = {.tls_verify = o->tls_verify, .authfile = o->authfile};
	p.reg = registry_open(r.domain, r.path, &ropts, err);
	char index_digest[DIGEST_STR_SIZE];
	if (!p.reg || fetch_manifest(p.reg, &r, &plat, &manifest, &m, index_digest, err) < 0)
		goto out;
	char manifest_digest[DIGEST_STR_SIZE];
	digest_buf(manifest.body, manifest.len, manifest_digest);
	if (o->progress && o->progress->resolved)
		o->progress->resolved(o->progress->ctx, manifest_digest, m.n_layers);
	what = xasprintf("config %s", m.config.digest);
	if (config_of(s, p.reg, m.config.digest, &config, err) < 0 ||
	    verify(&config, m.config.digest, what, err) < 0 ||
	    read_config(&config, &m, o->platform ? &plat : NULL, &p.diff_ids, err) < 0)
		goto out;
	store_named(&p, &r, &manifest, &config, index_digest, manifest_digest, &id, err);
out:
	if (err->msg)
		holt_err_wrap(err, "pull %s", ref);
	pull_clear(&p);
	registry_free(p.reg);
	manifest_clear(&m);
	registry_doc_clear(&manifest);
	registry_doc_clear(&config);
	platform_clear(&plat);
	free(what);
	return id;
}

/* For a ref that names no registry, when unqualified-search-registries lists more than
 * docker.io alone: "REGISTRY/ref" for each, in order. NULL otherwise: ref is looked up and
 * pulled as docker reads it. */
static char **search_candidates(const char *ref)
{
	cleanup_reference struct reference r = {0};
	struct holt_err ignored = {0};
	if (reference_parse(ref, &r, &ignored) < 0) {
		holt_err_release(&ignored);
		return NULL;
	}
	if (!r.is_short)
		return NULL;
	cleanup_strv char **search = registry_config_search();
	if (!search[1] && !strcmp(search[0], r.domain))
		return NULL;
	char **out = NULL;
	for (size_t i = 0; search[i]; i++) {
		cleanup_free char *candidate = xasprintf("%s/%s", search[i], ref);
		strv_push(&out, candidate);
	}
	return out;
}

char *pull_image(struct store *s, const char *ref, const struct pull_opts *o, struct holt_err *err)
{
	cleanup_strv char **candidates = search_candidates(ref);
	if (!candidates)
		return pull_one(s, ref, o, err);
	cleanup_free char *tried = NULL;
	for (size_t i = 0; candidates[i]; i++) {
		char *id = pull_one(s, candidates[i], o, err);
		if (id)
			return id;
		char *t = xasprintf("%s%s%s", tried ? tried : "", tried ? "; " : "", err->msg);
		free(tried), tried = t;
		holt_err_release(err);
	}
	holt_err_set(err, 0, "pull %s: no registry of unqualified-search-registries has it: %s",
		     ref, tried);
	return NULL;
}

struct image *pull_lookup_short(struct store *s, const char *ref, struct holt_err *err)
{
	cleanup_strv char **candidates = search_candidates(ref);
	for (size_t i = 0; candidates && candidates[i]; i++) {
		struct image *img = image_lookup(s, candidates[i], err);
		if (img || err->errnum != ENOENT)
			return img;
		holt_err_release(err);
	}
	holt_err_set_code(err, ENOENT, "image \"%s\": no such image", ref);
	return NULL;
}

char *pull_stored_name(struct store *s, const char *ref)
{
	struct holt_err err = {0};
	cleanup_image struct image *img = image_lookup(s, ref, &err);
	if (img || err.errnum != ENOENT) {
		holt_err_release(&err);
		return xstrdup(ref);
	}
	holt_err_release(&err);
	cleanup_strv char **candidates = search_candidates(ref);
	for (size_t i = 0; candidates && candidates[i]; i++) {
		cleanup_image struct image *found = image_lookup(s, candidates[i], &err);
		holt_err_release(&err);
		if (found)
			return xstrdup(candidates[i]);
	}
	return xstrdup(ref);
}

bool pull_can_fetch(const char *ref)
{
	const char *hex = strncmp(ref, DIGEST_PREFIX, strlen(DIGEST_PREFIX)) == 0
			      ? ref + strlen(DIGEST_PREFIX)
			      : ref;
	if (strspn(hex, "0123456789abcdef") == strlen(hex) && strlen(hex) >= 12)
		return false;
	struct holt_err e = {0};
	struct reference r;
	if (reference_parse(ref, &r, &e) < 0) {
		holt_err_release(&e);
		return false;
	}
	reference_clear(&r);
	return true;
}
