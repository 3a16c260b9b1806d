/* The embedded resolver of user networks: a frame from a container, which may be
 * anything. A reply must fit where it was written and answer the asker. */
#include "net/dns_reply.h"
#include "tests/fuzz/fuzz.h"

#include <arpa/inet.h>

/* Names starting with d are known; those with 6 second have an IPv6 address too. */
static bool lookup(void *opaque, const char *name, struct dns_addrs *addrs)
{
	if (strlen(name) > 254)
		abort(); /* a question's name, as read, is at most 254 characters */
	addrs->v4.s_addr = htonl(0x0a590002);
	addrs->has6 = name[0] && name[1] == '6';
	if (addrs->has6)
		inet_pton(AF_INET6, "fd42::2", &addrs->v6);
	return name[0] == 'd';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[1024];
	struct in_addr server = {.s_addr = htonl(0x0a5900fe)};
	uint8_t *frame = xmalloc(size ? size : 1);
	memcpy(frame, data, size);
	for (int all = 0; all < 2; all++) {
		size_t n = dns_reply(frame, size, server, all, lookup, NULL, out, sizeof out);
		if (n > sizeof out || (n && (n < 14 + 20 + 8 + 12 || memcmp(out, frame + 6, 6))))
			abort();
	}
	free(frame);
	return 0;
}
