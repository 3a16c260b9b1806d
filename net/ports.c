#include "net/ports.h"
#include "core/base/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* PORT or PORT-PORT, ports 1-65535, the whole of s. */
static bool parse_range(const char *s, size_t len, long *lo, long *hi)
{
	cleanup_free char *copy = xstrndup(s, len);
	char *end;

	if (!isdigit((unsigned char)*copy))
		return false;
	*lo = strtol(copy, &end, 10);
	*hi = *lo;
	if (*end == '-') {
		if (!isdigit((unsigned char)end[1]))
			return false;
		*hi = strtol(end + 1, &end, 10);
	}
	return !*end && *lo >= 1 && *hi <= 65535 && *lo <= *hi;
}

static void push(struct port_map **maps, size_t *n, const struct port_map *m)
{
	*maps = xrealloc(*maps, (*n + 1) * sizeof **maps);
	(*maps)[(*n)++] = *m;
}

int ports_parse(const char *spec, struct port_map **maps, size_t *n, struct holt_err *err)
{
	cleanup_free char *s = xstrdup(spec);
	struct port_map m = {0};
	char *slash = strrchr(s, '/');
	long clo, chi, hlo = 0, hhi = 0;

	if (slash) {
		*slash = '\0';
		if (strcmp(slash + 1, "udp") == 0)
			m.udp = true;
		else if (strcmp(slash + 1, "tcp") != 0)
			return holt_err_set(err, 0, "--publish \"%s\": the protocol is tcp or udp",
					    spec);
	}
	/* An IPv6 address holds colons: in brackets, it comes first. */
	char *rest = s, *ip = NULL;
	if (*s == '[') {
		char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return holt_err_set(
			    err, 0, "--publish \"%s\": not [IPV6]:HOST:CONTAINER_PORT", spec);
		*close = '\0';
		ip = s + 1;
		rest = close + 2;
	}
	/* From the right: CTR, then HOST (may be empty), then IP. */
	char *ctr = strrchr(rest, ':');
	char *host = NULL;
	if (ctr && ip) {
		*ctr++ = '\0';
		host = rest;
	} else if (ctr) {
		*ctr++ = '\0';
		host = strrchr(rest, ':');
		if (host) {
			*host++ = '\0';
			ip = rest;
		} else {
			host = rest;
		}
	} else if (ip) {
		return holt_err_set(err, 0, "--publish \"%s\": not [IPV6]:HOST:CONTAINER_PORT",
				    spec);
	} else {
		ctr = rest;
	}
	if (!parse_range(ctr, strlen(ctr), &clo, &chi))
		return holt_err_set(err, 0,
				    "--publish \"%s\": not [[IP:][HOST]:]CONTAINER_PORT[/PROTO] "
				    "with ports 1-65535",
				    spec);
	if (host && *host && !parse_range(host, strlen(host), &hlo, &hhi))
		return holt_err_set(err, 0,
				    "--publish \"%s\": host port \"%s\" is not a port or "
				    "range of ports 1-65535",
				    spec, host);
	if (ip) {
		struct in_addr a;
		struct in6_addr a6;
		bool v6 = ip != s && inet_pton(AF_INET6, ip, &a6) == 1;
		if (ip != s && !v6)
			return holt_err_set(
			    err, 0, "--publish \"%s\": \"%s\" is not an IPv6 address", spec, ip);
		if (ip == s && *ip && inet_pton(AF_INET, ip, &a) != 1)
			return holt_err_set(
			    err, 0, "--publish \"%s\": \"%s\" is not an IPv4 address", spec, ip);
		/* the canonical spelling, so that inspect shows what docker would */
		if (v6)
			inet_ntop(AF_INET6, &a6, m.host_ip, sizeof m.host_ip);
		else if (strcmp(ip, "0.0.0.0") != 0)
			snprintf(m.host_ip, sizeof m.host_ip, "%s", ip);
	}
	if (hlo && hhi - hlo != chi - clo)
		return holt_err_set(
		    err, 0,
		    "--publish \"%s\": the host and container port ranges differ in "
		    "length",
		    spec);
	for (long p = clo; p <= chi; p++) {
		m.ctr_port = (uint16_t)p;
		m.host_port = hlo ? (uint16_t)(hlo + (p - clo)) : 0;
		push(maps, n, &m);
	}
	return 0;
}

void ports_add_exposed(char *const *exposed, struct port_map **maps, size_t *n)
{
	for (char *const *e = exposed; e && *e; e++) {
		struct port_map m = {0};
		char *end;
		long p = strtol(*e, &end, 10);
		if (p < 1 || p > 65535 || (*end && *end != '/'))
			continue;
		m.ctr_port = (uint16_t)p;
		m.udp = strcmp(end, "/udp") == 0;
		if (*end && !m.udp && strcmp(end, "/tcp") != 0)
			continue; /* sctp: slirp has none */
		bool have = false;
		for (size_t i = 0; i < *n; i++)
			have |= (*maps)[i].ctr_port == m.ctr_port && (*maps)[i].udp == m.udp;
		if (!have)
			push(maps, n, &m);
	}
}

bool ports_ipv6(const struct port_map *m)
{
	return strchr(m->host_ip, ':') != NULL;
}

/* A socket bound to a free port of m's address: for every address, [::] taking IPv4
 * too where the host has IPv6, else 0.0.0.0. */
static int bind_free(const struct port_map *m)
{
	int type = (m->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC;
	if (!*m->host_ip || ports_ipv6(m)) {
		struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6};
		int v6only = 0;
		inet_pton(AF_INET6, *m->host_ip ? m->host_ip : "::", &sa6.sin6_addr);
		int fd = socket(AF_INET6, type, 0);
		if (fd >= 0 &&
		    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only) == 0 &&
		    bind(fd, (struct sockaddr *)&sa6, sizeof sa6) == 0)
			return fd;
		if (fd >= 0)
			close(fd);
		if (*m->host_ip)
			return -1;
	}
	struct sockaddr_in sa = {.sin_family = AF_INET};
	inet_pton(AF_INET, *m->host_ip ? m->host_ip : "0.0.0.0", &sa.sin_addr);
	int fd = socket(AF_INET, type, 0);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int ports_choose_free(struct port_map *maps, size_t n, struct holt_err *err)
{
	for (size_t i = 0; i < n; i++) {
		struct port_map *m = &maps[i];
		if (m->host_port)
			continue;
		union {
			struct sockaddr any;
			struct sockaddr_in in;
			struct sockaddr_in6 in6;
		} sa = {0};
		socklen_t len = sizeof sa;
		cleanup_close int fd = bind_free(m);
		if (fd < 0 || getsockname(fd, &sa.any, &len) < 0)
			return holt_err_set(err, errno, "find a free host port for %u/%s",
					    m->ctr_port, m->udp ? "udp" : "tcp");
		m->host_port =
		    ntohs(sa.any.sa_family == AF_INET6 ? sa.in6.sin6_port : sa.in.sin_port);
	}
	return 0;
}

void ports_bound(const struct port_map *maps, size_t n, bool ipv6, struct port_map **out,
		 size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	for (size_t i = 0; i < n; i++) {
		struct port_map m = maps[i];
		if (*m.host_ip) {
			push(out, n_out, &m);
			continue;
		}
		snprintf(m.host_ip, sizeof m.host_ip, "0.0.0.0");
		push(out, n_out, &m);
		if (ipv6) {
			snprintf(m.host_ip, sizeof m.host_ip, "::");
			push(out, n_out, &m);
		}
	}
}

json_object *ports_to_json(const struct port_map *maps, size_t n)
{
	json_object *obj = json_object_new_object();
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *key =
		    xasprintf("%u/%s", maps[i].ctr_port, maps[i].udp ? "udp" : "tcp");
		json_object *list = NULL;
		if (!json_object_object_get_ex(obj, key, &list)) {
			list = json_object_new_array();
			json_object_object_add(obj, key, list);
		}
		json_object *b = json_object_new_object();
		cleanup_free char *port =
		    maps[i].host_port ? xasprintf("%u", maps[i].host_port) : xstrdup("");
		json_object_object_add(b, "HostIp", json_object_new_string(maps[i].host_ip));
		json_object_object_add(b, "HostPort", json_object_new_string(port));
		json_object_array_add(list, b);
	}
	return obj;
}

void ports_from_json(json_object *obj, struct port_map **maps, size_t *n)
{
	if (!json_object_is_type(obj, json_type_object))
		return;
	json_object_object_foreach(obj, key, list)
	{
		struct port_map m = {0};
		char *end;
		long p = strtol(key, &end, 10);
		if (p < 1 || p > 65535 || !json_object_is_type(list, json_type_array))
			continue;
		m.ctr_port = (uint16_t)p;
		m.udp = strcmp(end, "/udp") == 0;
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			json_object *b = json_object_array_get_idx(list, i);
			cleanup_free char *ip = json_get_string(b, "HostIp");
			cleanup_free char *hp = json_get_string(b, "HostPort");
			long h = hp ? strtol(hp, NULL, 10) : 0;
			snprintf(m.host_ip, sizeof m.host_ip, "%s", ip ? ip : "");
			m.host_port = h >= 1 && h <= 65535 ? (uint16_t)h : 0;
			push(maps, n, &m);
		}
	}
}
