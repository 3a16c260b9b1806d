/* libcrypto, loaded the first time holt hashes or encodes: linked in, its tables cost
 * every start-up about 90 copied pages and 17,000 relocations, which `run` never uses. */
#ifndef HOLT_CORE_BASE_CRYPTO_API_H
#define HOLT_CORE_BASE_CRYPTO_API_H

#include <openssl/evp.h>

struct crypto_api {
	EVP_MD_CTX *(*md_ctx_new)(void);
	void (*md_ctx_free)(EVP_MD_CTX *ctx);
	const EVP_MD *(*sha256)(void);
	int (*digest_init_ex)(EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl);
	int (*digest_update)(EVP_MD_CTX *ctx, const void *data, size_t len);
	int (*digest_final_ex)(EVP_MD_CTX *ctx, unsigned char *md, unsigned int *len);
	int (*encode_block)(unsigned char *out, const unsigned char *in, int len);
	int (*decode_block)(unsigned char *out, const unsigned char *in, int len);
};

/* The loaded library; safe from any thread. A holt that cannot load it cannot verify a
 * single blob, so, as on running out of memory, it says so and exits 125. */
const struct crypto_api *crypto_api(void);

#endif
