#include "core/base/platform.h"

#include <stddef.h>

const char *platform_arch(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__arm__)
	return "arm";
#elif defined(__i386__)
	return "386";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "ppc64le";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#else
#error "unknown architecture: add its GOARCH name"
#endif
}

const char *platform_variant(void)
{
#if defined(__aarch64__)
	return "v8";
#elif defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH >= 7
	return "v7";
#else
	return NULL;
#endif
}

const char *platform_os(void)
{
	return "linux";
}
