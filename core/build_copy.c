/* COPY and ADD: the sources are listed first (docker's rules for files, dirs, globs and
 * the destination), their digests give the step's cache key, and only on a miss are they
 * read again to write the layer, straight from the context or the other image's layers. */
#include "core/base/archive_cleanup.h"
#include "core/base/util.h"
#include "core/build_stage.h"
#include "net/fetch.h"
#include "storage/image.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum entry_kind {
	ENTRY_DIR_MADE, /* a dir the copy needs: the image's when it has it, else 0755 */
	ENTRY_HOST,	/* a file, dir or symlink read from host */
	ENTRY_DATA,	/* a heredoc's body */
	ENTRY_ARCHIVE,	/* ADD: a local archive unpacked into dest */
};

struct entry {
	enum entry_kind kind;
	char *dest; /* in the image, relative: "usr/local/bin/x" */
	char *host; /* ENTRY_HOST, ENTRY_ARCHIVE; for ENTRY_DIR_MADE the image's own, or NULL */
	char *data; /* ENTRY_DATA; for ENTRY_HOST from a URL, its content's digest */
	struct stat st;
	bool owned; /* takes --chown and --chmod */
};

struct copy {
	struct build_stage *st;
	const struct dockerfile_instruction *in;
	bool add;
	struct build_tree src;	 /* where sources are read */
	struct build_tree image; /* the image copied into */
	struct entry *v;
	size_t n;
	bool chown;
	uid_t uid;
	gid_t gid;
	long chmod;	/* -1: keep */
	char *checksum; /* ADD --checksum=sha256:…, for a URL */
	time_t now;
};

static void copy_release(struct copy *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].dest);
		free(c->v[i].host);
		free(c->v[i].data);
	}
	free(c->v);
	free(c->checksum);
	build_tree_release(&c->src);
	build_tree_release(&c->image);
}

static struct entry *push(struct copy *c, enum entry_kind kind, const char *dest)
{
	c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
	struct entry *e = &c->v[c->n++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->dest = xstrdup(dest);
	return e;
}

static bool listed(const struct copy *c, const char *dest)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].dest, dest))
			return true;
	return false;
}

/* The dirs above dest (and dest itself when self) that the layer must hold, each with the
 * image's own metadata when it has the dir, so that overlay does not show it changed. */
static void add_dirs(struct copy *c, const char *dest, bool self)
{
	cleanup_free char *path = xstrdup(dest);
	for (char *p = path;; p++) {
		bool end = *p == '\0';
		if (*p != '/' && !end)
			continue;
		if (end && !self)
			break;
		*p = '\0';
		if (*path && !listed(c, path)) {
			struct entry *e = push(c, ENTRY_DIR_MADE, path);
			e->host = build_tree_find(&c->image, path, &e->st);
			if (e->host && !S_ISDIR(e->st.st_mode)) {
				free(e->host);
				e->host = NULL;
			}
			/* a dir the copy makes takes --chown, as docker's does */
			e->owned = !e->host && self && end;
		}
		if (end)
			break;
		*p = '/';
	}
}

static int add_host_tree(struct copy *c, const char *rel, const char *dest, struct holt_err *err);

/* One source found in c->src at rel: a dir's contents go into dest, a file to dest. */
static int add_host(struct copy *c, const char *rel, const char *dest, struct holt_err *err)
{
	struct stat st;
	cleanup_free char *host = build_tree_find(&c->src, rel, &st);
	if (!host)
		return holt_err_set_code(err, ENOENT, "\"%s\": not found", *rel ? rel : ".");
	if (S_ISDIR(st.st_mode))
		return add_host_tree(c, rel, dest, err);
	if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return 0; /* sockets, fifos and devices are not copied */
	struct entry *e = push(c, ENTRY_HOST, dest);
	e->host = steal_pointer(&host);
	e->st = st;
	e->owned = true;
	return 0;
}

static int add_host_tree(struct copy *c, const char *rel, const char *dest, struct holt_err *err)
{
	cleanup_strv char **names = build_tree_list(&c->src, rel);
	for (char **n = names; *n; n++) {
		cleanup_free char *child = *rel ? xasprintf("%s/%s", rel, *n) : xstrdup(*n);
		cleanup_free char *to = *dest ? xasprintf("%s/%s", dest, *n) : xstrdup(*n);
		struct stat st;
		cleanup_free char *host = build_tree_find(&c->src, child, &st);
		if (!host)
			continue;
		if (S_ISDIR(st.st_mode)) {
			struct entry *e = push(c, ENTRY_HOST, to);
			e->host = steal_pointer(&host);
			e->st = st;
			e->owned = true;
			if (add_host_tree(c, child, to, err) < 0)
				return -1;
		} else if (add_host(c, child, to, err) < 0) {
			return -1;
		}
	}
	return 0;
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* The paths of c->src that pattern matches, component by component. */
static void glob_tree(const struct copy *c, const char *base, const char *pattern, char ***out)
{
	const char *slash = strchr(pattern, '/');
	cleanup_free char *part =
	    slash ? xstrndup(pattern, (size_t)(slash - pattern)) : xstrdup(pattern);
	cleanup_strv char **names = build_tree_list(&c->src, base);
	for (char **n = names; *n; n++) {
		if (fnmatch(part, *n, FNM_PERIOD) != 0)
			continue;
		cleanup_free char *path = *base ? xasprintf("%s/%s", base, *n) : xstrdup(*n);
		if (slash)
			glob_tree(c, path, slash + 1, out);
		else
			strv_push(out, path);
	}
}

/* A source as docker cleans it: relative to the context root, no "./", no trailing '/'. */
static char *clean_rel(const char *src)
{
	cleanup_free char *s = xstrdup(src);
	char *p = s, **parts = NULL;
	for (char *tok = strtok(p, "/"); tok; tok = strtok(NULL, "/")) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			size_t n = strv_len(parts);
			if (parts && n) {
				free(parts[n - 1]);
				parts[n - 1] = NULL;
			}
			continue;
		}
		strv_push(&parts, tok);
	}
	char *out = xstrdup("");
	for (char **q = parts; q && *q; q++) {
		char *next = xasprintf("%s%s%s", out, *out ? "/" : "", *q);
		free(out);
		out = next;
	}
	strv_free(parts);
	return out;
}

/* ADD unpacks a local file that libarchive reads as an archive (tar, compressed or not). */
static bool is_archive(const char *path)
{
	cleanup_archive_read struct archive *a = archive_read_new();
	struct archive_entry *e;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	return archive_read_open_filename(a, path, 1 << 16) == ARCHIVE_OK &&
	       archive_read_next_header(a, &e) == ARCHIVE_OK;
}

static const char *basename_of(const char *rel)
{
	const char *slash = strrchr(rel, '/');
	return slash ? slash + 1 : rel;
}

/* An unquoted heredoc's body with its $VAR and ${...} expanded, and nothing else
 * touched: quotes in it are content. */
static char *expand_body(const struct copy *c, const char *body, struct holt_err *err)
{
	cleanup_strv char **vars = build_stage_vars(c->st);
	char *out = xstrdup("");
	for (const char *p = body; *p;) {
		size_t n = strcspn(p, "$");
		size_t len = 0;
		if (p[n] == '$' && p[n + 1] == '{')
			len = strcspn(p + n, "}") + 1;
		else if (p[n] == '$')
			while (p[n + 1 + len] == '_' || isalnum((unsigned char)p[n + 1 + len]))
				len++;
		cleanup_free char *token =
		    len ? xstrndup(p + n, p[n + 1] == '{' ? len : len + 1) : NULL;
		cleanup_free char *value =
		    token ? dockerfile_expand(token, vars, c->st->b->df->escape, err) : NULL;
		if (token && !value) {
			free(out);
			return NULL;
		}
		char *next = xasprintf("%s%.*s%s", out, (int)n, p,
				       value	     ? value
				       : p[n] == '$' ? "$"
						     : "");
		free(out);
		out = next;
		p += n + (token ? strlen(token) : p[n] == '$');
	}
	return out;
}

/* The file name docker gives a URL's download: its path's last element. */
static char *url_file_name(const char *url)
{
	const char *path = strchr(strstr(url, "://") + 3, '/');
	if (!path)
		return NULL;
	size_t len = strcspn(path, "?#");
	while (len > 1 && path[len - 1] == '/')
		len--;
	const char *name = path + len;
	while (name > path && name[-1] != '/')
		name--;
	return name < path + len ? xstrndup(name, (size_t)(path + len - name)) : NULL;
}

/* ADD URL: downloaded to the store's staging dir on every build, as docker's does, so
 * that the step's cache key is what the server gives now; mode 0600 and the server's
 * Last-Modified, as docker's; never unpacked. */
static int add_url(struct copy *c, const char *url, const char *dest, bool dest_dir,
		   struct holt_err *err)
{
	cleanup_free char *name = url_file_name(url);
	if (dest_dir && !name)
		return holt_err_set(
		    err, 0, "\"%s\": the URL names no file; give the destination a file name", url);
	cleanup_free char *dir = store_mktemp(c->st->b->s, err);
	if (!dir)
		return -1;
	cleanup_free char *path = xasprintf("%s/download", dir);
	cleanup_close int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	time_t mtime;
	if (fd < 0)
		return holt_err_set(err, errno, "create \"%s\"", path);
	if (fetch_url(url, fd, &mtime, err) < 0)
		return -1;
	char hash[DIGEST_STR_SIZE];
	cleanup_digest struct digest *d = digest_new();
	char buf[1 << 16];
	ssize_t n;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return holt_err_set(err, errno, "read \"%s\"", path);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		digest_update(d, buf, (size_t)n);
	if (n < 0)
		return holt_err_set(err, errno, "read \"%s\"", path);
	digest_final(d, hash);
	if (c->checksum && strcmp(c->checksum, hash))
		return holt_err_set(err, 0, "\"%s\": checksum %s, not the %s --checksum asks for",
				    url, hash, c->checksum);
	struct stat st;
	if (mtime) {
		const struct timespec times[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_sec = mtime}};
		futimens(fd, times);
	}
	if (fstat(fd, &st) < 0)
		return holt_err_set(err, errno, "stat \"%s\"", path);
	cleanup_free char *to =
	    dest_dir ? xasprintf("%s%s%s", dest, *dest ? "/" : "", name) : xstrdup(dest);
	add_dirs(c, to, false);
	struct entry *e = push(c, ENTRY_HOST, to);
	e->host = steal_pointer(&path);
	e->data = xstrdup(hash);
	e->st = st;
	e->owned = true;
	return 0;
}

static int add_source(struct copy *c, const char *src, const char *dest, bool dest_dir,
		      struct holt_err *err)
{
	for (size_t i = 0; i < c->in->n_heredocs; i++) {
		const struct dockerfile_heredoc *h = &c->in->heredocs[i];
		if (strncmp(src, "<<", 2) || strcmp(src + 2 + (src[2] == '-'), h->name))
			continue;
		cleanup_free char *to =
		    dest_dir ? xasprintf("%s%s%s", dest, *dest ? "/" : "", h->name) : xstrdup(dest);
		add_dirs(c, to, false);
		struct entry *e = push(c, ENTRY_DATA, to);
		e->data = h->expand ? expand_body(c, h->body, err) : xstrdup(h->body);
		e->owned = true;
		if (!e->data)
			return -1;
		return 0;
	}
	if (c->add && (!strncmp(src, "http://", 7) || !strncmp(src, "https://", 8)))
		return add_url(c, src, dest, dest_dir, err);
	cleanup_free char *rel = clean_rel(src);
	cleanup_strv char **matches = NULL;
	if (has_glob(rel))
		glob_tree(c, "", rel, &matches);
	else
		strv_push(&matches, rel);
	if (!matches)
		return holt_err_set_code(err, ENOENT, "\"%s\": no source files match", src);
	for (char **m = matches; *m; m++) {
		struct stat st;
		cleanup_free char *host = build_tree_find(&c->src, *m, &st);
		if (!host)
			return holt_err_set_code(err, ENOENT, "\"%s\": not found in the %s", src,
						 c->src.layered ? "image" : "context");
		if (S_ISDIR(st.st_mode)) {
			add_dirs(c, dest, true);
			if (add_host_tree(c, *m, dest, err) < 0)
				return -1;
			continue;
		}
		cleanup_free char *to =
		    dest_dir ? xasprintf("%s%s%s", dest, *dest ? "/" : "", basename_of(*m))
			     : xstrdup(dest);
		if (c->add && S_ISREG(st.st_mode) && is_archive(host)) {
			add_dirs(c, dest, true);
			struct entry *e = push(c, ENTRY_ARCHIVE, dest);
			e->host = steal_pointer(&host);
			e->st = st;
			continue;
		}
		add_dirs(c, to, false);
		if (add_host(c, *m, to, err) < 0)
			return -1;
	}
	return 0;
}

/* --chown=USER[:GROUP], names looked up in the image's /etc/passwd and /etc/group. */
static bool lookup_id(const struct build_tree *t, const char *file, const char *name,
		      unsigned long *id, unsigned long *gid)
{
	struct stat st;
	cleanup_free char *path = build_tree_find(t, file, &st);
	cleanup_file FILE *f = path && S_ISREG(st.st_mode) ? fopen(path, "re") : NULL;
	char line[1024];
	while (f && fgets(line, sizeof line, f)) {
		char *save, *n = strtok_r(line, ":", &save);
		char *pw = n ? strtok_r(NULL, ":", &save) : NULL;
		char *i = pw ? strtok_r(NULL, ":", &save) : NULL;
		char *g = i ? strtok_r(NULL, ":", &save) : NULL;
		if (!i || strcmp(n, name))
			continue;
		*id = strtoul(i, NULL, 10);
		if (gid && g)
			*gid = strtoul(g, NULL, 10);
		return true;
	}
	return false;
}

static int parse_id(const struct copy *c, const char *s, const char *file, unsigned long *id,
		    unsigned long *gid, struct holt_err *err)
{
	char *end;
	if (isdigit((unsigned char)*s)) {
		*id = strtoul(s, &end, 10);
		if (!*end)
			return 0;
	} else if (lookup_id(&c->image, file, s, id, gid)) {
		return 0;
	}
	return holt_err_set(err, 0, "--chown: \"%s\" is not in the image's /%s", s, file);
}

static int parse_chown(struct copy *c, const char *v, struct holt_err *err)
{
	cleanup_free char *user = xstrdup(v);
	char *group = strchr(user, ':');
	unsigned long uid, gid = (unsigned long)-1;

	if (group)
		*group++ = '\0';
	if (parse_id(c, user, "etc/passwd", &uid, &gid, err) < 0)
		return -1;
	if (group && parse_id(c, group, "etc/group", &gid, NULL, err) < 0)
		return -1;
	if (!group && gid == (unsigned long)-1)
		gid = uid; /* docker: a uid alone is the gid too */
	c->chown = true;
	c->uid = (uid_t)uid;
	c->gid = (gid_t)gid;
	return 0;
}

/* --from: a stage built before, a --build-context, or an image. */
static int open_from(struct copy *c, const char *from, struct holt_err *err)
{
	struct build *b = c->st->b;
	for (char **bc = b->o->build_contexts; bc && *bc; bc++) {
		size_t len = strcspn(*bc, "=");
		if (strlen(from) == len && !strncmp(*bc, from, len)) {
			strv_push(&c->src.roots, *bc + len + 1);
			c->src.n = 1;
			return 0;
		}
	}
	long n = dockerfile_stage_index(b->df, from);
	if (n >= 0 && (size_t)n >= c->st->n)
		return holt_err_set(err, 0, "--from=%s: a stage can only copy from one before it",
				    from);
	cleanup_image struct image *img = n >= 0 ? image_lookup(b->s, b->stage_ids[n], err)
						 : b->o->image(b->o->ctx, from, false, err);
	if (!img)
		return holt_err_wrap(err, "--from=%s", from);
	build_tree_image(&c->src, img);
	return 0;
}

static int parse_flags(struct copy *c, char *const *vars, struct holt_err *err)
{
	const char *from = NULL;
	cleanup_strv char **values = NULL;

	for (char **f = c->in->flags; f && *f; f++) {
		cleanup_free char *v = dockerfile_expand(*f, vars, c->st->b->df->escape, err);
		if (!v)
			return -1;
		strv_push(&values, v);
		const char *val = strchr(values[strv_len(values) - 1], '=');
		val = val ? val + 1 : "";
		if (!strncmp(v, "--from=", 7))
			from = val;
		else if (!strncmp(v, "--chown=", 8)) {
			if (parse_chown(c, val, err) < 0)
				return -1;
		} else if (!strncmp(v, "--chmod=", 8)) {
			char *end;
			c->chmod = strtol(val, &end, 8);
			if (!*val || *end || c->chmod < 0 || c->chmod > 07777)
				return holt_err_set(err, 0, "--chmod=%s: not an octal mode", val);
		} else if (c->add && !strncmp(v, "--checksum=", 11)) {
			if (!digest_valid(val))
				return holt_err_set(
				    err, 0, "--checksum=%s: not sha256:<64 hex digits>", val);
			free(c->checksum);
			c->checksum = xstrdup(val);
		} else if (strcmp(v, "--link") && strncmp(v, "--link=", 7)) {
			return holt_err_set(err, 0, "unknown flag \"%s\"", v);
		}
	}
	if (from)
		return open_from(c, from, err);
	if (!c->st->b->o->context)
		return holt_err_set(err, 0, "no build context (the Dockerfile came from stdin)");
	strv_push(&c->src.roots, c->st->b->o->context);
	c->src.n = 1;
	c->src.ignore = c->st->b->ignore;
	return 0;
}

/* What the step does, for its cache key: flags, and each entry's path and content. */
static int describe(struct copy *c, char **out, struct holt_err *err)
{
	cleanup_digest struct digest *d = digest_new();
	char hash[DIGEST_STR_SIZE];

	for (size_t i = 0; i < c->n; i++) {
		const struct entry *e = &c->v[i];
		/* as docker's: contents and modes, not times */
		cleanup_free char *line = xasprintf("%d %s %o %u:%u\n", e->kind, e->dest,
						    e->st.st_mode, e->st.st_uid, e->st.st_gid);
		digest_update(d, line, strlen(line));
		if (e->kind == ENTRY_DATA)
			digest_update(d, e->data, strlen(e->data));
		if (e->kind == ENTRY_HOST && e->data)
			digest_update(d, e->data, strlen(e->data));
		else if ((e->kind == ENTRY_HOST || e->kind == ENTRY_ARCHIVE) &&
			 S_ISREG(e->st.st_mode)) {
			if (build_file_digest(c->st->b, e->host, &e->st, hash, err) < 0)
				return -1;
			digest_update(d, hash, strlen(hash));
		}
		if (e->kind == ENTRY_HOST && S_ISLNK(e->st.st_mode)) {
			char target[4096];
			ssize_t n = readlink(e->host, target, sizeof target);
			if (n > 0)
				digest_update(d, target, (size_t)n);
		}
	}
	digest_final(d, hash);
	*out = xasprintf("%s %s %d:%u:%u %lo %s", c->add ? "ADD" : "COPY", c->in->text, c->chown,
			 c->uid, c->gid, c->chmod, hash);
	return 0;
}

static int tar_fail(struct archive *a, const char *what, struct holt_err *err)
{
	return holt_err_set(err, archive_errno(a) > 0 ? archive_errno(a) : 0, "%s: %s", what,
			    archive_error_string(a));
}

int build_archive_file_data(struct archive *a, const char *path, struct holt_err *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char buf[1 << 16];
	ssize_t n;
	if (fd < 0)
		return holt_err_set(err, errno, "open \"%s\"", path);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (archive_write_data(a, buf, (size_t)n) < 0)
			return tar_fail(a, path, err);
	return n < 0 ? holt_err_set(err, errno, "read \"%s\"", path) : 0;
}

/* An archive ADD unpacks: its entries under dest. */
static int write_archive(struct archive *a, const struct copy *c, const struct entry *x,
			 struct holt_err *err)
{
	cleanup_archive_read struct archive *r = archive_read_new();
	struct archive_entry *e;
	char buf[1 << 16];
	la_ssize_t n;
	int ret;

	archive_read_support_filter_all(r);
	archive_read_support_format_tar(r);
	if (archive_read_open_filename(r, x->host, sizeof buf) != ARCHIVE_OK)
		return tar_fail(r, x->host, err);
	while ((ret = archive_read_next_header(r, &e)) == ARCHIVE_OK) {
		cleanup_free char *rel = clean_rel(archive_entry_pathname(e));
		if (!*rel)
			continue;
		cleanup_free char *to = *x->dest ? xasprintf("%s/%s", x->dest, rel) : xstrdup(rel);
		archive_entry_set_pathname(e, to);
		const char *hl = archive_entry_hardlink(e);
		if (hl) {
			cleanup_free char *hrel = clean_rel(hl);
			cleanup_free char *hto =
			    *x->dest ? xasprintf("%s/%s", x->dest, hrel) : xstrdup(hrel);
			archive_entry_set_hardlink(e, hto);
		}
		if (c->chown) {
			archive_entry_set_uid(e, c->uid);
			archive_entry_set_gid(e, c->gid);
			archive_entry_set_uname(e, NULL);
			archive_entry_set_gname(e, NULL);
		}
		if (archive_write_header(a, e) != ARCHIVE_OK)
			return tar_fail(a, x->host, err);
		while ((n = archive_read_data(r, buf, sizeof buf)) > 0)
			if (archive_write_data(a, buf, (size_t)n) < 0)
				return tar_fail(a, x->host, err);
		if (n < 0)
			return tar_fail(r, x->host, err);
	}
	return ret == ARCHIVE_EOF ? 0 : tar_fail(r, x->host, err);
}

static int write_entry(struct archive *a, const struct copy *c, const struct entry *x,
		       struct holt_err *err)
{
	if (x->kind == ENTRY_ARCHIVE)
		return write_archive(a, c, x, err);
	cleanup_archive_entry struct archive_entry *e = archive_entry_new();
	struct stat st = x->st;
	char target[4096];

	if (x->kind == ENTRY_DIR_MADE && !x->host) {
		memset(&st, 0, sizeof st);
		st.st_mode = S_IFDIR | 0755;
		st.st_mtime = c->now;
	} else if (x->kind == ENTRY_DATA) {
		memset(&st, 0, sizeof st);
		st.st_mode = S_IFREG | 0644;
		st.st_size = (off_t)strlen(x->data);
		st.st_mtime = c->now;
	}
	if (x->kind != ENTRY_DIR_MADE || !x->host)
		st.st_uid = st.st_gid = 0; /* docker: copied files are root's unless --chown */
	if (x->owned && c->chown) {
		st.st_uid = c->uid;
		st.st_gid = c->gid;
	}
	if (x->owned && c->chmod >= 0)
		st.st_mode = (st.st_mode & S_IFMT) | (mode_t)c->chmod;
	if (!S_ISREG(st.st_mode))
		st.st_size = 0;
	archive_entry_copy_stat(e, &st);
	archive_entry_set_pathname(e, x->dest);
	if (S_ISLNK(st.st_mode) && x->host) {
		ssize_t n = readlink(x->host, target, sizeof target - 1);
		if (n < 0)
			return holt_err_set(err, errno, "read the link \"%s\"", x->host);
		target[n] = '\0';
		archive_entry_set_symlink(e, target);
	}
	if (archive_write_header(a, e) != ARCHIVE_OK)
		return tar_fail(a, x->dest, err);
	if (x->kind == ENTRY_DATA && archive_write_data(a, x->data, strlen(x->data)) < 0)
		return tar_fail(a, x->dest, err);
	if (x->kind == ENTRY_HOST && S_ISREG(st.st_mode))
		return build_archive_file_data(a, x->host, err);
	return 0;
}

/* The layer, as an uncompressed tar: pushing compresses it when a registry wants that. */
static int write_layer(void *ctx, int fd, struct holt_err *err)
{
	const struct copy *c = ctx;
	cleanup_archive_write struct archive *a = archive_write_new();

	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_none(a);
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open_fd(a, fd) != ARCHIVE_OK)
		return tar_fail(a, "the layer", err);
	for (size_t i = 0; i < c->n; i++)
		if (write_entry(a, c, &c->v[i], err) < 0)
			return -1;
	if (archive_write_close(a) != ARCHIVE_OK)
		return tar_fail(a, "the layer", err);
	return 0;
}

/* rel with the image's symlinks on its way followed, inside the image (usrmerge's
 * /bin -> usr/bin): a layer that made "bin" a dir would hide the image's link. The last
 * component is followed only when it leads to a dir. depth bounds link loops. */
static char *resolve_links(const struct build_tree *image, const char *rel, int depth)
{
	char *todo = xstrdup(rel), *done = xstrdup("");

	while (*todo) {
		size_t n = strcspn(todo, "/");
		const char *rest = todo[n] ? todo + n + 1 : "";
		char *next = *done ? xasprintf("%s/%.*s", done, (int)n, todo) : xstrndup(todo, n);
		struct stat st;
		cleanup_free char *host = build_tree_find(image, next, &st);
		char link[4096];
		ssize_t len = host && S_ISLNK(st.st_mode) && depth < 40
				  ? readlink(host, link, sizeof link - 1)
				  : -1;
		char *then = NULL;
		if (len > 0) {
			link[len] = '\0';
			cleanup_free char *joined = link[0] == '/'
							? xasprintf("%s/%s", link, rest)
							: xasprintf("%s/%s/%s", done, link, rest);
			cleanup_free char *clean = clean_rel(joined);
			then = resolve_links(image, clean, depth + 1);
			struct stat ts;
			cleanup_free char *th = *rest ? NULL : build_tree_find(image, then, &ts);
			if (!*rest && !(th && S_ISDIR(ts.st_mode))) {
				free(then);
				then = NULL;
			}
		}
		if (then) {
			free(next);
			free(todo);
			free(done);
			return then;
		}
		free(done);
		done = next;
		char *r = xstrdup(rest);
		free(todo);
		todo = r;
	}
	free(todo);
	return done;
}

/* dest as docker takes it: relative to WORKDIR; a dir when it ends in '/'. */
static char *dest_path(struct build_stage *st, const char *dest, bool *dir)
{
	cleanup_free char *wd = json_get_string(st->config, "WorkingDir");
	size_t len = strlen(dest);
	*dir = len && (dest[len - 1] == '/' || !strcmp(dest, ".") ||
		       (len >= 2 && !strcmp(dest + len - 2, "/.")));
	cleanup_free char *abs =
	    dest[0] == '/' ? xstrdup(dest) : xasprintf("%s/%s", wd && *wd ? wd : "", dest);
	return clean_rel(abs);
}

static int copy_plan(struct copy *c, struct holt_err *err)
{
	struct build_stage *st = c->st;
	cleanup_strv char **vars = build_stage_vars(st);
	cleanup_strv char **words = NULL;

	if (parse_flags(c, vars, err) < 0)
		return -1;
	if (c->in->json) {
		for (char **w = c->in->json; *w; w++) {
			cleanup_free char *v = dockerfile_expand(*w, vars, st->b->df->escape, err);
			if (!v)
				return -1;
			strv_push(&words, v);
		}
	} else if (!(words = dockerfile_words(c->in->args, vars, st->b->df->escape, err))) {
		return -1;
	}
	size_t n = strv_len(words);
	if (!words || n < 2)
		return holt_err_set(err, 0, "needs a source and a destination");
	bool dir;
	cleanup_free char *given = dest_path(st, words[n - 1], &dir);
	cleanup_free char *dest = resolve_links(&c->image, given, 0);
	struct stat sb;
	cleanup_free char *there = build_tree_find(&c->image, dest, &sb);
	bool many = n > 2 || has_glob(words[0]);
	if (many && !dir && !(there && S_ISDIR(sb.st_mode)))
		return holt_err_set(err, 0,
				    "\"%s\": with several sources, the destination must "
				    "be a directory and end with '/'",
				    words[n - 1]);
	dir = dir || (there && S_ISDIR(sb.st_mode));
	for (size_t i = 0; i + 1 < n; i++)
		if (add_source(c, words[i], dest, dir, err) < 0)
			return -1;
	return 0;
}

int build_copy(struct build_stage *st, const struct dockerfile_instruction *in, bool add,
	       struct holt_err *err)
{
	struct copy c = {.st = st, .in = in, .add = add, .chmod = -1, .now = time(NULL)};
	cleanup_free char *what = NULL;
	char key[DIGEST_STR_SIZE];
	int ret = -1;

	if (st->image)
		build_tree_image(&c.image, st->image);
	if (copy_plan(&c, err) == 0 && describe(&c, &what, err) == 0) {
		build_key(key, st->key, what);
		ret = build_stage_cached(st, key, err);
		if (ret == 0)
			ret = build_stage_commit(st, key, in->text, write_layer, &c, err);
	}
	copy_release(&c);
	return ret < 0 ? -1 : 0;
}

int build_workdir(struct build_stage *st, const char *dir, const char *created_by,
		  struct holt_err *err)
{
	struct copy c = {.st = st, .chmod = -1, .now = time(NULL)};
	cleanup_free char *given = clean_rel(dir), *rel = NULL;
	struct stat sb;
	int ret = 0;

	if (st->image)
		build_tree_image(&c.image, st->image);
	rel = resolve_links(&c.image, given, 0);
	cleanup_free char *there = *rel ? build_tree_find(&c.image, rel, &sb) : NULL;
	if (!*rel || there) {
		build_stage_note(st, created_by);
		cleanup_free char *what = xasprintf("WORKDIR %s", dir);
		build_key(st->key, st->key, what);
	} else {
		add_dirs(&c, rel, true);
		cleanup_free char *what = xasprintf("WORKDIR %s (made)", dir);
		char key[DIGEST_STR_SIZE];
		build_key(key, st->key, what);
		ret = build_stage_cached(st, key, err);
		if (ret == 0)
			ret = build_stage_commit(st, key, created_by, write_layer, &c, err);
	}
	copy_release(&c);
	return ret < 0 ? -1 : 0;
}
