/* The compiled filter is cached under <runroot>/seccomp/, one file per profile digest,
 * architecture, libseccomp version, capability set and kernel (profiles may depend on
 * all of them): compiling moby's profile costs more than a whole container start. The
 * runroot is the user's own, so only the user can put a filter there. */
#include "core/seccomp.h"
#include "core/base/digest.h"
#include "core/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Reads a whole BPF program from fd; -1 when it is not one. */
static int read_prog(int fd, struct sock_fprog *out)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) ||
	    st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return -1;
	struct sock_filter *insns = xmalloc((size_t)st.st_size);
	ssize_t n = pread(fd, insns, (size_t)st.st_size, 0);
	if (n != st.st_size) {
		free(insns);
		return -1;
	}
	out->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
	out->filter = insns;
	return 0;
}

static char *cache_path(const char *runroot, const char *profile, uint64_t caps)
{
	char digest[DIGEST_STR_SIZE];
	static const struct {
		const char *text, *sha256;
	} embedded[] = {
	    {seccomp_default_profile, seccomp_default_profile_sha256},
	    {seccomp_fake_root_profile, seccomp_fake_root_profile_sha256},
	    {seccomp_connect_profile, seccomp_connect_profile_sha256},
	};
	const char *hash = NULL;
	const struct scmp_version *v = seccomp_version();
	struct utsname u;

	for (size_t i = 0; i < sizeof embedded / sizeof *embedded && !hash; i++)
		if ((profile ? profile : seccomp_default_profile) == embedded[i].text)
			hash = embedded[i].sha256;
	if (!hash) {
		digest_buf(profile, strlen(profile), digest);
		hash = digest_hex(digest);
	}
	if (uname(&u) < 0)
		strcpy(u.release, "unknown");
	return xasprintf("%s/seccomp/%s-%08x-%u.%u.%u-%016llx-%s.bpf", runroot, hash,
			 seccomp_arch_native(), v->major, v->minor, v->micro,
			 (unsigned long long)caps, u.release);
}

int seccomp_filter_get(const char *runroot, const char *profile, const char *source, uint64_t caps,
		       struct sock_fprog *out, struct holt_err *err)
{
	cleanup_free char *path = cache_path(runroot, profile, caps);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && read_prog(fd, out) == 0)
		return 0;
	/* Compiled beside its final name and renamed: a reader sees all of it or nothing. */
	cleanup_free char *dir = xasprintf("%s/seccomp", runroot);
	cleanup_free char *tmp = xasprintf("%s/.tmp-XXXXXX", dir);
	if (mkdir_p(dir, 0700) < 0)
		return holt_err_set(err, errno, "create \"%s\"", dir);
	cleanup_close int tfd = mkostemp(tmp, O_CLOEXEC);
	if (tfd < 0)
		return holt_err_set(err, errno, "create a file in \"%s\"", dir);
	int ret = seccomp_profile_compile(profile ? profile : seccomp_default_profile,
					  profile ? source : "(holt's default)", caps, tfd, err);
	if (ret == 0 && read_prog(tfd, out) < 0)
		ret = holt_err_set(err, 0,
				   "seccomp profile %s: the compiled filter is empty or "
				   "longer than the kernel takes",
				   profile ? source : "(holt's default)");
	if (ret == 0 && rename(tmp, path) < 0)
		ret = holt_err_set(err, errno, "rename \"%s\" to \"%s\"", tmp, path);
	if (ret < 0) {
		unlink(tmp);
		seccomp_filter_release(out);
	}
	return ret;
}

void seccomp_filter_release(struct sock_fprog *prog)
{
	free(prog->filter);
	prog->filter = NULL;
	prog->len = 0;
}

int seccomp_filter_load(const struct sock_fprog *prog, struct holt_err *err)
{
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog, 0, 0) < 0)
		return holt_err_set(err, errno, "load the seccomp filter");
	return 0;
}

int seccomp_filter_load_listener(const struct sock_fprog *prog, struct holt_err *err)
{
	int fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			      SECCOMP_FILTER_FLAG_NEW_LISTENER, prog);
	if (fd < 0)
		return holt_err_set(err, errno, "load the seccomp filter with a listener");
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		int e = errno;
		close(fd);
		return holt_err_set(err, e, "make the seccomp listener close-on-exec");
	}
	return fd;
}
