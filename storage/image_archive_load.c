/* `load`: every layer an archive's images need is unpacked, straight from the archive
 * through a pipe into the same one-pass unpack a pull uses, and staged with the
 * configs, manifests and records; all of it is renamed into place under the store lock
 * only once every digest has been checked. */
#include "core/base/util.h"
#include "storage/blob.h"
#include "storage/image_archive.h"
#include "storage/image_archive_input.h"
#include "storage/image_archive_meta.h"
#include "storage/image_record.h"
#include "storage/image_stage.h"
#include "storage/layer.h"
#include "storage/record.h"

#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PIPE_BUF_SIZE (256u << 10)

/* One layer to have in the store, shared by every image whose chain holds it. */
struct job {
	const char *member; /* resolved; owned by the input */
	const char *digest; /* what the member's digest must be; NULL when unsaid */
	const char *diff_id;
	char parent[DIGEST_STR_SIZE]; /* "" for a base layer */
	char chain[DIGEST_STR_SIZE];
	struct layer_stage *stage; /* unpacked, or NULL when the store has it */
	json_object *desc;	   /* its manifest descriptor, once known */
	bool done;		   /* unpacked, or its member's digests checked */
};

struct staged_image {
	struct archived_image *img;
	struct job **jobs; /* one per layer */
	struct blob_writer *config, *manifest;
	char *record_dir;
	bool created; /* its record was renamed into place by this load */
};

struct load {
	struct store *s;
	struct archive_input *in;
	struct archived_image *images;
	size_t n_images;
	struct job *jobs;
	size_t n_jobs;
	struct staged_image *staged;
};

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static bool layer_stored(struct store *s, const char *chain)
{
	cleanup_free char *dir = layer_diff_dir(s, chain);
	return exists(dir);
}

static bool blob_stored(struct store *s, const char *digest)
{
	cleanup_free char *path = blob_path(s, digest);
	return exists(path);
}

/* The descriptor another stored image has for the layer chain at index, when its blob is
 * there: a docker-archive names no blob, and the store may keep the layer compressed. */
static json_object *stored_desc(struct store *s, const char *chain, size_t index)
{
	cleanup_strv char **ids = NULL;
	struct holt_err ignored = {0};
	json_object *found = NULL;

	if (image_ids(s, &ids, &ignored) < 0)
		holt_err_release(&ignored);
	for (size_t i = 0; !found && ids && ids[i]; i++) {
		struct image_record rec;
		if (image_record_load(s, ids[i], &rec, &ignored) < 0) {
			holt_err_release(&ignored);
			continue;
		}
		cleanup_free char *text =
		    strv_len(rec.layers) > index && !strcmp(rec.layers[index], chain)
			? blob_read(s, rec.manifest, NULL, &ignored)
			: NULL;
		image_record_clear(&rec);
		holt_err_release(&ignored);
		cleanup_json json_object *m = text ? json_tokener_parse(text) : NULL;
		json_object *layers, *d;
		if (!m || !json_object_object_get_ex(m, "layers", &layers) ||
		    !(d = json_object_array_get_idx(layers, index)) ||
		    !json_object_object_get_ex(d, "digest", NULL) ||
		    !blob_stored(s, json_object_get_string(json_object_object_get(d, "digest"))))
			continue;
		found = json_object_get(d);
	}
	return found;
}

static json_object *archive_desc(struct archived_image *img, size_t i)
{
	return img->layer_descs ? json_object_array_get_idx(img->layer_descs, i) : NULL;
}

static struct job *find_job(struct load *l, const char *chain)
{
	for (size_t i = 0; i < l->n_jobs; i++)
		if (!strcmp(l->jobs[i].chain, chain))
			return &l->jobs[i];
	return NULL;
}

/* The job of layer i of img, made when no other image needed it yet. */
static struct job *plan_layer(struct load *l, struct archived_image *img, size_t i,
			      const char *parent, struct holt_err *err)
{
	char chain[DIGEST_STR_SIZE];
	digest_chain_id(*parent ? parent : NULL, img->diff_ids[i], chain);
	struct job *j = find_job(l, chain);
	if (j)
		return j;
	const char *member = archive_input_resolve(l->in, img->layers[i], err);
	if (!member)
		return NULL;
	j = &l->jobs[l->n_jobs++];
	*j = (struct job){.member = member, .diff_id = img->diff_ids[i]};
	j->digest = *img->layer_digests[i] ? img->layer_digests[i] : NULL;
	snprintf(j->parent, sizeof j->parent, "%s", parent);
	memcpy(j->chain, chain, sizeof j->chain);
	if (!layer_stored(l->s, chain))
		return j;
	json_object *d = archive_desc(img, i);
	if (d && j->digest && blob_stored(l->s, j->digest))
		j->desc = json_object_get(d);
	else
		j->desc = stored_desc(l->s, chain, i);
	return j;
}

static int plan(struct load *l, struct holt_err *err)
{
	size_t total = 0;
	for (size_t i = 0; i < l->n_images; i++)
		total += strv_len(l->images[i].layers);
	l->jobs = xzalloc((total ? total : 1) * sizeof *l->jobs);
	l->staged = xzalloc(l->n_images * sizeof *l->staged);
	for (size_t i = 0; i < l->n_images; i++) {
		struct archived_image *img = &l->images[i];
		size_t n = strv_len(img->layers);
		l->staged[i].img = img;
		l->staged[i].jobs = xzalloc((n ? n : 1) * sizeof *l->staged[i].jobs);
		const char *parent = "";
		for (size_t k = 0; k < n; k++) {
			struct job *j = plan_layer(l, img, k, parent, err);
			if (!j)
				return -1;
			l->staged[i].jobs[k] = j;
			parent = j->chain;
		}
	}
	return 0;
}

struct feeder {
	struct archive *a;
	int fd;
	struct holt_err err;
};

/* Copies the current member's data into the pipe. */
static void *feeder_main(void *arg)
{
	struct feeder *f = arg;
	sigset_t pipe;
	cleanup_free char *buf = xmalloc(PIPE_BUF_SIZE);
	la_ssize_t n;

	/* When the unpack stops reading, write fails with EPIPE rather than holt dying of
	 * SIGPIPE; the signal stays pending on this thread and ends with it. */
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, NULL);
	while ((n = archive_read_data(f->a, buf, PIPE_BUF_SIZE)) > 0) {
		for (la_ssize_t off = 0; off < n;) {
			ssize_t w = write(f->fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				holt_err_set(&f->err, errno, "feed the layer");
				goto out;
			}
			off += w;
		}
	}
	if (n < 0)
		archive_input_fail(f->a, "read the archive", &f->err);
out:
	close(f->fd);
	return NULL;
}

/* Reads the member the reader is at into the pipe fd on a thread while the layer unpacks
 * from the pipe's other end. */
static int unpack(struct load *l, struct archive *a, struct job *j, struct holt_err *err)
{
	int fds[2];
	pthread_t thread;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return holt_err_set(err, errno, "make the layer's pipe");
	struct feeder f = {a, fds[1], {0}};
	int r = pthread_create(&thread, NULL, feeder_main, &f);
	if (r) {
		close(fds[0]);
		close(fds[1]);
		return holt_err_set(err, r, "start the layer's feeder");
	}
	j->stage = layer_unpack(l->s, fds[0], *j->parent ? j->parent : NULL, j->digest, err);
	close(fds[0]);
	pthread_join(thread, NULL);
	/* A read error of the archive is the cause; EPIPE only says the unpack stopped. */
	if (f.err.msg && f.err.errnum != EPIPE) {
		holt_err_release(err);
		*err = f.err;
		return -1;
	}
	holt_err_release(&f.err);
	if (!j->stage)
		return -1;
	const struct layer_info *li = layer_stage_info(j->stage);
	if (strcmp(li->diff_id, j->diff_id))
		return holt_err_set(err, 0, "diff_id %s, but the config says %s", li->diff_id,
				    j->diff_id);
	j->desc = json_object_new_object();
	json_object_object_add(j->desc, "mediaType", json_object_new_string(li->media_type));
	json_object_object_add(j->desc, "digest", json_object_new_string(li->digest));
	json_object_object_add(j->desc, "size", json_object_new_int64((int64_t)li->blob_size));
	return 0;
}

struct verify {
	struct archive *outer;
	struct digest *raw;
	char *buf;
};

/* archive_read_callback of the decompressing reader: the member's bytes, hashed. */
static la_ssize_t verify_read(struct archive *a, void *data, const void **buffer)
{
	struct verify *v = data;
	la_ssize_t n = archive_read_data(v->outer, v->buf, PIPE_BUF_SIZE);
	if (n < 0) {
		archive_set_error(a, archive_errno(v->outer), "%s", archive_error_string(v->outer));
		return -1;
	}
	digest_update(v->raw, v->buf, (size_t)n);
	*buffer = v->buf;
	return n;
}

/* Checks the digest and the diff_id of a member whose layer the store has already, without
 * unpacking it: what is loaded is what the archive says, even when nothing is written. */
static int verify(struct archive *outer, struct job *j, struct holt_err *err)
{
	cleanup_free char *buf = xmalloc(PIPE_BUF_SIZE);
	cleanup_free char *out = xmalloc(PIPE_BUF_SIZE);
	cleanup_digest struct digest *raw = digest_new();
	cleanup_digest struct digest *diff = digest_new();
	struct verify v = {outer, raw, buf};
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	la_ssize_t n = -1;
	char got[DIGEST_STR_SIZE];

	if (!a)
		oom();
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open(a, &v, NULL, verify_read, NULL) == ARCHIVE_OK &&
	    archive_read_next_header(a, &e) == ARCHIVE_OK)
		while ((n = archive_read_data(a, out, PIPE_BUF_SIZE)) > 0)
			digest_update(diff, out, (size_t)n);
	if (n < 0) {
		archive_input_fail(a, "read layer", err);
		archive_read_free(a);
		return -1;
	}
	/* What follows the compressed stream counts in the blob's digest too. */
	const void *rest;
	while ((n = verify_read(a, &v, &rest)) > 0)
		;
	if (n < 0)
		archive_input_fail(a, "read layer", err);
	archive_read_free(a);
	if (n < 0)
		return -1;
	digest_final(raw, got);
	if (j->digest && strcmp(got, j->digest))
		return holt_err_set(err, 0, "digest %s, expected %s", got, j->digest);
	digest_final(diff, got);
	if (strcmp(got, j->diff_id))
		return holt_err_set(err, 0, "diff_id %s, but the config says %s", got, j->diff_id);
	return 0;
}

/* One pass over the archive, unpacking (or checking) for each member the first job that
 * still needs it; returns how many it did. A member two chains need (one layer twice in an image)
 * waits for the next pass. */
static int unpack_pass(struct load *l, struct holt_err *err)
{
	struct archive *a = archive_input_reader(l->in, err);
	struct archive_entry *e;
	int r, done = 0;

	if (!a)
		return -1;
	while ((r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (r < ARCHIVE_WARN) {
			done = archive_input_fail(a, "read the archive", err);
			break;
		}
		const char *name = archive_entry_pathname(e);
		cleanup_free char *path = name ? image_archive_path_clean(name) : NULL;
		struct job *j = NULL;
		for (size_t i = 0; path && !j && i < l->n_jobs; i++)
			if (!l->jobs[i].done && !strcmp(l->jobs[i].member, path))
				j = &l->jobs[i];
		if (!j || archive_entry_filetype(e) != AE_IFREG)
			continue;
		if ((j->desc ? verify(a, j, err) : unpack(l, a, j, err)) < 0) {
			done = holt_err_wrap(err, "member \"%s\"", path);
			break;
		}
		j->done = true;
		done++;
	}
	archive_read_free(a);
	return done;
}

static int unpack_all(struct load *l, struct holt_err *err)
{
	for (;;) {
		size_t left = 0;
		for (size_t i = 0; i < l->n_jobs; i++)
			left += !l->jobs[i].done;
		if (!left)
			return 0;
		int done = unpack_pass(l, err);
		if (done < 0)
			return -1;
		if (done == 0)
			for (size_t i = 0; i < l->n_jobs; i++)
				if (!l->jobs[i].done)
					return holt_err_set(err, 0, "member \"%s\": missing",
							    l->jobs[i].member);
	}
}

/* The archive's own manifest when every layer is stored under the blob it names, else
 * one made from the descriptors the layers have in the store. */
static char *manifest_text(struct staged_image *si, size_t *len)
{
	struct archived_image *img = si->img;
	size_t n = strv_len(img->layers);
	bool own = img->manifest_text != NULL;
	for (size_t i = 0; own && i < n; i++)
		own = !strcmp(
		    json_object_get_string(json_object_object_get(si->jobs[i]->desc, "digest")),
		    img->layer_digests[i]);
	if (own) {
		*len = img->manifest_len;
		return xstrndup(img->manifest_text, img->manifest_len);
	}
	cleanup_json json_object *m = json_object_new_object();
	json_object *config = json_object_new_object(), *layers = json_object_new_array();
	json_object_object_add(m, "schemaVersion", json_object_new_int(2));
	json_object_object_add(m, "mediaType", json_object_new_string(IMAGE_MEDIA_MANIFEST));
	json_object_object_add(config, "mediaType", json_object_new_string(IMAGE_MEDIA_CONFIG));
	json_object_object_add(config, "digest", json_object_new_string(img->config_digest));
	json_object_object_add(config, "size", json_object_new_int64((int64_t)img->config_len));
	json_object_object_add(m, "config", config);
	for (size_t i = 0; i < n; i++)
		json_object_array_add(layers, json_object_get(si->jobs[i]->desc));
	json_object_object_add(m, "layers", layers);
	char *text = xstrdup(json_text(m));
	*len = strlen(text);
	return text;
}

static int stage_image(struct load *l, struct staged_image *si, struct holt_err *err)
{
	struct archived_image *img = si->img;
	size_t len;
	cleanup_free char *manifest = manifest_text(si, &len);

	si->config = blob_stage(l->s, img->config_text, img->config_len, err);
	si->manifest = si->config ? blob_stage(l->s, manifest, len, err) : NULL;
	if (!si->manifest)
		return -1;
	cleanup_strv char **chains = NULL;
	for (size_t i = 0; i < strv_len(img->layers); i++)
		strv_push(&chains, si->jobs[i]->chain);
	struct image_record rec = {
	    .manifest = (char *)blob_writer_digest(si->manifest),
	    .config = img->config_digest,
	    .layers = chains,
	};
	cleanup_json json_object *record = image_record_json(&rec);
	si->record_dir = store_mktemp(l->s, err);
	if (!si->record_dir)
		return -1;
	cleanup_free char *path = xasprintf("%s/image.json", si->record_dir);
	return record_write(l->s, path, record, err);
}

/* Renames everything into place: layers, blobs, records, names last. */
static int commit_locked(struct load *l, struct holt_err *err)
{
	for (size_t i = 0; i < l->n_jobs; i++) {
		struct job *j = &l->jobs[i];
		const char *digest =
		    json_object_get_string(json_object_object_get(j->desc, "digest"));
		if (j->stage && layer_commit(l->s, j->stage, err) < 0)
			return -1;
		if (!j->stage && (!layer_stored(l->s, j->chain) || !blob_stored(l->s, digest)))
			return holt_err_set(err, 0, "layer %s: removed while loading", j->chain);
	}
	for (size_t i = 0; i < l->n_images; i++) {
		struct staged_image *si = &l->staged[i];
		const char *id = digest_hex(si->img->config_digest);
		cleanup_free char *dir = image_dir(l->s, id);
		/* The same id is the same image: the one stored keeps its manifest. */
		if (exists(dir))
			continue;
		if (blob_writer_commit(si->config, err) < 0 ||
		    blob_writer_commit(si->manifest, err) < 0)
			return -1;
		int r = rename(si->record_dir, dir);
		if (r < 0 && errno != EEXIST && errno != ENOTEMPTY)
			return holt_err_set(err, errno, "store image \"%s\"", id);
		si->created = r == 0;
	}
	cleanup_json json_object *names = image_names_load(l->s, err);
	if (!names)
		return -1;
	for (size_t i = 0; i < l->n_images; i++)
		for (char **n = l->images[i].names; n && *n; n++)
			json_object_object_add(
			    names, *n,
			    json_object_new_string(digest_hex(l->images[i].config_digest)));
	return image_names_save(l->s, names, err);
}

static int commit(struct load *l, struct holt_err *err)
{
	if (store_lock(l->s, err) < 0)
		return -1;
	int ret = commit_locked(l, err);
	for (size_t i = 0; ret < 0 && i < l->n_images; i++) {
		struct holt_err ignored = {0};
		cleanup_free char *dir = image_dir(l->s, digest_hex(l->images[i].config_digest));
		if (l->staged[i].created && store_remove_tree(dir, &ignored) < 0)
			holt_err_release(&ignored);
	}
	store_unlock(l->s);
	return ret;
}

static void load_clear(struct load *l)
{
	for (size_t i = 0; i < l->n_jobs; i++) {
		if (l->jobs[i].stage)
			layer_stage_free(l->jobs[i].stage);
		if (l->jobs[i].desc)
			json_object_put(l->jobs[i].desc);
	}
	for (size_t i = 0; l->staged && i < l->n_images; i++) {
		struct staged_image *si = &l->staged[i];
		free(si->jobs);
		if (si->config)
			blob_writer_free(si->config);
		if (si->manifest)
			blob_writer_free(si->manifest);
		free(si->record_dir);
	}
	free(l->staged);
	free(l->jobs);
	archived_images_free(l->images, l->n_images);
	if (l->in)
		archive_input_free(l->in);
}

static struct image_archive_loaded *loaded_list(struct load *l)
{
	struct image_archive_loaded *v = xzalloc(l->n_images * sizeof *v);
	for (size_t i = 0; i < l->n_images; i++) {
		v[i].id = xstrdup(digest_hex(l->images[i].config_digest));
		v[i].names = strv_dup(l->images[i].names);
	}
	return v;
}

int image_archive_load(struct store *s, int fd, struct image_archive_loaded **loaded, size_t *n,
		       struct holt_err *err)
{
	struct load l = {.s = s};
	enum image_archive_format format;
	int ret = -1;

	*loaded = NULL;
	*n = 0;
	l.in = archive_input_open(s, fd, err);
	if (!l.in)
		goto out;
	struct image_archive_members members = archive_input_members(l.in);
	if (image_archive_meta_read(&members, &format, &l.images, &l.n_images, err) < 0 ||
	    plan(&l, err) < 0 || unpack_all(&l, err) < 0)
		goto out;
	for (size_t i = 0; i < l.n_images; i++)
		if (stage_image(&l, &l.staged[i], err) < 0)
			goto out;
	if (commit(&l, err) < 0)
		goto out;
	*loaded = loaded_list(&l);
	*n = l.n_images;
	ret = 0;
out:
	load_clear(&l);
	return ret;
}

void image_archive_loaded_free(struct image_archive_loaded *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(l[i].id);
		strv_free(l[i].names);
	}
	free(l);
}
