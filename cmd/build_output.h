/* A build's RUN steps never get a terminal, as docker's never do: while the build runs,
 * holt's stdout and stderr that are terminals become pipes, relayed to them. */
#ifndef HOLT_CMD_BUILD_OUTPUT_H
#define HOLT_CMD_BUILD_OUTPUT_H

#include <pthread.h>
#include <stdbool.h>

struct build_output_relay {
	int from; /* the pipe's read end */
	int to;	  /* the terminal, as it was on the fd */
	int stop; /* an eventfd: drain what is there and end */
	pthread_t thread;
	bool running;
};

/* By fd, 1 and 2; where both are one terminal, 2 writes to 1's pipe and has no relay. */
struct build_output {
	struct build_output_relay relay[3];
};

/* Replaces fds 1 and 2 where they are terminals; what cannot be set up is left as it was
 * (the RUN steps then see the terminal). */
void build_output_detach(struct build_output *o);

/* Puts fds 1 and 2 back and ends the relays once they have passed on what was written. */
void build_output_restore(struct build_output *o);

#endif
