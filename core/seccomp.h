/* The system-call filter of a container's processes: a profile in docker's JSON format
 * (holt's default is core/seccomp-default.json, moby's policy), compiled for the
 * container's capabilities and cached as BPF under the runroot, so that a start costs
 * one file read rather than a compile. */
#ifndef HOLT_CORE_SECCOMP_H
#define HOLT_CORE_SECCOMP_H

#include "core/base/err.h"

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

/* The profiles holt brings, core/seccomp-*.json, embedded at build time (NUL-terminated)
 * with their SHA-256, the key of their cache: hashing at run time would load libcrypto,
 * milliseconds of every start.
 * - default: moby's policy.
 * - fake-root: --security-opt fake-root-ids. Where the user namespace maps one id, calls
 *   that change file owners or the process's ids cannot succeed, and package managers
 *   stop at the first one. Charliecloud's and enroot's root emulation make them return
 *   success without doing anything; this profile does the same, stacked over the
 *   container's own filter (an errno action outranks an allow, so the container's filter
 *   cannot undo it). mknod and mknodat are faked only for device nodes (the mode's
 *   S_IFMT bits, 0170000, equal to S_IFCHR 0020000 or S_IFBLK 0060000): fifos and
 *   sockets are really made.
 * - connect: on the default network the net helper connects the container's TCP sockets
 *   to the outside from the host's namespace (net/tcp_bypass.h). It sees every connect
 *   and listen, a listen on one of those host sockets being refused; the 32-bit calls
 *   too (socketcall's connect and listen among them), as a host socket can be passed to a
 *   32-bit program. The one profile that may use SCMP_ACT_NOTIFY, as holt alone has a
 *   listener for it. */
extern const char seccomp_default_profile[], seccomp_default_profile_sha256[];
extern const char seccomp_fake_root_profile[], seccomp_fake_root_profile_sha256[];
extern const char seccomp_connect_profile[], seccomp_connect_profile_sha256[];

/* The BPF program of profile (NULL: holt's default) for a container whose bounding set
 * is caps, from the cache under runroot or compiled into it. source names the profile in
 * errors. Release with seccomp_filter_release. */
int seccomp_filter_get(const char *runroot, const char *profile, const char *source, uint64_t caps,
		       struct sock_fprog *out, struct holt_err *err);
void seccomp_filter_release(struct sock_fprog *prog);
#define cleanup_seccomp_filter __attribute__((cleanup(seccomp_filter_release)))

/* Loads prog into the calling thread; it needs CAP_SYS_ADMIN in its user namespace
 * unless no_new_privs is set (holt sets it only on request, so su and sudo inside keep
 * working). */
int seccomp_filter_load(const struct sock_fprog *prog, struct holt_err *err);
/* Loads prog, which notifies, and returns its listener (close-on-exec); needs
 * CAP_SYS_ADMIN in the user namespace likewise. */
int seccomp_filter_load_listener(const struct sock_fprog *prog, struct holt_err *err);

/* Compiles profile (docker's format) for capabilities caps into BPF written to fd.
 * Errors name source and the entry at fault. With caps CAPS_ALL and check_only, every
 * entry is checked whatever its conditions and nothing is written. */
int seccomp_profile_compile(const char *profile, const char *source, uint64_t caps, int fd,
			    struct holt_err *err);

/* Checks every entry of profile, whatever the conditions on it. */
int seccomp_profile_check(const char *profile, const char *source, struct holt_err *err);

#endif
