#include "cmd/output_file.h"

#include <signal.h>
#include <unistd.h>

/* The temporary file to remove if a signal ends holt first. */
static const char *volatile pending;

static void remove_pending(int sig)
{
	if (pending)
		unlink(pending);
	signal(sig, SIG_DFL);
	raise(sig);
}

int cmd_output_file_open(struct atomic_file *f, const char *path, mode_t mode, struct holt_err *err)
{
	static const int fatal[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
	if (atomic_file_open(f, path, mode, err) < 0)
		return -1;
	pending = f->tmp;
	for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++)
		signal(fatal[i], remove_pending);
	return 0;
}

int cmd_output_file_close(struct atomic_file *f, bool whole, struct holt_err *err)
{
	int ret = whole ? atomic_file_commit(f, err) : 0;
	atomic_file_release(f);
	pending = NULL;
	return ret;
}
