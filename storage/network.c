/* A record is written whole (write_file_atomic) under the store lock, so that two
 * `network create` at once cannot take one name or one subnet. */
#include "storage/network.h"
#include "core/base/file.h"
#include "core/base/json_file.h"
#include "core/base/util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void network_free(struct network *n)
{
	if (!n)
		return;
	free(n->name);
	free(n->id);
	free(n->created);
	strv_free(n->labels);
	free(n);
}

bool network_name_builtin(const char *name)
{
	static const char *const builtin[] = {"slirp", "slirp4netns", "bridge", "default",
					      "none",  "host",	      "pasta",	NULL};
	for (size_t i = 0; builtin[i]; i++)
		if (strcmp(builtin[i], name) == 0)
			return true;
	return false;
}

/* docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]*; short enough for a file name. */
static bool name_valid(const char *name)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789";
	size_t len = strlen(name);
	return len >= 1 && len <= 128 && strchr(alnum, name[0]) &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_.-") == len;
}

static uint32_t mask(unsigned prefix)
{
	return prefix ? ~0U << (32 - prefix) : 0;
}

char *network_subnet_text(const struct network *n)
{
	char a[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &n->subnet, a, sizeof a);
	return xasprintf("%s/%u", a, n->prefix);
}

char *network_subnet6_text(const struct network *n)
{
	char a[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, &n->subnet6, a, sizeof a);
	return xasprintf("%s/%u", a, n->prefix6);
}

void network_addr6(const struct network *n, struct in_addr addr, struct in6_addr *out)
{
	uint32_t host = ntohl(addr.s_addr) - ntohl(n->subnet.s_addr), low;
	*out = n->subnet6;
	memcpy(&low, &out->s6_addr[12], 4);
	low = htonl(ntohl(low) | host);
	memcpy(&out->s6_addr[12], &low, 4);
}

bool network_host_addr(const struct network *n, struct in_addr addr)
{
	uint32_t a = ntohl(addr.s_addr), net = ntohl(n->subnet.s_addr), m = mask(n->prefix);
	return (a & m) == net && a != net && a != (net | ~m) && addr.s_addr != n->gateway.s_addr &&
	       addr.s_addr != n->dns.s_addr;
}

/* The resolver takes the last host address, the one least likely to be asked for. */
static void set_dns(struct network *n)
{
	n->dns.s_addr = htonl((ntohl(n->subnet.s_addr) | ~mask(n->prefix)) - 1);
}

static int parse_subnet(struct network *n, const char *text, struct holt_err *err)
{
	cleanup_free char *addr = xstrdup(text);
	char *slash = strchr(addr, '/');
	char *end = NULL;
	long prefix = slash ? strtol(slash + 1, &end, 10) : -1;
	if (slash)
		*slash = '\0';
	/* at least 4 host addresses: the gateway, the resolver, and two containers */
	if (!slash || *end || prefix < 8 || prefix > 29 ||
	    inet_pton(AF_INET, addr, &n->subnet) != 1)
		return holt_err_set(
		    err, 0, "--subnet \"%s\": not an IPv4 CIDR with a prefix of 8 to 29", text);
	n->prefix = (unsigned)prefix;
	n->subnet.s_addr &= htonl(mask(n->prefix));
	return 0;
}

/* Keeps the first prefix bits of a. */
static void mask6(struct in6_addr *a, unsigned prefix)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = prefix >= 8 * (i + 1) ? 8 : prefix > 8 * i ? prefix - 8 * i : 0;
		a->s6_addr[i] &= (uint8_t)(0xff00 >> keep);
	}
}

/* An IPv6 CIDR whose host part holds every host of the IPv4 subnet: run after
 * parse_subnet. */
static int parse_subnet6(struct network *n, const char *text, struct holt_err *err)
{
	cleanup_free char *addr = xstrdup(text);
	char *slash = strchr(addr, '/');
	char *end = NULL;
	long prefix = slash ? strtol(slash + 1, &end, 10) : -1;
	if (slash)
		*slash = '\0';
	if (!slash || *end || prefix < 8 || prefix > 124 ||
	    inet_pton(AF_INET6, addr, &n->subnet6) != 1)
		return holt_err_set(
		    err, 0, "--subnet \"%s\": not an IPv6 CIDR with a prefix of 8 to 124", text);
	if (128 - prefix < 32 - n->prefix)
		return holt_err_set(err, 0,
				    "--subnet \"%s\": holds fewer hosts than the IPv4 subnet "
				    "(a prefix of %u at most)",
				    text, 96 + n->prefix);
	n->prefix6 = (unsigned)prefix;
	mask6(&n->subnet6, n->prefix6);
	n->ipv6 = true;
	return 0;
}

static bool overlaps6(const struct network *a, const struct network *b)
{
	struct in6_addr x = a->subnet6, y = b->subnet6;
	unsigned p = a->prefix6 < b->prefix6 ? a->prefix6 : b->prefix6;
	if (!a->ipv6 || !b->ipv6)
		return false;
	mask6(&x, p);
	mask6(&y, p);
	return memcmp(&x, &y, sizeof x) == 0;
}

/* fd, 40 random bits (the network's id), subnet 0: RFC 4193's unique local /64. */
static void choose_subnet6(struct network *n)
{
	char hex[11];
	snprintf(hex, sizeof hex, "%.10s", n->id);
	n->subnet6 = (struct in6_addr){.s6_addr = {0xfd}};
	for (unsigned i = 0; i < 5; i++) {
		char byte[3] = {hex[2 * i], hex[2 * i + 1], 0};
		n->subnet6.s6_addr[1 + i] = (uint8_t)strtoul(byte, NULL, 16);
	}
	n->prefix6 = 64;
	n->ipv6 = true;
}

static json_object *record_json(const struct network *n)
{
	char gw[INET_ADDRSTRLEN];
	cleanup_free char *subnet = network_subnet_text(n);
	json_object *o = json_object_new_object();
	inet_ntop(AF_INET, &n->gateway, gw, sizeof gw);
	json_object_object_add(o, "Name", json_object_new_string(n->name));
	json_object_object_add(o, "Id", json_object_new_string(n->id));
	json_object_object_add(o, "Created", json_object_new_string(n->created));
	json_object_object_add(o, "Subnet", json_object_new_string(subnet));
	json_object_object_add(o, "Gateway", json_object_new_string(gw));
	json_object_object_add(o, "Internal", json_object_new_boolean(n->internal));
	json_object_object_add(o, "Labels", json_labels_object(n->labels));
	if (n->ipv6) {
		cleanup_free char *subnet6 = network_subnet6_text(n);
		json_object_object_add(o, "IPv6Subnet", json_object_new_string(subnet6));
	}
	return o;
}

static struct network *record_parse(json_object *o, struct holt_err *err)
{
	cleanup_network struct network *n = xzalloc(sizeof *n);
	cleanup_free char *subnet = json_get_string(o, "Subnet");
	cleanup_free char *gw = json_get_string(o, "Gateway");
	cleanup_free char *subnet6 = json_get_string(o, "IPv6Subnet");
	json_object *v = NULL;

	n->name = json_get_string(o, "Name");
	n->id = json_get_string(o, "Id");
	n->created = json_get_string(o, "Created");
	if (!n->name || !n->id || !subnet || !gw || parse_subnet(n, subnet, err) < 0 ||
	    inet_pton(AF_INET, gw, &n->gateway) != 1 ||
	    (subnet6 && parse_subnet6(n, subnet6, err) < 0))
		return holt_err_set(err, 0, "a network record is damaged"), NULL;
	if (!n->created)
		n->created = xstrdup("");
	set_dns(n);
	if (json_object_object_get_ex(o, "Internal", &v))
		n->internal = json_object_get_boolean(v);
	if (json_object_object_get_ex(o, "Labels", &v) &&
	    json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, key, val)
		{
			cleanup_free char *kv =
			    xasprintf("%s=%s", key, json_object_get_string(val));
			strv_push(&n->labels, kv);
		}
	}
	return steal_pointer(&n);
}

static struct network *load(const char *path, struct holt_err *err)
{
	cleanup_json json_object *o = json_file_load(path, err);
	return o ? record_parse(o, err) : NULL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct network *const *)a)->name, (*(struct network *const *)b)->name);
}

int network_list(struct store *s, struct network ***out, size_t *n, struct holt_err *err)
{
	cleanup_free char *dir = xasprintf("%s/networks", store_root(s));
	cleanup_dir DIR *d = opendir(dir);
	struct network **list = NULL;
	size_t count = 0;
	struct dirent *de;

	*out = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : holt_err_set(err, errno, "read \"%s\"", dir);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		cleanup_free char *path = xasprintf("%s/%s", dir, de->d_name);
		struct holt_err lerr = {0};
		struct network *net = load(path, &lerr);
		holt_err_release(&lerr); /* a damaged record is left out, not fatal */
		if (!net)
			continue;
		list = xrealloc(list, (count + 1) * sizeof *list);
		list[count++] = net;
	}
	if (count)
		qsort(list, count, sizeof *list, by_name);
	*out = list;
	*n = count;
	return 0;
}

void network_list_free(struct network **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		network_free(list[i]);
	free(list);
}

struct network *network_lookup(struct store *s, const char *name, struct holt_err *err)
{
	struct network **list = NULL;
	size_t n = 0;
	struct network *found = NULL;
	size_t len = strlen(name);

	if (network_list(s, &list, &n, err) < 0)
		return NULL;
	for (size_t i = 0; i < n && !found; i++)
		if (strcmp(list[i]->name, name) == 0)
			found = steal_pointer(&list[i]);
	for (size_t i = 0; i < n && !found && len >= 3; i++)
		if (list[i] && strncmp(list[i]->id, name, len) == 0)
			found = steal_pointer(&list[i]);
	network_list_free(list, n);
	if (!found) {
		holt_err_set(err, 0, "network \"%s\" not found", name);
		err->errnum = ENOENT;
	}
	return found;
}

static bool overlaps(const struct network *a, const struct network *b)
{
	unsigned p = a->prefix < b->prefix ? a->prefix : b->prefix;
	return (ntohl(a->subnet.s_addr) & mask(p)) == (ntohl(b->subnet.s_addr) & mask(p));
}

/* Without --subnet: the first 10.89.N.0/24 that no other network overlaps. */
static int choose_subnet(struct network *n, struct network **list, size_t count,
			 struct holt_err *err)
{
	n->prefix = 24;
	for (unsigned i = 0; i < 256; i++) {
		n->subnet.s_addr = htonl(0x0a590000U | (i << 8));
		bool used = false;
		for (size_t j = 0; j < count && !used; j++)
			used = overlaps(n, list[j]);
		if (!used)
			return 0;
	}
	return holt_err_set(err, 0, "no free subnet in 10.89.0.0/16: name one with --subnet");
}

static int fill(struct network *n, const struct network_spec *spec, struct network **list,
		size_t count, struct holt_err *err)
{
	if (spec->subnet ? parse_subnet(n, spec->subnet, err) < 0
			 : choose_subnet(n, list, count, err) < 0)
		return -1;
	for (size_t j = 0; j < count; j++)
		if (overlaps(n, list[j]))
			return holt_err_set(err, 0, "subnet \"%s\" overlaps network \"%s\"",
					    spec->subnet, list[j]->name);
	if (spec->subnet6 && !spec->ipv6)
		return holt_err_set(err, 0, "--subnet \"%s\": an IPv6 subnet needs --ipv6",
				    spec->subnet6);
	if (spec->ipv6 && spec->subnet6 && parse_subnet6(n, spec->subnet6, err) < 0)
		return -1;
	if (spec->ipv6 && !spec->subnet6)
		choose_subnet6(n);
	for (size_t j = 0; j < count; j++)
		if (overlaps6(n, list[j])) {
			cleanup_free char *text = network_subnet6_text(n);
			return holt_err_set(err, 0, "subnet \"%s\" overlaps network \"%s\"", text,
					    list[j]->name);
		}
	set_dns(n);
	n->gateway.s_addr = 0; /* not yet taken: any host address but the resolver's may be it */
	if (spec->gateway) {
		struct in_addr gw;
		if (inet_pton(AF_INET, spec->gateway, &gw) != 1 || !network_host_addr(n, gw))
			return holt_err_set(err, 0,
					    "--gateway \"%s\": not a host address of the subnet "
					    "(nor its last one, the resolver's)",
					    spec->gateway);
		n->gateway = gw;
	} else
		n->gateway.s_addr = htonl(ntohl(n->subnet.s_addr) + 1);
	return 0;
}

struct network *network_create(struct store *s, const struct network_spec *spec,
			       struct holt_err *err)
{
	if (!name_valid(spec->name) || network_name_builtin(spec->name))
		return holt_err_set(err, 0,
				    "network name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
				    "allowed, and not the names --network means itself",
				    spec->name),
		       NULL;
	cleanup_network struct network *n = xzalloc(sizeof *n);
	n->name = xstrdup(spec->name);
	n->id = random_hex64();
	n->created = util_now_rfc3339();
	n->internal = spec->internal;
	n->labels = spec->labels ? strv_dup(spec->labels) : NULL;

	cleanup_free char *dir = xasprintf("%s/networks", store_root(s));
	cleanup_free char *path = xasprintf("%s/%s.json", dir, n->name);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return holt_err_set(err, errno, "create \"%s\"", dir), NULL;
	if (store_lock(s, err) < 0)
		return NULL;
	struct network **list = NULL;
	size_t count = 0;
	int ret = network_list(s, &list, &count, err);
	for (size_t i = 0; ret == 0 && i < count; i++)
		if (strcmp(list[i]->name, n->name) == 0)
			ret = holt_err_set(err, EEXIST, "network \"%s\" already exists", n->name);
	if (ret == 0)
		ret = fill(n, spec, list, count, err);
	network_list_free(list, count);
	if (ret == 0) {
		cleanup_json json_object *o = record_json(n);
		const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
		ret = write_file_atomic(path, NULL, text, strlen(text), true, err);
	}
	store_unlock(s);
	return ret < 0 ? NULL : steal_pointer(&n);
}

int network_remove(struct store *s, const struct network *n, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("%s/networks/%s.json", store_root(s), n->name);
	if (unlink(path) < 0 && errno != ENOENT)
		return holt_err_set(err, errno, "remove network \"%s\"", n->name);
	return 0;
}
