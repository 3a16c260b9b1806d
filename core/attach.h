/* The client's side of attaching to a detached container's monitor (`attach`,
 * `start -a`): the container's output to holt's stdout and stderr, holt's stdin to the
 * container, until it exits or the user types the detach keys (ctrl-p ctrl-q). */
#ifndef HOLT_CORE_ATTACH_H
#define HOLT_CORE_ATTACH_H

#include "core/container.h"

/* Connects to c's monitor; returns the socket, or -1. */
int attach_connect(const struct container *c, struct holt_err *err);

/* The detach key sequence: up to ATTACH_KEYS_MAX bytes. */
enum { ATTACH_KEYS_MAX = 8 };
struct attach_keys {
	unsigned char seq[ATTACH_KEYS_MAX];
	size_t len;
};

/* Parses docker's --detach-keys ("ctrl-p,ctrl-q", "ctrl-a,x": letters, ctrl-LETTER and
 * ctrl-@ [ \ ] ^ _, comma-separated); NULL spec is ctrl-p,ctrl-q. */
int attach_keys_parse(const char *spec, struct attach_keys *keys, struct holt_err *err);

/* Whether the input buf of n bytes completes keys; *matched carries how many of them the
 * input so far ends with, from one call to the next. */
bool attach_keys_typed(const struct attach_keys *keys, const char *buf, size_t n, size_t *matched);

/* Relays until the container's output ends (0) or the user types keys (1); with tty,
 * holt's terminal is put in raw mode meanwhile; with send_stdin, stdin goes along.
 * exit_code (may be NULL) gets the container's exit code when the monitor sent it
 * before the end, else -1 (a container removed with --rm has no record to read it from). */
int attach_relay(int sock, bool tty, bool send_stdin, const struct attach_keys *keys,
		 int *exit_code, struct holt_err *err);

#endif
