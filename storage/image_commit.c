/* `commit`: the new layer streams from its writer, on a thread, through a pipe into the
 * same one-pass unpack a pull uses, which computes its blob digest and diff_id. Nothing
 * is renamed into place before the writer has said it wrote the whole layer. */
#include "storage/image_commit.h"
#include "core/base/platform.h"
#include "core/base/util.h"
#include "storage/blob.h"
#include "storage/image_record.h"
#include "storage/image_stage.h"
#include "storage/layer.h"
#include "storage/record.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

static json_object *read_json_blob(struct store *s, const char *digest, struct holt_err *err)
{
	cleanup_free char *text = blob_read(s, digest, NULL, err);
	if (!text)
		return NULL;
	cleanup_free char *what = xasprintf("blob %s", digest);
	return json_parse(text, what, err);
}

json_object *image_runtime_config(struct store *s, const char *id, struct holt_err *err)
{
	struct image_record rec;
	if (image_record_load(s, id, &rec, err) < 0)
		return NULL;
	cleanup_json json_object *config = read_json_blob(s, rec.config, err);
	image_record_clear(&rec);
	if (!config)
		return holt_err_wrap(err, "image \"%.12s\"", id), NULL;
	json_object *c = NULL, *copy = NULL;
	if (json_object_object_get_ex(config, "config", &c) &&
	    json_object_is_type(c, json_type_object) && json_object_deep_copy(c, &copy, NULL) == 0)
		return copy;
	return json_object_new_object();
}

/* The array at key in o, made when missing (or not an array). */
static json_object *array_at(json_object *o, const char *key)
{
	json_object *a;
	if (json_object_object_get_ex(o, key, &a) && json_object_is_type(a, json_type_array))
		return a;
	a = json_object_new_array();
	json_object_object_add(o, key, a);
	return a;
}

/* The base image's config with the new runtime config, layer and history entry. */
static json_object *commit_config(json_object *base, const struct image_commit_request *req,
				  const struct layer_info *li)
{
	json_object *history;
	cleanup_free char *now = util_now_rfc3339();
	json_object *o = NULL, *rootfs;

	if (json_object_deep_copy(base, &o, NULL) < 0)
		oom();
	json_object_object_add(o, "created", json_object_new_string(now));
	/* As docker: the author is whoever commits, not the base image's. */
	json_object_object_del(o, "author");
	json_add_string(o, "author", req->author);
	json_object_object_add(o, "config", json_object_get(req->config));
	if (!json_object_object_get_ex(o, "rootfs", &rootfs) ||
	    !json_object_is_type(rootfs, json_type_object)) {
		rootfs = json_object_new_object();
		json_object_object_add(rootfs, "type", json_object_new_string("layers"));
		json_object_object_add(o, "rootfs", rootfs);
	}
	history = array_at(o, "history");
	for (size_t i = 0; req->history && i < json_object_array_length(req->history); i++)
		json_object_array_add(history,
				      json_object_get(json_object_array_get_idx(req->history, i)));
	if (!li)
		return o;
	json_object_array_add(array_at(rootfs, "diff_ids"), json_object_new_string(li->diff_id));
	json_object *h = json_object_new_object();
	json_object_object_add(h, "created", json_object_new_string(now));
	json_add_string(h, "created_by", req->created_by);
	json_add_string(h, "author", req->author);
	json_add_string(h, "comment", req->comment);
	json_object_array_add(history, h);
	return o;
}

struct writer {
	const struct image_commit_request *req;
	int fd;
	int ret;
	struct holt_err err;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	sigset_t pipe;

	/* When the unpack stops reading, a write fails with EPIPE instead of a SIGPIPE that
	 * would end holt; the signal stays pending on this thread and ends with it. */
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, NULL);
	w->ret = w->req->write_layer(w->req->ctx, w->fd, &w->err);
	close(w->fd);
	return NULL;
}

/* Unpacks the layer the writer makes into a staged layer above parent (may be NULL). */
static struct layer_stage *stream_layer(struct store *s, const struct image_commit_request *req,
					const char *parent, struct holt_err *err)
{
	int fds[2];
	pthread_t thread;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return holt_err_set(err, errno, "make the layer's pipe"), NULL;
	struct writer w = {req, fds[1], 0, {0}};
	int r = pthread_create(&thread, NULL, writer_main, &w);
	if (r) {
		close(fds[0]);
		close(fds[1]);
		return holt_err_set(err, r, "start the layer's writer"), NULL;
	}
	struct layer_stage *layer = layer_unpack(s, fds[0], parent, NULL, err);
	close(fds[0]);
	pthread_join(thread, NULL);
	if (w.ret == 0)
		return layer;
	if (layer)
		layer_stage_free(layer);
	/* EPIPE: the unpack stopped reading, and its error says why. Any other failure of
	 * the writer is the cause, and the unpack's error only that the stream ended. */
	if (!layer && w.err.errnum == EPIPE) {
		holt_err_release(&w.err);
		return NULL;
	}
	holt_err_release(err);
	*err = w.err;
	return NULL;
}

struct base {
	struct image_record rec;
	json_object *config;
	json_object *manifest;
};

static void base_clear(struct base *b)
{
	image_record_clear(&b->rec);
	if (b->config)
		json_object_put(b->config);
	if (b->manifest)
		json_object_put(b->manifest);
}

/* No base image: an empty one for the host's platform, as FROM scratch. */
static void base_scratch(struct base *b)
{
	json_object *rootfs = json_object_new_object();

	b->config = json_object_new_object();
	json_add_string(b->config, "architecture", platform_arch());
	json_add_string(b->config, "os", platform_os());
	json_add_string(b->config, "variant", platform_variant());
	json_object_object_add(rootfs, "type", json_object_new_string("layers"));
	json_object_object_add(rootfs, "diff_ids", json_object_new_array());
	json_object_object_add(b->config, "rootfs", rootfs);
}

static int base_load(struct store *s, const char *id, struct base *b, json_object **layers,
		     struct holt_err *err)
{
	if (!id) {
		base_scratch(b);
		return 0;
	}
	if (image_record_load(s, id, &b->rec, err) < 0)
		return -1;
	b->config = read_json_blob(s, b->rec.config, err);
	b->manifest = b->config ? read_json_blob(s, b->rec.manifest, err) : NULL;
	if (!b->manifest)
		return -1;
	if (!json_object_object_get_ex(b->manifest, "layers", layers) ||
	    !json_object_is_type(*layers, json_type_array) ||
	    json_object_array_length(*layers) != strv_len(b->rec.layers))
		return holt_err_set(err, 0, "manifest %s: its layers are not the image's",
				    b->rec.manifest);
	return 0;
}

/* Stages the layer and the image above base and renames them into place. */
static char *commit_on(struct store *s, const struct image_commit_request *req, struct base *base,
		       json_object *base_layers, const char *name, struct holt_err *err)
{
	struct image_stage st = {0};
	size_t n = strv_len(base->rec.layers);
	char *id = NULL;

	if (req->write_layer)
		st.layer = stream_layer(
		    s, req, n && base->rec.layers ? base->rec.layers[n - 1] : NULL, err);
	if (st.layer || !req->write_layer) {
		cleanup_json json_object *config =
		    commit_config(base->config, req, st.layer ? layer_stage_info(st.layer) : NULL);
		if (image_stage_write(s, &st, config, base_layers, base->rec.layers, err) == 0 &&
		    image_stage_commit(s, &st, name, err) == 0)
			id = steal_pointer(&st.id);
	}
	image_stage_clear(&st);
	return id;
}

char *image_commit(struct store *s, const struct image_commit_request *req, struct holt_err *err)
{
	cleanup_free char *full = NULL;
	struct base base = {0};
	json_object *base_layers = NULL;
	char *id = NULL;

	if (image_stage_name(req->name, &full, err) < 0)
		return NULL;
	if (base_load(s, req->base_id, &base, &base_layers, err) < 0)
		holt_err_wrap(err, "image \"%.12s\"", req->base_id);
	else
		id = commit_on(s, req, &base, base_layers, full, err);
	base_clear(&base);
	return id;
}
