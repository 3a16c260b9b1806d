/* Volume records in the store. A volume is made in the staging dir and renamed into
 * volumes/ under the store lock, and removed by renaming it back out first, so that
 * volumes/ only ever holds whole volumes. */
#include "storage/volume.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "storage/events.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void volume_free(struct volume *v)
{
	free(v->name);
	free(v->dir);
	free(v->mountpoint);
	free(v->created);
	strv_free(v->labels);
	free(v);
}

bool volume_name_valid(const char *name)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789";
	size_t len = strlen(name);
	return len >= 2 && len <= 255 && strchr(alnum, name[0]) &&
	       strspn(name + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"0123456789_.-") == len - 1;
}

char *volume_mountpoint(const struct store *s, const char *name)
{
	return xasprintf("%s/volumes/%s/_data", store_root(s), name);
}

static struct volume *volume_new(const struct store *s, const char *name)
{
	struct volume *v = xzalloc(sizeof *v);
	v->name = xstrdup(name);
	v->dir = xasprintf("%s/volumes/%s", store_root(s), name);
	v->mountpoint = xasprintf("%s/_data", v->dir);
	return v;
}

static json_object *record_json(const struct volume *v)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "Name", json_object_new_string(v->name));
	json_object_object_add(o, "CreatedAt", json_object_new_string(v->created));
	json_object_object_add(o, "Labels", json_labels_object(v->labels));
	json_object_object_add(o, "Anonymous", json_object_new_boolean(v->anonymous));
	return o;
}

static int write_synced(const char *path, const char *text, struct holt_err *err)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	size_t len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) < 0)
		return holt_err_set(err, errno, "write \"%s\"", path);
	return 0;
}

/* The volume's directory, whole, in the staging dir. */
static char *stage_volume(struct store *s, const struct volume *v, struct holt_err *err)
{
	cleanup_free char *dir = store_mktemp(s, err);
	if (!dir)
		return NULL;
	cleanup_free char *data = xasprintf("%s/_data", dir);
	cleanup_free char *record = xasprintf("%s/volume.json", dir);
	cleanup_free char *marker = xasprintf("%s/copy-up", dir);
	cleanup_json json_object *obj = record_json(v);

	if (chmod(dir, 0700) < 0 || mkdir(data, 0755) < 0) {
		holt_err_set(err, errno, "create \"%s\"", data);
		goto fail;
	}
	if (write_synced(record, json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN), err) <
		0 ||
	    write_synced(marker, "", err) < 0)
		goto fail;
	return steal_pointer(&dir);
fail:
	store_remove_tree(dir, &(struct holt_err){0});
	return NULL;
}

static void sync_dir(const char *path)
{
	cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		fsync(fd);
}

struct volume *volume_create(struct store *s, const char *name, char *const *labels, bool *created,
			     struct holt_err *err)
{
	cleanup_free char *anon = name ? NULL : random_hex64();
	if (name && !volume_name_valid(name))
		return holt_err_set(
			   err, 0,
			   "volume name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, "
			   "two characters at least",
			   name),
		       NULL;
	*created = false;
	if (store_lock(s, err) < 0)
		return NULL;
	struct volume *found = volume_lookup(s, name ? name : anon, err);
	if (found || err->errnum != ENOENT) {
		store_unlock(s);
		return found;
	}
	holt_err_release(err);

	cleanup_volume struct volume *v = volume_new(s, name ? name : anon);
	v->created = util_now_rfc3339();
	v->labels = strv_dup(labels);
	v->anonymous = !name;
	cleanup_free char *staged = stage_volume(s, v, err);
	cleanup_free char *parent = xasprintf("%s/volumes", store_root(s));
	if (!staged || rename(staged, v->dir) < 0) {
		if (staged) {
			holt_err_set(err, errno, "create volume \"%s\"", v->name);
			store_remove_tree(staged, &(struct holt_err){0});
		}
		store_unlock(s);
		return NULL;
	}
	sync_dir(parent); /* the rename is durable; a failure here loses nothing made */
	store_unlock(s);
	*created = true;
	events_record(store_root(s), "volume", "create", v->name,
		      (const char *const[]){"driver", "local", NULL});
	return steal_pointer(&v);
}

static char **labels_from_json(json_object *obj)
{
	char **v = NULL;
	if (!json_object_is_type(obj, json_type_object))
		return NULL;
	json_object_object_foreach(obj, key, val)
	{
		cleanup_free char *kv = xasprintf("%s=%s", key, json_object_get_string(val));
		strv_push(&v, kv);
	}
	return v;
}

struct volume *volume_lookup(struct store *s, const char *name, struct holt_err *err)
{
	if (!volume_name_valid(name)) {
		holt_err_set(err, 0, "no such volume: %s", name);
		err->errnum = ENOENT;
		return NULL;
	}
	cleanup_volume struct volume *v = volume_new(s, name);
	cleanup_free char *path = xasprintf("%s/volume.json", v->dir);
	cleanup_json json_object *obj = json_object_from_file(path);
	if (!obj) {
		int e = errno;
		if (access(path, F_OK) < 0 && errno == ENOENT) {
			holt_err_set(err, 0, "no such volume: %s", name);
			err->errnum = ENOENT;
			return NULL;
		}
		return holt_err_set(err, e, "read volume \"%s\"", path), NULL;
	}
	json_object *val = NULL;
	v->created = json_get_string(obj, "CreatedAt");
	if (!v->created)
		v->created = xstrdup("");
	if (json_object_object_get_ex(obj, "Labels", &val))
		v->labels = labels_from_json(val);
	if (json_object_object_get_ex(obj, "Anonymous", &val))
		v->anonymous = json_object_get_boolean(val);
	return steal_pointer(&v);
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct volume *const *)a)->name, (*(struct volume *const *)b)->name);
}

int volume_list(struct store *s, struct volume ***out, size_t *n, struct holt_err *err)
{
	cleanup_free char *dir = xasprintf("%s/volumes", store_root(s));
	cleanup_dir DIR *d = opendir(dir);
	struct volume **list = NULL;
	size_t count = 0, cap = 0;
	struct dirent *de;

	if (!d)
		return holt_err_set(err, errno, "read \"%s\"", dir);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		struct holt_err e = {0};
		struct volume *v = volume_lookup(s, de->d_name, &e);
		if (!v) {
			holt_err_release(&e); /* removed under our feet */
			continue;
		}
		if (count == cap)
			list = xrealloc(list, (cap = cap ? 2 * cap : 16) * sizeof *list);
		list[count++] = v;
	}
	if (count > 1)
		qsort(list, count, sizeof *list, by_name);
	*out = list;
	*n = count;
	return 0;
}

void volume_list_free(struct volume **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		volume_free(list[i]);
	free(list);
}

int volume_remove(struct store *s, const char *name, struct holt_err *err)
{
	cleanup_volume struct volume *v = volume_lookup(s, name, err);
	if (!v)
		return -1;
	cleanup_free char *gone = store_mktemp(s, err);
	if (!gone)
		return -1;
	cleanup_free char *dest = xasprintf("%s/volume", gone);
	if (rename(v->dir, dest) < 0)
		return holt_err_set(err, errno, "remove volume \"%s\"", name);
	if (store_remove_tree(gone, err) < 0)
		return holt_err_wrap(err, "remove volume \"%s\"", name);
	events_record(store_root(s), "volume", "destroy", v->name,
		      (const char *const[]){"driver", "local", NULL});
	return 0;
}
