/* What `pull` (and `run` pulling a missing image) shows on stderr while it pulls: a line
 * per layer redrawn with bytes and rate on a terminal, plain lines otherwise. */
#ifndef HOLT_CMD_PULL_PROGRESS_H
#define HOLT_CMD_PULL_PROGRESS_H

#include "core/pull.h"

#include <stdio.h>
#include <time.h>

struct pull_printer {
	FILE *out;
	bool tty;
	size_t n;
	struct pull_layer_line {
		char digest[20]; /* short, as docker shows it */
		int64_t size;
		uint64_t done;
		bool present, finished;
		struct timespec start, shown;
	} * lines;
	struct pull_progress ops;
};

/* Sets p up to print to out; p->ops goes into struct pull_opts. */
void pull_printer_init(struct pull_printer *p, FILE *out);
void pull_printer_free(struct pull_printer *p);

#endif
