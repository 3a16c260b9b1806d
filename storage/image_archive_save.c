/* `save`: images out of the store as one tar, each blob streamed from its file and its
 * digest checked on the way, so that a corrupt store never yields an archive that loads.
 * Members have owner 0 and time 0: saving an image twice gives the same bytes. */
#include "core/base/util.h"
#include "storage/blob.h"
#include "storage/image_archive.h"
#include "storage/image_record.h"
#include "storage/image_stage.h"
#include "storage/record.h"
#include "storage/reference.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#define COPY_BUF_SIZE	(256u << 10)
#define BLOBS_DIR	"blobs/sha256/"
#define OCI_LAYOUT	"{\"imageLayoutVersion\":\"1.0.0\"}"
#define MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define ANNOTATION_REF	"org.opencontainers.image.ref.name"
#define ANNOTATION_CTRD "io.containerd.image.name"

/* One image to save, with the names it was asked for by. */
struct saved {
	char *id;
	char **names; /* full references */
	char *manifest_digest;
	char *manifest; /* the stored manifest and config, read whole and checked */
	size_t manifest_len;
	char *config;
	size_t config_len;
	json_object *layers; /* the manifest's layer descriptors */
	char **diff_ids;
};

struct save {
	struct store *s;
	struct archive *out;
	char *buf;
	char **written; /* members already in the archive */
	struct saved *images;
	size_t n;
};

static int out_fail(struct save *sv, const char *member, struct holt_err *err)
{
	int e = archive_errno(sv->out);
	const char *msg = archive_error_string(sv->out);
	cleanup_free char *what =
	    *member ? xasprintf("write member \"%s\"", member) : xstrdup("write the archive");
	return holt_err_set(err, e > 0 ? e : 0, "%s%s%s", what, msg && e <= 0 ? ": " : "",
			    msg && e <= 0 ? msg : "");
}

static int put_header(struct save *sv, const char *path, mode_t type, int64_t size,
		      struct holt_err *err)
{
	struct archive_entry *e = archive_entry_new();
	if (!e)
		oom();
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
	archive_entry_set_size(e, size);
	archive_entry_set_mtime(e, 0, 0);
	int r = archive_write_header(sv->out, e);
	archive_entry_free(e);
	return r < ARCHIVE_WARN ? out_fail(sv, path, err) : 0;
}

static int put_data(struct save *sv, const char *path, const void *data, size_t len,
		    struct holt_err *err)
{
	if (len && archive_write_data(sv->out, data, len) < 0)
		return out_fail(sv, path, err);
	return 0;
}

static int put_buffer(struct save *sv, const char *path, const char *data, size_t len,
		      struct holt_err *err)
{
	if (put_header(sv, path, AE_IFREG, (int64_t)len, err) < 0 ||
	    put_data(sv, path, data, len, err) < 0)
		return -1;
	return 0;
}

static bool already_written(struct save *sv, const char *path)
{
	for (char **w = sv->written; w && *w; w++)
		if (!strcmp(*w, path))
			return true;
	strv_push(&sv->written, path);
	return false;
}

/* Fails unless the digest of what d was fed is want. */
static int check_digest(struct digest *d, const char *what, const char *want, struct holt_err *err)
{
	char got[DIGEST_STR_SIZE];
	digest_final(d, got);
	if (strcmp(got, want))
		return holt_err_set(err, 0, "%s: digest %s, expected %s: the store is corrupt",
				    what, got, want);
	return 0;
}

/* A reader of blob digest, decompressed unless raw. */
static struct archive *open_blob(struct save *sv, const char *digest, bool raw,
				 struct holt_err *err)
{
	cleanup_free char *path = blob_path(sv->s, digest);
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	if (!a)
		oom();
	if (!raw)
		archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_filename(a, path, COPY_BUF_SIZE) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		int errnum = archive_errno(a);
		holt_err_set(err, errnum > 0 ? errnum : 0, "blob %s%s%s", digest,
			     errnum > 0 ? "" : ": ", errnum > 0 ? "" : archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Copies blob digest, decompressed unless raw, into the member being written (or only
 * counts its bytes when path is NULL), and checks the digest of what it copied. */
static int copy_blob(struct save *sv, const char *digest, bool raw, const char *want,
		     const char *path, uint64_t *size, struct holt_err *err)
{
	struct archive *a = open_blob(sv, digest, raw, err);
	cleanup_digest struct digest *d = digest_new();
	la_ssize_t n;
	int ret = 0;

	if (!a)
		return -1;
	*size = 0;
	while (ret == 0 && (n = archive_read_data(a, sv->buf, COPY_BUF_SIZE)) > 0) {
		digest_update(d, sv->buf, (size_t)n);
		*size += (uint64_t)n;
		if (path)
			ret = put_data(sv, path, sv->buf, (size_t)n, err);
	}
	if (ret == 0 && n < 0)
		ret = holt_err_set(err, 0, "blob %s: %s", digest, archive_error_string(a));
	archive_read_free(a);
	if (ret == 0) {
		cleanup_free char *what = xasprintf("blob %s", digest);
		ret = check_digest(d, what, want, err);
	}
	return ret;
}

/* A layer as docker-archive holds it: the uncompressed tar, named by its diff_id. Its
 * size goes in the header before its data, so a compressed blob is read twice; a blob
 * whose digest is its diff_id is the tar itself, and its size that of its file. */
static int put_layer_tar(struct save *sv, json_object *desc, const char *diff_id,
			 struct holt_err *err)
{
	const char *digest = json_object_get_string(json_object_object_get(desc, "digest"));
	cleanup_free char *path = xasprintf(BLOBS_DIR "%s", digest_hex(diff_id));
	cleanup_free char *file = blob_path(sv->s, digest);
	bool raw = !strcmp(digest, diff_id);
	uint64_t size, written;
	struct stat st;
	if (already_written(sv, path))
		return 0;
	if (raw && stat(file, &st) < 0)
		return holt_err_set(err, errno, "blob %s", digest);
	size = raw ? (uint64_t)st.st_size : 0;
	if ((!raw && copy_blob(sv, digest, false, diff_id, NULL, &size, err) < 0) ||
	    put_header(sv, path, AE_IFREG, (int64_t)size, err) < 0 ||
	    copy_blob(sv, digest, raw, diff_id, path, &written, err) < 0)
		return -1;
	if (written != size)
		return holt_err_set(err, 0, "blob %s: changed while saved", digest);
	return 0;
}

/* A blob as stored, for oci-archive. */
static int put_blob(struct save *sv, const char *digest, struct holt_err *err)
{
	cleanup_free char *path = xasprintf(BLOBS_DIR "%s", digest_hex(digest));
	cleanup_free char *file = blob_path(sv->s, digest);
	struct stat st;
	uint64_t written;
	if (already_written(sv, path))
		return 0;
	if (stat(file, &st) < 0)
		return holt_err_set(err, errno, "blob %s", digest);
	if (put_header(sv, path, AE_IFREG, st.st_size, err) < 0 ||
	    copy_blob(sv, digest, true, digest, path, &written, err) < 0)
		return -1;
	if (written != (uint64_t)st.st_size)
		return holt_err_set(err, 0, "blob %s: changed while saved", digest);
	return 0;
}

static int put_blob_bytes(struct save *sv, const char *digest, const char *data, size_t len,
			  struct holt_err *err)
{
	cleanup_free char *path = xasprintf(BLOBS_DIR "%s", digest_hex(digest));
	return already_written(sv, path) ? 0 : put_buffer(sv, path, data, len, err);
}

static int put_dirs(struct save *sv, struct holt_err *err)
{
	if (put_header(sv, "blobs/", AE_IFDIR, 0, err) < 0 ||
	    put_header(sv, BLOBS_DIR, AE_IFDIR, 0, err) < 0)
		return -1;
	return 0;
}

static json_object *familiar_names(char **names)
{
	if (!names)
		return NULL;
	json_object *a = json_object_new_array();
	for (char **n = names; *n; n++) {
		struct holt_err ignored = {0};
		cleanup_reference struct reference r = {0};
		if (reference_parse(*n, &r, &ignored) < 0) {
			holt_err_release(&ignored);
			continue;
		}
		cleanup_free char *f = reference_familiar(&r);
		json_object_array_add(a, json_object_new_string(f));
	}
	return a;
}

static json_object *blobs_path(const char *hex)
{
	cleanup_free char *path = xasprintf(BLOBS_DIR "%s", hex);
	return json_object_new_string(path);
}

/* docker-archive: each image's config and layers, then manifest.json. */
static int save_docker(struct save *sv, struct holt_err *err)
{
	cleanup_json json_object *manifest = json_object_new_array();
	if (put_dirs(sv, err) < 0)
		return -1;
	for (size_t i = 0; i < sv->n; i++) {
		struct saved *im = &sv->images[i];
		cleanup_free char *config_digest = xasprintf(DIGEST_PREFIX "%s", im->id);
		json_object *e = json_object_new_object(), *layers = json_object_new_array();
		json_object_array_add(manifest, e);
		json_object_object_add(e, "Config", blobs_path(im->id));
		json_object_object_add(e, "RepoTags", familiar_names(im->names));
		json_object_object_add(e, "Layers", layers);
		if (put_blob_bytes(sv, config_digest, im->config, im->config_len, err) < 0)
			return -1;
		for (size_t k = 0; im->diff_ids[k]; k++) {
			json_object_array_add(layers, blobs_path(digest_hex(im->diff_ids[k])));
			if (put_layer_tar(sv, json_object_array_get_idx(im->layers, k),
					  im->diff_ids[k], err) < 0)
				return -1;
		}
	}
	const char *text = json_text(manifest);
	return put_buffer(sv, "manifest.json", text, strlen(text), err);
}

static json_object *index_entry(struct saved *im, const char *name)
{
	json_object *d = json_object_new_object();
	cleanup_json json_object *m = json_tokener_parse(im->manifest);
	const char *media =
	    m ? json_object_get_string(json_object_object_get(m, "mediaType")) : NULL;
	json_object_object_add(d, "mediaType",
			       json_object_new_string(media ? media : IMAGE_MEDIA_MANIFEST));
	json_object_object_add(d, "digest", json_object_new_string(im->manifest_digest));
	json_object_object_add(d, "size", json_object_new_int64((int64_t)im->manifest_len));
	if (name) {
		json_object *a = json_object_new_object();
		json_object_object_add(a, ANNOTATION_CTRD, json_object_new_string(name));
		json_object_object_add(a, ANNOTATION_REF, json_object_new_string(name));
		json_object_object_add(d, "annotations", a);
	}
	return d;
}

/* oci-archive: oci-layout, the blobs as stored, then index.json with one entry a name
 * (ref.name is the full reference, as podman writes it). */
static int save_oci(struct save *sv, struct holt_err *err)
{
	cleanup_json json_object *index = json_object_new_object();
	json_object *manifests = json_object_new_array();
	json_object_object_add(index, "schemaVersion", json_object_new_int(2));
	json_object_object_add(index, "mediaType", json_object_new_string(MEDIA_OCI_INDEX));
	json_object_object_add(index, "manifests", manifests);
	if (put_buffer(sv, "oci-layout", OCI_LAYOUT, strlen(OCI_LAYOUT), err) < 0 ||
	    put_dirs(sv, err) < 0)
		return -1;
	for (size_t i = 0; i < sv->n; i++) {
		struct saved *im = &sv->images[i];
		cleanup_free char *config_digest = xasprintf(DIGEST_PREFIX "%s", im->id);
		for (size_t k = 0; k < json_object_array_length(im->layers); k++) {
			json_object *d = json_object_array_get_idx(im->layers, k);
			if (put_blob(sv,
				     json_object_get_string(json_object_object_get(d, "digest")),
				     err) < 0)
				return -1;
		}
		if (put_blob_bytes(sv, config_digest, im->config, im->config_len, err) < 0 ||
		    put_blob_bytes(sv, im->manifest_digest, im->manifest, im->manifest_len, err) <
			0)
			return -1;
		if (!im->names)
			json_object_array_add(manifests, index_entry(im, NULL));
		for (char **n = im->names; n && *n; n++)
			json_object_array_add(manifests, index_entry(im, *n));
	}
	const char *text = json_text(index);
	return put_buffer(sv, "index.json", text, strlen(text), err);
}

/* Reads image id's manifest, config and their layer lists, and checks they agree. */
static int saved_load(struct save *sv, struct saved *im, struct holt_err *err)
{
	struct image_record rec;
	json_object *rootfs = NULL;
	if (image_record_load(sv->s, im->id, &rec, err) < 0)
		return -1;
	im->manifest_digest = steal_pointer(&rec.manifest);
	im->manifest = blob_read(sv->s, im->manifest_digest, &im->manifest_len, err);
	cleanup_free char *config_digest = steal_pointer(&rec.config);
	size_t n = strv_len(rec.layers);
	image_record_clear(&rec);
	if (!im->manifest)
		return -1;
	im->config = blob_read(sv->s, config_digest, &im->config_len, err);
	if (!im->config)
		return -1;
	cleanup_json json_object *manifest = json_parse(im->manifest, "manifest", err);
	cleanup_json json_object *config = manifest ? json_parse(im->config, "config", err) : NULL;
	if (!config)
		return -1;
	im->layers = json_object_get(json_object_object_get(manifest, "layers"));
	if (json_object_object_get_ex(config, "rootfs", &rootfs))
		im->diff_ids = json_get_strv(rootfs, "diff_ids");
	if (!json_object_is_type(im->layers, json_type_array) ||
	    json_object_array_length(im->layers) != n || strv_len(im->diff_ids) != n)
		return holt_err_set(err, 0, "manifest %s: its layers are not the image's",
				    im->manifest_digest);
	for (size_t k = 0; k < n; k++)
		if (!digest_valid(im->diff_ids[k]) ||
		    !digest_valid(json_object_get_string(json_object_object_get(
			json_object_array_get_idx(im->layers, k), "digest"))))
			return holt_err_set(err, 0, "image \"%.12s\": an invalid layer digest",
					    im->id);
	return 0;
}

static bool already_in(char **v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

/* The images refs name, each once, with the names it was asked for by. */
static int resolve(struct save *sv, char *const *refs, size_t n, struct holt_err *err)
{
	cleanup_json json_object *names = image_names_load(sv->s, err);
	if (!names)
		return -1;
	sv->images = xzalloc(n * sizeof *sv->images);
	for (size_t i = 0; i < n; i++) {
		char *name = NULL;
		cleanup_free char *id = image_resolve(sv->s, names, refs[i], &name, err);
		if (!id)
			return -1;
		size_t k;
		for (k = 0; k < sv->n && strcmp(sv->images[k].id, id); k++)
			;
		if (k == sv->n) {
			sv->images[sv->n++].id = steal_pointer(&id);
			if (saved_load(sv, &sv->images[k], err) < 0)
				return holt_err_wrap(err, "image \"%s\"", refs[i]);
		}
		if (name && !already_in(sv->images[k].names, name))
			strv_push(&sv->images[k].names, name);
		free(name);
	}
	return 0;
}

static void save_clear(struct save *sv)
{
	for (size_t i = 0; i < sv->n; i++) {
		struct saved *im = &sv->images[i];
		free(im->id);
		strv_free(im->names);
		free(im->manifest_digest);
		free(im->manifest);
		free(im->config);
		if (im->layers)
			json_object_put(im->layers);
		strv_free(im->diff_ids);
	}
	free(sv->images);
	strv_free(sv->written);
	free(sv->buf);
	if (sv->out)
		archive_write_free(sv->out);
}

int image_archive_save(struct store *s, char *const *refs, size_t n,
		       enum image_archive_format format, int fd, struct holt_err *err)
{
	struct save sv = {.s = s, .buf = xmalloc(COPY_BUF_SIZE)};
	int ret = resolve(&sv, refs, n, err);
	if (ret == 0) {
		sv.out = archive_write_new();
		if (!sv.out)
			oom();
		archive_write_set_format_pax_restricted(sv.out);
		archive_write_add_filter_none(sv.out);
		/* No padding of the last block, to a file or a pipe alike: the same bytes. */
		archive_write_set_bytes_in_last_block(sv.out, 1);
		if (archive_write_open_fd(sv.out, fd) != ARCHIVE_OK)
			ret = out_fail(&sv, "", err);
	}
	if (ret == 0)
		ret = format == IMAGE_ARCHIVE_OCI ? save_oci(&sv, err) : save_docker(&sv, err);
	if (ret == 0 && archive_write_close(sv.out) != ARCHIVE_OK)
		ret = out_fail(&sv, "", err);
	save_clear(&sv);
	return ret;
}
