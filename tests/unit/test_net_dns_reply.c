/* dns_reply: the embedded resolver of user networks answers the containers' names,
 * leaves other names to libslirp, and reads frames that may be anything without
 * reading past them. */
#include "net/dns_reply.h"
#include "tap.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static const char server_text[] = "10.89.0.254";

/* An Ethernet frame holding a UDP query for name (type A, or qtype) to server:53. */
static size_t query(const char *name, unsigned qtype, uint8_t *f)
{
	size_t off = 14 + 20 + 8;
	memset(f, 0, 512);
	memcpy(f, "\x02\x00\x00\x00\x00\x01", 6);     /* to the helper */
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x02", 6); /* from the container */
	f[12] = 0x08;
	uint8_t *ip = f + 14, *udp = ip + 20, *dns = udp + 8;
	ip[0] = 0x45;
	ip[8] = 64;
	ip[9] = 17;
	inet_pton(AF_INET, "10.89.0.7", ip + 12);
	inet_pton(AF_INET, server_text, ip + 16);
	udp[0] = 0x9c, udp[1] = 0x40; /* from port 40000 */
	udp[3] = 53;
	dns[0] = 0x12, dns[1] = 0x34; /* the id */
	dns[2] = 0x01;		      /* RD */
	dns[5] = 1;		      /* one question */
	size_t q = 12;
	for (const char *label = name; *label;) {
		size_t l = strcspn(label, ".");
		dns[q++] = (uint8_t)l;
		memcpy(dns + q, label, l);
		q += l;
		label += l + (label[l] == '.');
	}
	dns[q++] = 0;
	dns[q++] = 0, dns[q++] = (uint8_t)qtype;
	dns[q++] = 0, dns[q++] = 1;
	off += q;
	size_t ip_total = off - 14;
	ip[2] = (uint8_t)(ip_total >> 8), ip[3] = (uint8_t)ip_total;
	udp[4] = (uint8_t)((8 + q) >> 8), udp[5] = (uint8_t)(8 + q);
	return off;
}

/* db and database: IPv4 alone; web: on an --ipv6 network, with both. */
static bool lookup(void *opaque, const char *name, struct dns_addrs *addrs)
{
	int *calls = opaque;
	(*calls)++;
	if (strcmp(name, "web") == 0) {
		inet_pton(AF_INET, "10.89.0.3", &addrs->v4);
		inet_pton(AF_INET6, "fd12:3456:789a::3", &addrs->v6);
		addrs->has6 = true;
		return true;
	}
	if (strcmp(name, "db") && strcmp(name, "database"))
		return false;
	inet_pton(AF_INET, "10.89.0.2", &addrs->v4);
	return true;
}

static size_t ask(const uint8_t *f, size_t len, bool all, uint8_t *out)
{
	struct in_addr server;
	int calls = 0;
	inet_pton(AF_INET, server_text, &server);
	return dns_reply(f, len, server, all, lookup, &calls, out, 1024);
}

/* The answer's address, the last 4 bytes of a reply with one A record. */
static bool answers(const uint8_t *r, size_t n, const char *want)
{
	struct in_addr a;
	inet_pton(AF_INET, want, &a);
	const uint8_t *dns = r + 14 + 20 + 8;
	return n > 46 && dns[0] == 0x12 && dns[1] == 0x34 && (dns[2] & 0x80) && dns[7] == 1 &&
	       (dns[3] & 0x0f) == 0 && memcmp(r + n - 4, &a, 4) == 0;
}

static uint8_t rcode(const uint8_t *r)
{
	return r[14 + 20 + 8 + 3] & 0x0f;
}

static void test_names(void)
{
	uint8_t f[512], r[1024];
	size_t len = query("db", 1, f);
	size_t n = ask(f, len, false, r);
	ok(answers(r, n, "10.89.0.2"), "a container's name is answered with its address");
	ok(n && !memcmp(r, f + 6, 6) && !memcmp(r + 6, f, 6) &&
	       !memcmp(r + 14 + 16, f + 14 + 12, 4),
	   "the reply goes back to the asker");
	len = query("DataBase.dns.holt", 1, f);
	n = ask(f, len, false, r);
	ok(answers(r, n, "10.89.0.2"), "an alias under the search domain, in any case");
	len = query("nobody.dns.holt", 1, f);
	n = ask(f, len, false, r);
	ok(n && rcode(r) == 3, "an unknown name under the domain: NXDOMAIN, not the host's");
	len = query("example.com", 1, f);
	ok(ask(f, len, false, r) == 0, "other names are left to the host's resolvers");
	ok(ask(f, len, true, r) && rcode(r) == 3, "an internal network answers them NXDOMAIN");
	len = query("db", 28, f);
	n = ask(f, len, false, r);
	ok(n && rcode(r) == 0 && r[14 + 20 + 8 + 7] == 0,
	   "AAAA for a name with no IPv6 address: no answer");
	len = query("web", 28, f);
	n = ask(f, len, false, r);
	struct in6_addr want6;
	inet_pton(AF_INET6, "fd12:3456:789a::3", &want6);
	ok(n > 16 && rcode(r) == 0 && r[14 + 20 + 8 + 7] == 1 && r[n - 17] == 16 &&
	       !memcmp(r + n - 16, &want6, 16),
	   "AAAA for a name on an IPv6 network: its IPv6 address");
	len = query("web", 1, f);
	n = ask(f, len, false, r);
	ok(answers(r, n, "10.89.0.3"), "and A its IPv4 one");
}

static void test_not_ours(void)
{
	uint8_t f[512], r[1024];
	size_t len = query("db", 1, f);
	uint8_t g[512];
	memcpy(g, f, len);
	inet_pton(AF_INET, "10.89.0.1", g + 14 + 16);
	ok(ask(g, len, false, r) == 0, "a query to another server is not taken");
	memcpy(g, f, len);
	g[14 + 20 + 3] = 54;
	ok(ask(g, len, false, r) == 0, "nor one to another port");
	memcpy(g, f, len);
	g[14 + 20 + 8 + 2] |= 0x80;
	ok(ask(g, len, false, r) == 0, "nor a reply");
	memcpy(g, f, len);
	g[14 + 6] = 0x20;
	ok(ask(g, len, false, r) == 0, "nor a fragment");
}

/* Every truncation and every single-byte change of a query is read without reading past
 * it (under ASan) and never answered from a cut frame. */
static void test_bad_frames(void)
{
	uint8_t f[512], r[1024];
	size_t len = query("database.dns.holt", 1, f);
	bool cut_ok = true;
	for (size_t l = 0; l < len; l++) {
		uint8_t *copy = malloc(l ? l : 1);
		memcpy(copy, f, l);
		if (ask(copy, l, false, r) != 0)
			cut_ok = false;
		free(copy);
	}
	ok(cut_ok, "no truncated query is answered");
	size_t answered = 0;
	for (size_t i = 0; i < len; i++)
		for (unsigned v = 0; v < 256; v += 17) {
			uint8_t g[512];
			memcpy(g, f, len);
			g[i] = (uint8_t)v;
			answered += ask(g, len, false, r) != 0;
		}
	ok(answered > 0, "changed queries are read safely (%zu still answered)", answered);
	uint8_t loop[512];
	size_t l2 = query("db", 1, loop);
	loop[14 + 20 + 8 + 12] = 0xc0; /* a compression pointer in the question */
	ok(ask(loop, l2, false, r) == 0, "a compressed question name is refused");
}

int main(void)
{
	plan(16);
	test_names();
	test_not_ours();
	test_bad_frames();
	return done();
}
