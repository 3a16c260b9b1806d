/* Exit statuses of holt, the same as docker's and podman's. */
#ifndef HOLT_CORE_BASE_EXITCODE_H
#define HOLT_CORE_BASE_EXITCODE_H

enum {
	HOLT_EXIT_OK = 0,
	HOLT_EXIT_ERROR = 125,	     /* holt itself failed */
	HOLT_EXIT_CANNOT_EXEC = 126, /* the command exists but cannot be run */
	HOLT_EXIT_NOT_FOUND = 127,   /* the command was not found */
	HOLT_EXIT_SIGNAL_BASE = 128, /* + the signal that killed the container */
};

#endif
