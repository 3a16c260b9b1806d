#include "core/container_net.h"
#include "core/base/util.h"
#include "net/dns_reply.h"
#include "net/tap.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* NULL stays NULL: an empty list would replace the host's resolv.conf entries. */
static char **dup_or_null(char *const *v)
{
	return v && *v ? strv_dup(v) : NULL;
}

void container_net_copy(struct container_net *dst, const struct container_net *src)
{
	dst->container = src->container ? xstrdup(src->container) : NULL;
	dst->networks = src->networks ? strv_dup(src->networks) : NULL;
	dst->aliases = src->aliases ? strv_dup(src->aliases) : NULL;
	dst->connect_aliases = src->connect_aliases ? strv_dup(src->connect_aliases) : NULL;
	dst->ip = src->ip ? xstrdup(src->ip) : NULL;
	dst->n_ports = src->n_ports;
	dst->ports = NULL;
	if (src->n_ports) {
		dst->ports = xmalloc(src->n_ports * sizeof *src->ports);
		memcpy(dst->ports, src->ports, src->n_ports * sizeof *src->ports);
	}
	dst->publish_all = src->publish_all;
	dst->no_bypass = src->no_bypass;
	dst->dns = dup_or_null(src->dns);
	dst->dns_search = dup_or_null(src->dns_search);
	dst->dns_options = dup_or_null(src->dns_options);
	dst->add_hosts = dup_or_null(src->add_hosts);
}

void container_net_release(struct container_net *n)
{
	free(n->container);
	strv_free(n->networks);
	strv_free(n->aliases);
	strv_free(n->connect_aliases);
	free(n->ip);
	free(n->ports);
	strv_free(n->dns);
	strv_free(n->dns_search);
	strv_free(n->dns_options);
	strv_free(n->add_hosts);
	memset(n, 0, sizeof *n);
}

/* podman's spelling, slirp4netns:OPT=V,...; the one option: bypass=true|false (the
 * default true: the net helper makes the container's outbound TCP connections). */
static int parse_slirp_options(const char *arg, struct container_net *n, struct holt_err *err)
{
	cleanup_free char *copy = xstrdup(strchr(arg, ':') + 1);
	char *save = NULL;
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (!strcmp(o, "bypass=false"))
			n->no_bypass = true;
		else if (!strcmp(o, "bypass=true"))
			n->no_bypass = false;
		else
			return holt_err_set(err, 0,
					    "--network %s: unknown option \"%s\" (slirp takes "
					    "bypass=true|false)",
					    arg, o);
	}
	return 0;
}

int container_net_parse_mode(const char *arg, enum container_network *mode, struct container_net *n,
			     struct holt_err *err)
{
	free(n->container);
	n->container = NULL;
	if (*mode != NETWORK_USER) {
		strv_free(n->networks);
		n->networks = NULL;
	}
	n->no_bypass = false;
	/* bridge and slirp4netns: what docker and podman users type for the default */
	if (!strcmp(arg, "slirp") || !strcmp(arg, "slirp4netns") || !strcmp(arg, "bridge") ||
	    !strcmp(arg, "default"))
		*mode = NETWORK_SLIRP;
	else if (!strncmp(arg, "slirp:", 6) || !strncmp(arg, "slirp4netns:", 12)) {
		if (parse_slirp_options(arg, n, err) < 0)
			return -1;
		*mode = NETWORK_SLIRP;
	} else if (!strcmp(arg, "none"))
		*mode = NETWORK_NONE;
	else if (!strcmp(arg, "host"))
		*mode = NETWORK_HOST;
	else if (!strncmp(arg, "container:", 10) && arg[10]) {
		*mode = NETWORK_CONTAINER;
		n->container = xstrdup(arg + 10);
	} else if (*arg && !strchr(arg, ':') && !strchr(arg, '/')) {
		/* a user network: whether it exists is the creation's to check */
		*mode = NETWORK_USER;
		if (!strv_contains(n->networks, arg))
			strv_push(&n->networks, arg);
	} else
		return holt_err_set(err, 0,
				    "--network \"%s\": holt supports slirp (the default), none, "
				    "host, container:NAME and user networks (network create)",
				    arg);
	if (*mode != NETWORK_USER) {
		strv_free(n->networks);
		n->networks = NULL;
	}
	return 0;
}

int container_net_add_host(struct container_net *n, const char *arg, struct holt_err *err)
{
	/* docker takes NAME:IP; the IP may hold colons (IPv6), the name cannot */
	const char *colon = strchr(arg, ':');
	struct in6_addr a6;
	struct in_addr a4;
	const char *ip = colon ? colon + 1 : "";

	if (!colon || colon == arg || strchr(arg, ' ') || strchr(arg, '\t') ||
	    (strcmp(ip, "host-gateway") && inet_pton(AF_INET, ip, &a4) != 1 &&
	     inet_pton(AF_INET6, ip, &a6) != 1))
		return holt_err_set(err, 0,
				    "--add-host \"%s\": not NAME:IP (IP may be host-gateway)", arg);
	strv_push(&n->add_hosts, arg);
	return 0;
}

/* The alias of a "NETWORK:ALIAS" entry when it is on network name, else NULL. */
static const char *alias_on(const char *entry, const char *name)
{
	size_t len = strlen(name);
	return !strncmp(entry, name, len) && entry[len] == ':' ? entry + len + 1 : NULL;
}

char **container_net_aliases_on(const struct container_net *n, const char *name)
{
	char **v = NULL;
	if (n->networks && !strcmp(n->networks[0], name))
		for (char **a = n->aliases; a && *a; a++)
			strv_push(&v, *a);
	for (char **e = n->connect_aliases; e && *e; e++) {
		const char *a = alias_on(*e, name);
		if (a && !strv_contains(v, a))
			strv_push(&v, a);
	}
	return v;
}

void container_net_add_aliases(struct container_net *n, const char *name, char *const *aliases)
{
	for (char *const *a = aliases; a && *a; a++) {
		cleanup_free char *e = xasprintf("%s:%s", name, *a);
		if (!strv_contains(n->connect_aliases, e))
			strv_push(&n->connect_aliases, e);
	}
}

void container_net_drop_aliases(struct container_net *n, const char *name)
{
	char **kept = NULL;
	if (n->networks && !strcmp(n->networks[0], name)) {
		strv_free(n->aliases); /* they were the first network's */
		n->aliases = NULL;
	}
	for (char **e = n->connect_aliases; e && *e; e++)
		if (!alias_on(*e, name))
			strv_push(&kept, *e);
	strv_free(n->connect_aliases);
	n->connect_aliases = kept;
}

char *container_net_mode_name(enum container_network mode, const struct container_net *n)
{
	switch (mode) {
	case NETWORK_NONE:
		return xstrdup("none");
	case NETWORK_HOST:
		return xstrdup("host");
	case NETWORK_CONTAINER:
		return xasprintf("container:%s", n->container);
	case NETWORK_USER:
		return xstrdup(n->networks && *n->networks ? *n->networks : "slirp");
	default:
		return xstrdup(n->no_bypass ? "slirp:bypass=false" : "slirp");
	}
}

/* {"NETWORK": ["ALIAS", ...]} */
static json_object *connect_aliases_json(const struct container_net *n)
{
	json_object *o = json_object_new_object();
	for (char **e = n->connect_aliases; e && *e; e++) {
		const char *colon = strchr(*e, ':');
		cleanup_free char *name = xstrndup(*e, (size_t)(colon - *e));
		json_object *list = NULL;
		if (!json_object_object_get_ex(o, name, &list)) {
			list = json_object_new_array();
			json_object_object_add(o, name, list);
		}
		json_object_array_add(list, json_object_new_string(colon + 1));
	}
	return o;
}

static void connect_aliases_from_json(json_object *o, struct container_net *n)
{
	if (!json_object_is_type(o, json_type_object))
		return;
	json_object_object_foreach(o, name, list)
	{
		cleanup_strv char **aliases = NULL;
		for (size_t i = 0; json_object_is_type(list, json_type_array) &&
				   i < json_object_array_length(list);
		     i++) {
			const char *a = json_object_get_string(json_object_array_get_idx(list, i));
			if (a && *a && !strchr(a, ':') && !strchr(name, ':'))
				strv_push(&aliases, a);
		}
		container_net_add_aliases(n, name, aliases);
	}
}

void container_net_to_json(enum container_network mode, const struct container_net *n,
			   json_object *host)
{
	cleanup_free char *name = container_net_mode_name(mode, n);
	json_object_object_add(host, "NetworkMode", json_object_new_string(name));
	json_object_object_add(host, "PortBindings", ports_to_json(n->ports, n->n_ports));
	json_object_object_add(host, "PublishAllPorts", json_object_new_boolean(n->publish_all));
	json_add_strv(host, "Dns", n->dns ? n->dns : (char *[]){NULL});
	json_add_strv(host, "DnsSearch", n->dns_search ? n->dns_search : (char *[]){NULL});
	json_add_strv(host, "DnsOptions", n->dns_options ? n->dns_options : (char *[]){NULL});
	json_add_strv(host, "ExtraHosts", n->add_hosts ? n->add_hosts : (char *[]){NULL});
	if (mode == NETWORK_USER) {
		/* holt's own keys: docker keeps these in NetworkingConfig, outside HostConfig */
		json_add_strv(host, "HoltNetworks", n->networks);
		json_add_strv(host, "HoltNetworkAliases", n->aliases);
		json_object_object_add(host, "HoltConnectAliases", connect_aliases_json(n));
		json_add_string(host, "HoltIP", n->ip);
	}
}

static char **json_get_list(json_object *obj, const char *key)
{
	cleanup_strv char **v = json_get_strv(obj, key);
	return dup_or_null(v);
}

void container_net_from_json(json_object *host, enum container_network *mode,
			     struct container_net *n)
{
	cleanup_free char *name = json_get_string(host, "NetworkMode");
	json_object *v = NULL;
	struct holt_err err = {0};

	/* a record from before slirp, with no mode, had none */
	*mode = NETWORK_NONE;
	if (name && container_net_parse_mode(name, mode, n, &err) < 0)
		holt_err_release(&err);
	if (json_object_object_get_ex(host, "PortBindings", &v))
		ports_from_json(v, &n->ports, &n->n_ports);
	if (json_object_object_get_ex(host, "PublishAllPorts", &v))
		n->publish_all = json_object_get_boolean(v);
	n->dns = json_get_list(host, "Dns");
	n->dns_search = json_get_list(host, "DnsSearch");
	n->dns_options = json_get_list(host, "DnsOptions");
	n->add_hosts = json_get_list(host, "ExtraHosts");
	if (*mode == NETWORK_USER) {
		strv_free(n->networks);
		n->networks = json_get_list(host, "HoltNetworks");
		n->aliases = json_get_list(host, "HoltNetworkAliases");
		if (json_object_object_get_ex(host, "HoltConnectAliases", &v))
			connect_aliases_from_json(v, n);
		n->ip = json_get_string(host, "HoltIP");
	}
}

static const char *host_gateway(enum container_network mode)
{
	return mode == NETWORK_HOST || mode == NETWORK_NONE ? "127.0.0.1" : SLIRP_GATEWAY;
}

static char *hosts_text(bool outside, const struct container_net *n, const char *hostname,
			const char *name, const char *self, const char *self6, const char *gateway)
{
	char *text = xasprintf("127.0.0.1\tlocalhost\n"
			       "::1\tlocalhost ip6-localhost ip6-loopback\n"
			       "%s\t%s %s\n",
			       self, hostname, name);
	if (self6) {
		char *more = xasprintf("%s%s\t%s %s\n", text, self6, hostname, name);
		free(text);
		text = more;
	}
	if (outside) {
		char *more = xasprintf("%s%s\thost.containers.internal host.docker.internal\n",
				       text, gateway);
		free(text);
		text = more;
	}
	for (char **h = n->add_hosts; h && *h; h++) {
		const char *ip = strchr(*h, ':') + 1;
		cleanup_free char *host = xstrndup(*h, (size_t)(ip - 1 - *h));
		if (!strcmp(ip, "host-gateway"))
			ip = gateway;
		char *more = xasprintf("%s%s\t%s\n", text, ip, host);
		free(text);
		text = more;
	}
	return text;
}

char *container_net_hosts(enum container_network mode, const struct container_net *n,
			  const char *hostname, const char *name)
{
	bool slirp = mode == NETWORK_SLIRP || mode == NETWORK_CONTAINER || mode == NETWORK_USER;
	return hosts_text(mode != NETWORK_NONE, n, hostname, name,
			  slirp ? SLIRP_ADDRESS : "127.0.1.1", NULL, host_gateway(mode));
}

char *container_net_hosts_user(const struct container_net *n, const char *hostname,
			       const char *name, const char *addr, const char *addr6,
			       const char *gateway)
{
	return hosts_text(true, n, hostname, name, addr, addr6, gateway);
}

static void append(char **text, const char *more)
{
	cleanup_free char *old = *text;
	*text = xasprintf("%s%s", old, more);
}

static void append_list(char **text, const char *key, char *const *words)
{
	append(text, key);
	for (char *const *w = words; *w; w++) {
		append(text, " ");
		append(text, *w);
	}
	append(text, "\n");
}

/* The nameservers, search domains and options of a resolv.conf text. */
static void parse_resolv(const char *text, char ***servers, char ***search, char ***options)
{
	cleanup_free char *copy = xstrdup(text);
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *wsave = NULL;
		char *key = strtok_r(line, " \t", &wsave);
		char ***into = !key						  ? NULL
			       : !strcmp(key, "nameserver")			  ? servers
			       : !strcmp(key, "search") || !strcmp(key, "domain") ? search
			       : !strcmp(key, "options")			  ? options
										  : NULL;
		if (!into)
			continue;
		if (into == search) {
			strv_free(*search); /* the last search or domain line wins */
			*search = NULL;
		}
		for (char *w = strtok_r(NULL, " \t", &wsave); w; w = strtok_r(NULL, " \t", &wsave))
			strv_push(into, w);
	}
}

static char *resolv_text(enum container_network mode, const struct container_net *n,
			 const char *host_text, const char *slirp_dns, const char *domain)
{
	cleanup_strv char **servers = NULL, **search = NULL, **options = NULL;
	cleanup_strv char **use = NULL;
	bool slirp = mode != NETWORK_NONE && mode != NETWORK_HOST;
	char *text = xstrdup("");

	parse_resolv(host_text, &servers, &search, &options);
	if (domain) {
		/* the network's own names first, wherever the host's search list leads */
		cleanup_strv char **first = NULL;
		strv_push(&first, domain);
		for (char **d = n->dns_search ? n->dns_search : search; d && *d; d++)
			strv_push(&first, *d);
		strv_free(search);
		search = steal_pointer(&first);
		/* alone: it passes every other name to the host's resolvers, and a second
		 * server asked at once (musl asks all) could answer NXDOMAIN for a container */
		strv_push(&use, slirp_dns);
	}
	for (char **s = servers; !domain && s && *s; s++) {
		struct in_addr a;
		bool loopback =
		    (inet_pton(AF_INET, *s, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127) ||
		    !strcmp(*s, "::1");
		/* slirp reaches the host's loopback resolvers through 10.0.2.3 */
		const char *server = slirp && loopback ? slirp_dns : *s;
		if ((mode != NETWORK_NONE || !loopback) && !strv_contains(use, server))
			strv_push(&use, server);
	}
	if (slirp && !use)
		strv_push(&use, slirp_dns);
	if (n->dns_search || search)
		append_list(&text, "search", n->dns_search && !domain ? n->dns_search : search);
	if (domain && n->dns) {
		/* --dns adds to the network's resolver, which alone knows the containers */
		cleanup_free char *line = xasprintf("nameserver %s\n", slirp_dns);
		append(&text, line);
	}
	for (char *const *s = n->dns ? n->dns : use; s && *s; s++) {
		cleanup_free char *line = xasprintf("nameserver %s\n", *s);
		append(&text, line);
	}
	if (n->dns_options || options)
		append_list(&text, "options", n->dns_options ? n->dns_options : options);
	return text;
}

char *container_net_resolv(enum container_network mode, const struct container_net *n,
			   const char *host_text)
{
	return resolv_text(mode, n, host_text, SLIRP_DNS, NULL);
}

char *container_net_resolv_user(const struct container_net *n, const char *host_text,
				const char *dns)
{
	return resolv_text(NETWORK_USER, n, host_text, dns, DNS_DOMAIN);
}

const char *container_net_host_resolv_path(void)
{
	const char *path = getenv("HOLT_RESOLV_CONF");
	return path && *path ? path : "/etc/resolv.conf";
}

char *container_net_host_resolv_text(void)
{
	cleanup_file FILE *f = fopen(container_net_host_resolv_path(), "re");
	char *text = NULL;
	size_t len = 0;
	if (!f || getdelim(&text, &len, '\0', f) < 0) {
		free(text);
		return xstrdup("");
	}
	return text;
}
