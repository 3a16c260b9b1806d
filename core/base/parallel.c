#include "core/base/parallel.h"
#include "core/base/util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct run {
	size_t n;
	parallel_fn fn;
	void *ctx;
	struct holt_err *errs;
	atomic_size_t next;
	atomic_bool failed;
	atomic_size_t first_failure;
};

static void *worker_main(void *arg)
{
	struct run *r = arg;
	while (!atomic_load(&r->failed)) {
		size_t i = atomic_fetch_add(&r->next, 1);
		if (i >= r->n)
			break;
		if (r->fn(i, r->ctx, &r->errs[i]) < 0) {
			size_t none = SIZE_MAX;
			atomic_compare_exchange_strong(&r->first_failure, &none, i);
			atomic_store(&r->failed, true);
		}
	}
	return NULL;
}

int parallel_run(size_t n, size_t width, parallel_fn fn, void *ctx, struct holt_err *err)
{
	struct run r = {.n = n, .fn = fn, .ctx = ctx, .errs = xzalloc((n + 1) * sizeof *r.errs)};
	atomic_init(&r.next, 0);
	atomic_init(&r.failed, false);
	atomic_init(&r.first_failure, SIZE_MAX);
	if (width > n)
		width = n;
	pthread_t *threads = xzalloc((width + 1) * sizeof *threads);
	size_t started = 0;
	for (; started < width; started++)
		if (pthread_create(&threads[started], NULL, worker_main, &r) != 0)
			break;
	/* With no thread to be had, this one does the work. */
	if (started == 0)
		worker_main(&r);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	size_t first = atomic_load(&r.first_failure);
	if (first != SIZE_MAX) {
		*err = r.errs[first];
		r.errs[first] = (struct holt_err){0};
	}
	for (size_t i = 0; i < n; i++)
		holt_err_release(&r.errs[i]);
	free(r.errs);
	return first == SIZE_MAX ? 0 : -1;
}
