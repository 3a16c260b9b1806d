#include "core/base/crypto_api.h"
#include "core/base/dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

static const char libcrypto_name[] = "libcrypto.so.3";

static struct crypto_api api;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static __attribute__((noreturn)) void unusable(void)
{
	char msg[512];
	const char *why = dlerror();
	int n =
	    snprintf(msg, sizeof msg, "holt: error: load %s (install the libssl3 package): %s\n",
		     libcrypto_name, why ? why : "a symbol is missing");
	if (n > 0 && write(2, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1) < 0)
		_exit(125);
	_exit(125);
}

static void load(void)
{
	void *lib = dlopen(libcrypto_name, RTLD_NOW | RTLD_LOCAL);
	if (!lib || !dl_resolve(lib, &api.md_ctx_new, "EVP_MD_CTX_new") ||
	    !dl_resolve(lib, &api.md_ctx_free, "EVP_MD_CTX_free") ||
	    !dl_resolve(lib, &api.sha256, "EVP_sha256") ||
	    !dl_resolve(lib, &api.digest_init_ex, "EVP_DigestInit_ex") ||
	    !dl_resolve(lib, &api.digest_update, "EVP_DigestUpdate") ||
	    !dl_resolve(lib, &api.digest_final_ex, "EVP_DigestFinal_ex") ||
	    !dl_resolve(lib, &api.encode_block, "EVP_EncodeBlock") ||
	    !dl_resolve(lib, &api.decode_block, "EVP_DecodeBlock"))
		unusable();
}

const struct crypto_api *crypto_api(void)
{
	pthread_once(&once, load);
	return &api;
}
