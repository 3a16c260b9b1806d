#include "cmd/pull_progress.h"
#include "core/base/util.h"
#include "core/humanize.h"

#include <string.h>
#include <unistd.h>

enum { REDRAW_MS = 100 };

static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

static uint64_t size_of(const struct pull_layer_line *l)
{
	return l->size > 0 ? (uint64_t)l->size : 0;
}

static void draw(struct pull_printer *p, size_t i)
{
	struct pull_layer_line *l = &p->lines[i];
	if (l->present) {
		fprintf(p->out, "%s: already exists", l->digest);
		return;
	}
	cleanup_free char *size = humanize_size(size_of(l));
	if (l->finished) {
		fprintf(p->out, "%s: done %s", l->digest, size);
		return;
	}
	cleanup_free char *done = humanize_size(l->done);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = ms_between(&l->start, &now);
	cleanup_free char *rate =
	    l->done && ms > 0 ? humanize_size(l->done * 1000 / (uint64_t)ms) : NULL;
	fprintf(p->out, "%s: %s / %s%s%s%s", l->digest, done, size, rate ? "  " : "",
		rate ? rate : "", rate ? "/s" : "");
}

/* Rewrites line i of the block of n lines the cursor sits under. */
static void redraw(struct pull_printer *p, size_t i)
{
	size_t up = p->n - i;
	fprintf(p->out, "\033[%zuA\r\033[K", up);
	draw(p, i);
	fprintf(p->out, "\033[%zuB\r", up);
	fflush(p->out);
}

static void on_resolved(void *ctx, const char *digest, size_t n)
{
	struct pull_printer *p = ctx;
	p->n = n;
	p->lines = xzalloc(n * sizeof *p->lines);
	fprintf(p->out, "Manifest %s, %zu layer%s\n", digest, n, n == 1 ? "" : "s");
}

static void on_layer(void *ctx, size_t i, const char *digest, int64_t size, bool present)
{
	struct pull_printer *p = ctx;
	struct pull_layer_line *l = &p->lines[i];
	snprintf(l->digest, sizeof l->digest, "%.19s", digest + strlen("sha256:"));
	l->digest[12] = '\0';
	l->size = size;
	l->present = present;
	clock_gettime(CLOCK_MONOTONIC, &l->start);
	if (p->tty) {
		draw(p, i);
		fputc('\n', p->out);
	} else if (present) {
		fprintf(p->out, "Layer %s: already exists\n", l->digest);
	}
}

static void on_bytes(void *ctx, size_t i, uint64_t done)
{
	struct pull_printer *p = ctx;
	struct pull_layer_line *l = &p->lines[i];
	struct timespec now;
	l->done = done;
	if (!p->tty)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (ms_between(&l->shown, &now) < REDRAW_MS)
		return;
	l->shown = now;
	redraw(p, i);
}

static void on_done(void *ctx, size_t i)
{
	struct pull_printer *p = ctx;
	struct pull_layer_line *l = &p->lines[i];
	l->finished = true;
	if (p->tty) {
		redraw(p, i);
	} else {
		cleanup_free char *size = humanize_size(size_of(l));
		fprintf(p->out, "Layer %s: done %s\n", l->digest, size);
	}
}

void pull_printer_init(struct pull_printer *p, FILE *out)
{
	memset(p, 0, sizeof *p);
	p->out = out;
	p->tty = isatty(fileno(out));
	p->ops = (struct pull_progress){
	    .resolved = on_resolved,
	    .layer = on_layer,
	    .bytes = on_bytes,
	    .layer_done = on_done,
	    .ctx = p,
	};
}

void pull_printer_free(struct pull_printer *p)
{
	free(p->lines);
	p->lines = NULL;
}
