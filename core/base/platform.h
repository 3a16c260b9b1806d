/* The host's platform in OCI's words (GOARCH/GOOS names), for image configs and for
 * choosing from a manifest list. */
#ifndef HOLT_CORE_BASE_PLATFORM_H
#define HOLT_CORE_BASE_PLATFORM_H

/* "amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64", ... */
const char *platform_arch(void);
/* "v7" for 32-bit arm, "v8" for arm64, else NULL. */
const char *platform_variant(void);
/* Always "linux". */
const char *platform_os(void);

#endif
