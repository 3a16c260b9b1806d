/* Signal names as docker takes them: "SIGTERM", "TERM", "term" or "15". */
#ifndef HOLT_CORE_SIGNALS_H
#define HOLT_CORE_SIGNALS_H

/* The signal's number, or -1 when spec names none. */
int signals_parse(const char *spec);

#endif
