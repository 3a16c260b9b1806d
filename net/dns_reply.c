/* Frames are parsed by offset with bounds checked at each step: the bytes come from the
 * container and may be anything. Replies carry no UDP checksum (optional over IPv4). */
#include "net/dns_reply.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

enum {
	ETH_LEN = 14,
	IP_MIN = 20,
	UDP_LEN = 8,
	DNS_HDR = 12,
	TYPE_A = 1,
	TYPE_AAAA = 28,
	RCODE_NXDOMAIN = 3,
	TTL = 10, /* seconds: a container that goes may come back at another address */
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t ip_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The question's name as dotted lowercase text; returns the offset past it, or 0. */
static size_t read_qname(const uint8_t *dns, size_t len, char *name, size_t cap)
{
	size_t off = DNS_HDR, out = 0;
	for (;;) {
		if (off >= len)
			return 0;
		size_t l = dns[off++];
		if (l == 0)
			break;
		if (l > 63 || off + l > len || out + l + 2 > cap)
			return 0; /* compression has no place in a question; too long */
		if (out)
			name[out++] = '.';
		for (size_t i = 0; i < l; i++)
			name[out++] = (char)tolower(dns[off + i]);
		off += l;
	}
	name[out] = '\0';
	return off;
}

/* Cuts ".dns.holt" (or all of "dns.holt"); true when the name was in that domain. */
static bool cut_domain(char *name)
{
	size_t n = strlen(name), d = strlen(DNS_DOMAIN);
	if (strcmp(name, DNS_DOMAIN) == 0) {
		*name = '\0';
		return true;
	}
	if (n > d + 1 && name[n - d - 1] == '.' && strcmp(name + n - d, DNS_DOMAIN) == 0) {
		name[n - d - 1] = '\0';
		return true;
	}
	return false;
}

static size_t build(const uint8_t *frame, size_t ip_len, const uint8_t *dns, size_t q_end,
		    bool found, const struct dns_addrs *addrs, uint8_t *out, size_t cap)
{
	const uint8_t *ip = frame + ETH_LEN;
	uint16_t qtype = get16(dns + q_end - 4);
	/* a name without an address of the type asked: NOERROR and no answer */
	const void *rdata = NULL;
	size_t rdlen = 0;
	if (found && qtype == TYPE_A)
		rdata = &addrs->v4, rdlen = 4;
	else if (found && qtype == TYPE_AAAA && addrs->has6)
		rdata = &addrs->v6, rdlen = 16;
	bool answer = rdata != NULL;
	size_t dns_len = q_end + (answer ? 12 + rdlen : 0);
	size_t total = ETH_LEN + IP_MIN + UDP_LEN + dns_len;
	if (total > cap)
		return 0;
	memset(out, 0, total);
	memcpy(out, frame + 6, 6); /* to the asker, from whom it asked */
	memcpy(out + 6, frame, 6);
	put16(out + 12, 0x0800);

	uint8_t *rip = out + ETH_LEN;
	rip[0] = 0x45;
	put16(rip + 2, IP_MIN + UDP_LEN + dns_len);
	rip[8] = 64;
	rip[9] = IPPROTO_UDP;
	memcpy(rip + 12, ip + 16, 4);
	memcpy(rip + 16, ip + 12, 4);
	put16(rip + 10, ip_checksum(rip, IP_MIN));

	const uint8_t *udp = ip + ip_len;
	uint8_t *rudp = rip + IP_MIN;
	memcpy(rudp, udp + 2, 2);
	memcpy(rudp + 2, udp, 2);
	put16(rudp + 4, UDP_LEN + dns_len);

	uint8_t *rdns = rudp + UDP_LEN;
	memcpy(rdns, dns, q_end);
	/* QR, AA, RD as asked, RA; NXDOMAIN when the name is nobody's */
	put16(rdns + 2, 0x8480 | (dns[2] & 0x01) << 8 | (found ? 0 : RCODE_NXDOMAIN));
	put16(rdns + 4, 1);
	put16(rdns + 6, answer ? 1 : 0);
	put16(rdns + 8, 0);
	put16(rdns + 10, 0);
	if (answer) {
		uint8_t *a = rdns + q_end;
		put16(a, 0xc000 | DNS_HDR); /* the name: the question's */
		put16(a + 2, qtype);
		put16(a + 4, 1);
		put16(a + 8, TTL);
		put16(a + 10, (unsigned)rdlen);
		memcpy(a + 12, rdata, rdlen);
	}
	return total;
}

size_t dns_reply(const uint8_t *frame, size_t len, struct in_addr server, bool all,
		 dns_lookup_fn lookup, void *opaque, uint8_t *out, size_t cap)
{
	char name[256];
	struct dns_addrs addrs = {0};

	if (len < ETH_LEN + IP_MIN + UDP_LEN + DNS_HDR || get16(frame + 12) != 0x0800)
		return 0;
	const uint8_t *ip = frame + ETH_LEN;
	size_t ip_len = (size_t)(ip[0] & 0x0f) * 4;
	if ((ip[0] >> 4) != 4 || ip_len < IP_MIN || ip[9] != IPPROTO_UDP ||
	    memcmp(ip + 16, &server, 4) != 0 || get16(ip + 6) & 0x3fff /* a fragment */)
		return 0;
	size_t ip_total = get16(ip + 2);
	if (ip_total > len - ETH_LEN || ip_total < ip_len + UDP_LEN + DNS_HDR)
		return 0;
	const uint8_t *udp = ip + ip_len;
	if (get16(udp + 2) != 53)
		return 0;
	const uint8_t *dns = udp + UDP_LEN;
	size_t dns_len = ip_total - ip_len - UDP_LEN;
	/* a plain query (QR 0, opcode 0) with one question */
	if ((dns[2] & 0xf8) != 0 || get16(dns + 4) != 1)
		return 0;
	size_t q_end = read_qname(dns, dns_len, name, sizeof name);
	if (!q_end || q_end + 4 > dns_len)
		return 0;
	q_end += 4;
	bool ours = cut_domain(name);
	bool found = *name && lookup(opaque, name, &addrs);
	if (!found && !ours && !all)
		return 0;
	return build(frame, ip_len, dns, q_end, found, &addrs, out, cap);
}
