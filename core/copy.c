/* One side of a copy runs in holt, the other in the container's root: the one that
 * reads the source writes a tar, the other extracts it. Between them a socket pair, on
 * which a writer whose reader gave up gets EPIPE rather than SIGPIPE. */
#include "core/copy.h"
#include "core/base/util.h"
#include "core/copy_archive.h"
#include "core/ctr_root.h"

#include <errno.h>
#include <sys/socket.h>

static int send_in_root(void *arg, int fd, struct holt_err *err)
{
	return copy_send(arg, fd, err);
}

static int receive_in_root(void *arg, int fd, struct holt_err *err)
{
	return copy_receive(arg, fd, err);
}

static bool reader_gone(const struct holt_err *e)
{
	return e->errnum == EPIPE || e->errnum == ECONNRESET;
}

/* The first side to fail makes the other fail too: the writer with EPIPE when the reader
 * gave up, the reader with a short archive when the writer did. Keeps the first one's
 * error in err. */
static int settle(int wret, struct holt_err *werr, int rret, struct holt_err *rerr,
		  struct holt_err *err)
{
	struct holt_err *first = NULL;

	if (wret < 0 && !reader_gone(werr))
		first = werr;
	else if (rret < 0)
		first = rerr;
	else if (wret < 0)
		first = werr;
	if (first) {
		*err = *first;
		*first = (struct holt_err){0};
	}
	holt_err_release(werr);
	holt_err_release(rerr);
	return first ? -1 : 0;
}

/* Runs fn in the container's root on fd (the caller's tar), with nothing on holt's side. */
static int run_alone(struct ctr_root_request *rr, int fd, struct holt_err *err)
{
	struct ctr_root_child child;

	rr->fd = fd;
	if (ctr_root_start(rr, &child, err) < 0)
		return -1;
	return ctr_root_wait(&child, err);
}

/* Starts rr's child on one end of a socket pair; *fd gets the other. */
static int start_paired(struct ctr_root_request *rr, struct ctr_root_child *child, int *fd,
			struct holt_err *err)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return holt_err_set(err, errno, "create a socket pair");
	rr->fd = sv[1];
	int ret = ctr_root_start(rr, child, err);
	close(sv[1]);
	if (ret < 0) {
		close(sv[0]);
		return -1;
	}
	*fd = sv[0];
	return 0;
}

int copy_from_container(const struct copy_request *req, struct holt_err *err)
{
	cleanup_free char *where = xasprintf("in container %s", req->container->name);
	struct copy_source src = {
	    .path = req->container_path, .follow = req->follow, .where = where};
	struct copy_dest dest = {.path = req->host_path, .keep_owner = req->keep_owner};
	struct ctr_root_request rr = {
	    .store = req->store,
	    .container = req->container,
	    .storage_driver = req->storage_driver,
	    .view = CTR_ROOT_LIVE,
	    .fn = send_in_root,
	    .arg = &src,
	};
	struct ctr_root_child child;
	struct holt_err herr = {0}, cerr = {0};
	int fd = -1;

	if (!req->host_path)
		return run_alone(&rr, req->tar_fd, err);
	if (start_paired(&rr, &child, &fd, err) < 0)
		return -1;
	int hret = copy_receive(&dest, fd, &herr);
	close(fd);
	int cret = ctr_root_wait(&child, &cerr);
	return settle(cret, &cerr, hret, &herr, err);
}

int copy_to_container(const struct copy_request *req, struct holt_err *err)
{
	cleanup_free char *where = xasprintf("in container %s", req->container->name);
	struct copy_source src = {.path = req->host_path, .follow = req->follow};
	struct copy_dest dest = {
	    .path = req->container_path,
	    .keep_owner = req->keep_owner,
	    .as_is = !req->host_path,
	    .where = where,
	};
	struct ctr_root_request rr = {
	    .store = req->store,
	    .container = req->container,
	    .storage_driver = req->storage_driver,
	    .view = CTR_ROOT_LIVE,
	    .fn = receive_in_root,
	    .arg = &dest,
	};
	struct ctr_root_child child;
	struct holt_err herr = {0}, cerr = {0};
	int fd = -1;

	if (!req->host_path)
		return run_alone(&rr, req->tar_fd, err);
	if (start_paired(&rr, &child, &fd, err) < 0)
		return -1;
	int hret = copy_send(&src, fd, &herr);
	close(fd);
	int cret = ctr_root_wait(&child, &cerr);
	return settle(hret, &herr, cret, &cerr, err);
}

int copy_export(struct store *s, const struct container *c, const char *storage_driver, int fd,
		struct holt_err *err)
{
	cleanup_free char *where = xasprintf("in container %s", c->name);
	struct copy_source src = {.path = "/", .contents_only = true, .where = where};
	struct ctr_root_request rr = {
	    .store = s,
	    .container = c,
	    .storage_driver = storage_driver,
	    .view = CTR_ROOT_ROOTFS,
	    .fn = send_in_root,
	    .arg = &src,
	};
	return run_alone(&rr, fd, err);
}
