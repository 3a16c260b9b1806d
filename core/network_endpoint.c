/* Few containers share a network: every question reads the directory afresh, which keeps
 * the resolver free of caches that could go stale. */
#include "core/network_endpoint.h"
#include "core/base/file.h"
#include "core/base/util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

void endpoint_release(struct endpoint *e)
{
	free(e->ifname);
	free(e->ctr_id);
	strv_free(e->names);
	free(e->peer);
	memset(e, 0, sizeof *e);
}

char *endpoint_peer_name(const char *ctr_id)
{
	return xasprintf("v%.12s", ctr_id);
}

static int parse(const char *dir, const char *peer, struct endpoint *e)
{
	cleanup_free char *path = xasprintf("%s/endpoints/%s", dir, peer);
	cleanup_file FILE *f = fopen(path, "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;
	char *save = NULL;

	memset(e, 0, sizeof *e);
	if (!f || getline(&line, &cap, f) <= 0)
		return 0;
	line[strcspn(line, "\n")] = '\0';
	char *addr = strtok_r(line, " ", &save);
	char *ifname = strtok_r(NULL, " ", &save);
	char *id = strtok_r(NULL, " ", &save);
	if (!addr || !ifname || !id || inet_pton(AF_INET, addr, &e->addr) != 1)
		return 0;
	e->ifname = xstrdup(ifname);
	e->ctr_id = xstrdup(id);
	e->peer = xstrdup(peer);
	for (char *w = strtok_r(NULL, " ", &save); w; w = strtok_r(NULL, " ", &save))
		strv_push(&e->names, w);
	return 1;
}

/* Calls fn on each record until it returns true; returns whether one did. */
static bool each(const char *dir, bool (*fn)(struct endpoint *e, void *opaque), void *opaque)
{
	cleanup_free char *path = xasprintf("%s/endpoints", dir);
	cleanup_dir DIR *d = opendir(path);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		struct endpoint e;
		if (de->d_name[0] == '.' || !parse(dir, de->d_name, &e))
			continue;
		bool stop = fn(&e, opaque);
		endpoint_release(&e);
		if (stop)
			return true;
	}
	return false;
}

static bool addr_taken(struct endpoint *e, void *opaque)
{
	return e->addr.s_addr == ((struct in_addr *)opaque)->s_addr;
}

int endpoint_choose_addr(const char *dir, const struct network *n, const char *want,
			 struct in_addr *addr, struct holt_err *err)
{
	if (want) {
		if (inet_pton(AF_INET, want, addr) != 1 || !network_host_addr(n, *addr))
			return holt_err_set(
			    err, 0, "--ip \"%s\": not a free host address of network \"%s\"", want,
			    n->name);
		if (each(dir, addr_taken, addr))
			return holt_err_set(err, EADDRINUSE,
					    "--ip \"%s\": in use on network \"%s\"", want, n->name);
		return 0;
	}
	uint32_t first = ntohl(n->subnet.s_addr) + 1;
	uint32_t count = (1U << (32 - n->prefix)) - 2;
	for (uint32_t i = 0; i < count; i++) {
		addr->s_addr = htonl(first + i);
		if (network_host_addr(n, *addr) && !each(dir, addr_taken, addr))
			return 0;
	}
	return holt_err_set(err, 0, "network \"%s\": no free address left", n->name);
}

int endpoint_write(const char *dir, const struct endpoint *e, struct holt_err *err)
{
	char a[INET_ADDRSTRLEN];
	cleanup_free char *edir = xasprintf("%s/endpoints", dir);
	cleanup_free char *path = xasprintf("%s/%s", edir, e->peer);
	cleanup_free char *text = NULL;

	inet_ntop(AF_INET, &e->addr, a, sizeof a);
	text = xasprintf("%s %s %s", a, e->ifname, e->ctr_id);
	for (char **n = e->names; n && *n; n++) {
		char *more = xasprintf("%s %s", text, *n);
		free(text);
		text = more;
	}
	char *line = xasprintf("%s\n", text);
	free(text);
	text = line;
	if (mkdir_p(edir, 0700) < 0)
		return holt_err_set(err, errno, "create \"%s\"", edir);
	return write_file_atomic(path, NULL, text, strlen(text), false, err);
}

struct find {
	const char *id;
	struct endpoint *out;
};

static bool same_id(struct endpoint *e, void *opaque)
{
	struct find *f = opaque;
	if (strcmp(e->ctr_id, f->id) != 0)
		return false;
	*f->out = *e;
	memset(e, 0, sizeof *e); /* handed on */
	return true;
}

int endpoint_find(const char *dir, const char *ctr_id, struct endpoint *e)
{
	struct find f = {.id = ctr_id, .out = e};
	memset(e, 0, sizeof *e);
	return each(dir, same_id, &f) ? 1 : 0;
}

void endpoint_remove(const char *dir, const char *peer)
{
	cleanup_free char *path = xasprintf("%s/endpoints/%s", dir, peer);
	unlink(path);
}

void endpoint_prune(const char *dir, char *const *alive)
{
	cleanup_free char *path = xasprintf("%s/endpoints", dir);
	cleanup_dir DIR *d = opendir(path);
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' && !strv_contains(alive, de->d_name))
			endpoint_remove(dir, de->d_name);
}

struct lookup {
	const char *name;
	struct in_addr *addr;
};

static bool has_name(struct endpoint *e, void *opaque)
{
	struct lookup *l = opaque;
	for (char **n = e->names; n && *n; n++)
		if (strcasecmp(*n, l->name) == 0) {
			*l->addr = e->addr;
			return true;
		}
	return false;
}

bool endpoint_lookup(const char *dir, const char *name, struct in_addr *addr)
{
	struct lookup l = {.name = name, .addr = addr};
	return each(dir, has_name, &l);
}
