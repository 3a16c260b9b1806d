/* docker's mount spellings, parsed into struct mount_spec. Parsing checks only what the
 * text says (a destination without "..", a valid volume name, known options); whether
 * a source exists is a question for when the container is created. */
#include "core/mount_spec.h"
#include "core/base/json.h"
#include "core/base/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {"bind", "volume", "tmpfs"};

const char *mount_type_name(enum mount_type t)
{
	return type_names[t];
}

static const char *const propagations[] = {"rprivate", "private", "rshared",
					   "shared",   "rslave",  "slave"};

static bool is_propagation(const char *s)
{
	for (size_t i = 0; i < sizeof propagations / sizeof *propagations; i++)
		if (strcmp(s, propagations[i]) == 0)
			return true;
	return false;
}

/* The attribute flags -v, --tmpfs and --mount share; true when opt was one. */
static bool apply_flag(const char *opt, struct mount_spec *m)
{
	static const struct {
		const char *set, *clear;
		unsigned flag;
	} flags[] = {
	    {"nosuid", "suid", MOUNT_SPEC_NOSUID},
	    {"nodev", "dev", MOUNT_SPEC_NODEV},
	    {"noexec", "exec", MOUNT_SPEC_NOEXEC},
	};
	for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
		if (strcmp(opt, flags[i].set) == 0) {
			m->flags |= flags[i].flag;
			return true;
		}
		if (strcmp(opt, flags[i].clear) == 0) {
			m->flags &= ~flags[i].flag;
			return true;
		}
	}
	if (strcmp(opt, "ro") == 0 || strcmp(opt, "rw") == 0) {
		m->readonly = opt[1] == 'o';
		return true;
	}
	return false;
}

/* An absolute path in the container, made canonical ("//" and "/." go); ".." is refused
 * so that no destination can name a place above the root. */
static char *clean_destination(const char *opt, const char *path, struct holt_err *err)
{
	if (path[0] != '/')
		return holt_err_set(err, 0, "%s: destination \"%s\" is not an absolute path", opt,
				    path),
		       NULL;
	char *out = xmalloc(strlen(path) + 2);
	size_t len = 0;
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			free(out);
			return holt_err_set(err, 0, "%s: destination \"%s\" contains \"..\"", opt,
					    path),
			       NULL;
		}
		if (!(n == 1 && p[0] == '.')) {
			out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p += n;
	}
	out[len] = '\0';
	if (len == 0) {
		free(out);
		return holt_err_set(err, 0, "%s: destination \"%s\" cannot be the root", opt, path),
		       NULL;
	}
	return out;
}

static struct mount_spec *append(struct mount_spec **mounts, size_t *n)
{
	*mounts = xrealloc(*mounts, (*n + 1) * sizeof **mounts);
	struct mount_spec *m = &(*mounts)[(*n)++];
	memset(m, 0, sizeof *m);
	return m;
}

static int check_volume_name(const char *opt, const char *name, struct holt_err *err)
{
	size_t len = strlen(name);
	if (len >= 2 && isalnum((unsigned char)name[0]) &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
		len)
		return 0;
	return holt_err_set(err, 0,
			    "%s: \"%s\" is not a valid volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]+); "
			    "a host directory must be given as an absolute path",
			    opt, name);
}

static int parse_volume_options(const char *arg, const char *opts, struct mount_spec *m,
				struct holt_err *err)
{
	cleanup_free char *copy = xstrdup(opts);
	char *save = NULL;
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (apply_flag(o, m) || strcmp(o, "z") == 0 || strcmp(o, "Z") == 0)
			continue; /* z, Z: SELinux relabelling, nothing to do without it */
		if (is_propagation(o) && m->type == MOUNT_BIND) {
			free(m->propagation);
			m->propagation = xstrdup(o);
		} else if (strcmp(o, "nocopy") == 0 && m->type == MOUNT_VOLUME) {
			m->nocopy = true;
		} else if (strcmp(o, "U") == 0) {
			m->chown_owner = true;
		} else {
			return holt_err_set(err, 0,
					    "--volume \"%s\": unknown option \"%s\" for a %s", arg,
					    o, m->type == MOUNT_BIND ? "bind mount" : "volume");
		}
	}
	return 0;
}

int mount_spec_parse_volume(const char *arg, struct mount_spec **mounts, size_t *n,
			    struct holt_err *err)
{
	cleanup_free char *copy = xstrdup(arg);
	char *parts[4] = {0};
	size_t count = 0;
	for (char *p = copy, *colon; p && count < 4; p = colon ? colon + 1 : NULL) {
		colon = strchr(p, ':');
		if (colon)
			*colon = '\0';
		parts[count++] = p;
	}
	const char *src = NULL, *dst = parts[0], *opts = "";
	if (count == 2 && parts[1][0] == '/')
		src = parts[0], dst = parts[1];
	else if (count == 2)
		opts = parts[1];
	else if (count == 3)
		src = parts[0], dst = parts[1], opts = parts[2];
	else if (count != 1 || !*arg)
		return holt_err_set(
		    err, 0, "--volume \"%s\": not of the form [SOURCE:]DESTINATION[:OPTIONS]", arg);
	if (src && !*src)
		return holt_err_set(err, 0, "--volume \"%s\": the source is empty", arg);
	if (src && src[0] != '/' && check_volume_name("--volume", src, err) < 0)
		return -1;

	struct mount_spec m = {
	    .type = src && src[0] == '/' ? MOUNT_BIND : MOUNT_VOLUME,
	    .source = src ? xstrdup(src) : NULL,
	    .mode = xstrdup(opts),
	    .anonymous = !src,
	    .create_source = true,
	    .in_binds = src != NULL,
	};
	m.destination = clean_destination("--volume", dst, err);
	if (!m.destination || parse_volume_options(arg, opts, &m, err) < 0) {
		mount_spec_release(&m);
		return -1;
	}
	*append(mounts, n) = m;
	return 0;
}

/* A --mount value that is a boolean: absent (true), true/1, false/0. */
static int parse_bool(const char *key, const char *val, bool *out, struct holt_err *err)
{
	if (!val || strcmp(val, "true") == 0 || strcmp(val, "1") == 0)
		*out = true;
	else if (strcmp(val, "false") == 0 || strcmp(val, "0") == 0)
		*out = false;
	else
		return holt_err_set(err, 0, "--mount: %s=\"%s\" is not true or false", key, val);
	return 0;
}

/* tmpfs-size: bytes, or a number with k, m or g, as the kernel's size= takes it. */
static bool valid_size(const char *s)
{
	size_t digits = strspn(s, "0123456789");
	return digits && (!s[digits] || (strchr("kKmMgG", s[digits]) && !s[digits + 1]));
}

static int mount_key(const char *key, const char *val, struct mount_spec *m, bool *type_set,
		     struct holt_err *err)
{
	if (strcmp(key, "type") == 0) {
		for (int t = MOUNT_BIND; t <= MOUNT_TMPFS; t++)
			if (val && strcmp(val, type_names[t]) == 0) {
				m->type = t;
				*type_set = true;
				return 0;
			}
		return holt_err_set(err, 0, "--mount: type \"%s\" is not bind, volume or tmpfs",
				    val ? val : "");
	}
	if (strcmp(key, "source") == 0 || strcmp(key, "src") == 0) {
		free(m->source);
		m->source = val && *val ? xstrdup(val) : NULL;
		return 0;
	}
	if (strcmp(key, "destination") == 0 || strcmp(key, "dst") == 0 ||
	    strcmp(key, "target") == 0) {
		free(m->destination);
		m->destination = clean_destination("--mount", val ? val : "", err);
		return m->destination ? 0 : -1;
	}
	if (strcmp(key, "readonly") == 0 || strcmp(key, "ro") == 0)
		return parse_bool(key, val, &m->readonly, err);
	if (strcmp(key, "volume-nocopy") == 0)
		return parse_bool(key, val, &m->nocopy, err);
	if (strcmp(key, "bind-propagation") == 0 && val && is_propagation(val)) {
		free(m->propagation);
		m->propagation = xstrdup(val);
		return 0;
	}
	if (strcmp(key, "tmpfs-size") == 0 && val && valid_size(val)) {
		free(m->tmpfs_data);
		m->tmpfs_data = xasprintf("size=%s", val);
		return 0;
	}
	if (strcmp(key, "tmpfs-mode") == 0 && val && *val &&
	    strspn(val, "01234567") == strlen(val) && strlen(val) <= 4) {
		cleanup_free char *old = m->tmpfs_data;
		m->tmpfs_data = old ? xasprintf("%s,mode=%s", old, val) : xasprintf("mode=%s", val);
		return 0;
	}
	if (strcmp(key, "consistency") == 0)
		return 0; /* docker for Mac's; no meaning on Linux */
	return holt_err_set(err, 0, "--mount: unknown or bad option \"%s%s%s\"", key,
			    val ? "=" : "", val ? val : "");
}

int mount_spec_parse_mount(const char *arg, struct mount_spec **mounts, size_t *n,
			   struct holt_err *err)
{
	struct mount_spec m = {.type = MOUNT_VOLUME, .mode = xstrdup("")};
	cleanup_free char *copy = xstrdup(arg);
	char *save = NULL;
	bool type_set = false;

	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (eq)
			*eq = '\0';
		if (mount_key(kv, eq ? eq + 1 : NULL, &m, &type_set, err) < 0)
			goto fail;
	}
	if (!m.destination) {
		holt_err_set(err, 0, "--mount \"%s\": a destination (dst=, target=) is required",
			     arg);
		goto fail;
	}
	if (m.type == MOUNT_BIND && (!m.source || m.source[0] != '/')) {
		holt_err_set(err, 0, "--mount \"%s\": a bind needs an absolute source path", arg);
		goto fail;
	}
	if (m.type == MOUNT_VOLUME && m.source && check_volume_name("--mount", m.source, err) < 0)
		goto fail;
	if (m.type == MOUNT_TMPFS && m.source) {
		holt_err_set(err, 0, "--mount \"%s\": a tmpfs takes no source", arg);
		goto fail;
	}
	if ((m.tmpfs_data && m.type != MOUNT_TMPFS) || (m.nocopy && m.type != MOUNT_VOLUME) ||
	    (m.propagation && m.type != MOUNT_BIND)) {
		holt_err_set(err, 0, "--mount \"%s\": an option does not fit type=%s", arg,
			     type_names[m.type]);
		goto fail;
	}
	if (m.type == MOUNT_TMPFS)
		m.flags = MOUNT_SPEC_NOSUID | MOUNT_SPEC_NODEV;
	m.anonymous = m.type == MOUNT_VOLUME && !m.source;
	*append(mounts, n) = m;
	return 0;
fail:
	mount_spec_release(&m);
	return -1;
}

int mount_spec_parse_tmpfs(const char *arg, struct mount_spec **mounts, size_t *n,
			   struct holt_err *err)
{
	static const char *const data_keys[] = {
	    "size=", "mode=", "uid=", "gid=", "nr_inodes=", "nr_blocks="};
	const char *colon = strchr(arg, ':');
	cleanup_free char *dst = xstrndup(arg, colon ? (size_t)(colon - arg) : strlen(arg));
	struct mount_spec m = {
	    .type = MOUNT_TMPFS,
	    .mode = xstrdup(""),
	    .flags = MOUNT_SPEC_NOSUID | MOUNT_SPEC_NODEV | MOUNT_SPEC_NOEXEC,
	};
	cleanup_free char *opts = xstrdup(colon ? colon + 1 : "");
	char *save = NULL;

	m.destination = clean_destination("--tmpfs", dst, err);
	if (!m.destination)
		goto fail;
	for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (apply_flag(o, &m))
			continue;
		size_t k;
		for (k = 0; k < sizeof data_keys / sizeof *data_keys; k++)
			if (strncmp(o, data_keys[k], strlen(data_keys[k])) == 0 &&
			    o[strlen(data_keys[k])])
				break;
		if (k == sizeof data_keys / sizeof *data_keys) {
			holt_err_set(err, 0, "--tmpfs \"%s\": unknown option \"%s\"", arg, o);
			goto fail;
		}
		cleanup_free char *old = m.tmpfs_data;
		m.tmpfs_data = old ? xasprintf("%s,%s", old, o) : xstrdup(o);
	}
	*append(mounts, n) = m;
	return 0;
fail:
	mount_spec_release(&m);
	return -1;
}

int mount_spec_check(const struct mount_spec *mounts, size_t n, struct holt_err *err)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(mounts[i].destination, mounts[j].destination) == 0)
				return holt_err_set(err, 0, "duplicate mount destination \"%s\"",
						    mounts[i].destination);
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void mount_spec_copy(struct mount_spec *dst, const struct mount_spec *src)
{
	*dst = *src;
	dst->source = dup_or_null(src->source);
	dst->destination = dup_or_null(src->destination);
	dst->mode = dup_or_null(src->mode);
	dst->propagation = dup_or_null(src->propagation);
	dst->tmpfs_data = dup_or_null(src->tmpfs_data);
}

void mount_spec_release(struct mount_spec *m)
{
	free(m->source);
	free(m->destination);
	free(m->mode);
	free(m->propagation);
	free(m->tmpfs_data);
	memset(m, 0, sizeof *m);
}

struct mount_spec *mount_specs_dup(const struct mount_spec *mounts, size_t n)
{
	if (!n)
		return NULL;
	struct mount_spec *out = xmalloc(n * sizeof *out);
	for (size_t i = 0; i < n; i++)
		mount_spec_copy(&out[i], &mounts[i]);
	return out;
}

void mount_specs_free(struct mount_spec *mounts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mount_spec_release(&mounts[i]);
	free(mounts);
}

static void add_bool(json_object *o, const char *key, bool v)
{
	json_object_object_add(o, key, json_object_new_boolean(v));
}

json_object *mount_specs_to_json(const struct mount_spec *mounts, size_t n)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		const struct mount_spec *m = &mounts[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "Type", json_object_new_string(type_names[m->type]));
		json_add_string(o, "Source", m->source);
		json_add_string(o, "Target", m->destination);
		json_add_string(o, "Mode", m->mode);
		json_add_string(o, "Propagation", m->propagation);
		json_add_string(o, "TmpfsData", m->tmpfs_data);
		json_object_object_add(o, "Flags", json_object_new_int((int)m->flags));
		add_bool(o, "ReadOnly", m->readonly);
		add_bool(o, "NoCopy", m->nocopy);
		add_bool(o, "Anonymous", m->anonymous);
		add_bool(o, "CreateSource", m->create_source);
		add_bool(o, "ChownOwner", m->chown_owner);
		add_bool(o, "InBinds", m->in_binds);
		json_object_array_add(arr, o);
	}
	return arr;
}

static bool get_bool(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

int mount_specs_from_json(json_object *arr, struct mount_spec **mounts, size_t *n)
{
	*mounts = NULL;
	*n = 0;
	if (!json_object_is_type(arr, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i), *v;
		cleanup_free char *type = json_get_string(o, "Type");
		struct mount_spec m = {0};
		m.destination = json_get_string(o, "Target");
		if (!type || !m.destination) {
			mount_spec_release(&m);
			continue;
		}
		for (int t = MOUNT_BIND; t <= MOUNT_TMPFS; t++)
			if (strcmp(type, type_names[t]) == 0)
				m.type = t;
		m.source = json_get_string(o, "Source");
		m.mode = json_get_string(o, "Mode");
		m.propagation = json_get_string(o, "Propagation");
		m.tmpfs_data = json_get_string(o, "TmpfsData");
		if (json_object_object_get_ex(o, "Flags", &v))
			m.flags = (unsigned)json_object_get_int(v);
		m.readonly = get_bool(o, "ReadOnly");
		m.nocopy = get_bool(o, "NoCopy");
		m.anonymous = get_bool(o, "Anonymous");
		m.create_source = get_bool(o, "CreateSource");
		m.chown_owner = get_bool(o, "ChownOwner");
		m.in_binds = get_bool(o, "InBinds");
		*append(mounts, n) = m;
	}
	return 0;
}
