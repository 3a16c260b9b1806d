/* SHA-256 through libcrypto's EVP interface, which picks the CPU's SHA extensions. */
#include "core/base/digest.h"
#include "core/base/crypto_api.h"
#include "core/base/util.h"
#include <stdio.h>
#include <string.h>

struct digest {
	EVP_MD_CTX *ctx;
};

struct digest *digest_new(void)
{
	const struct crypto_api *c = crypto_api();
	struct digest *d = xmalloc(sizeof *d);
	d->ctx = c->md_ctx_new();
	if (!d->ctx || c->digest_init_ex(d->ctx, c->sha256(), NULL) != 1)
		oom();
	return d;
}

void digest_free(struct digest *d)
{
	crypto_api()->md_ctx_free(d->ctx);
	free(d);
}

void digest_update(struct digest *d, const void *data, size_t len)
{
	/* EVP_DigestUpdate on an initialised SHA-256 context only fails on misuse. */
	if (crypto_api()->digest_update(d->ctx, data, len) != 1)
		abort();
}

void digest_final(struct digest *d, char out[DIGEST_STR_SIZE])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (crypto_api()->digest_final_ex(d->ctx, md, &n) != 1 || n * 2 != DIGEST_HEX_LEN)
		abort();
	memcpy(out, DIGEST_PREFIX, sizeof DIGEST_PREFIX - 1);
	for (unsigned int i = 0; i < n; i++)
		snprintf(out + sizeof DIGEST_PREFIX - 1 + 2 * i, 3, "%02x", md[i]);
}

void digest_buf(const void *data, size_t len, char out[DIGEST_STR_SIZE])
{
	struct digest *d = digest_new();
	digest_update(d, data, len);
	digest_final(d, out);
	digest_free(d);
}

bool digest_hex_valid(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");
	return n == DIGEST_HEX_LEN && s[n] == '\0';
}

bool digest_valid(const char *s)
{
	return strncmp(s, DIGEST_PREFIX, sizeof DIGEST_PREFIX - 1) == 0 &&
	       digest_hex_valid(s + sizeof DIGEST_PREFIX - 1);
}

const char *digest_hex(const char *digest)
{
	return digest + sizeof DIGEST_PREFIX - 1;
}

void digest_chain_id(const char *parent, const char *diff_id, char out[DIGEST_STR_SIZE])
{
	if (!parent) {
		snprintf(out, DIGEST_STR_SIZE, "%s", diff_id);
		return;
	}
	cleanup_free char *s = xasprintf("%s %s", parent, diff_id);
	digest_buf(s, strlen(s), out);
}
