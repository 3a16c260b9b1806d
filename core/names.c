#include "core/names.h"
#include "core/base/util.h"

#include <ctype.h>
#include <sys/random.h>

static const char *const adjectives[] = {
    "admiring", "brave",    "calm",   "dreamy", "eager",   "focused", "gallant",
    "happy",	"jolly",    "keen",   "loving", "modest",  "nifty",   "optimistic",
    "quirky",	"relaxed",  "serene", "tender", "upbeat",  "vibrant", "wizardly",
    "zealous",	"youthful", "sharp",  "stoic",	"pensive", "lucid",   "hopeful",
};

static const char *const nouns[] = {
    "babbage", "curie",	   "darwin",   "euler",	   "fermi",    "galileo", "hopper",
    "hypatia", "kepler",   "lovelace", "meitner",  "noether",  "pascal",  "ritchie",
    "shannon", "thompson", "turing",   "wozniak",  "yalow",    "zuse",	  "franklin",
    "goodall", "lamport",  "liskov",   "mccarthy", "torvalds", "wilson",  "knuth",
};

bool names_valid(const char *name)
{
	if (!isalnum((unsigned char)name[0]))
		return false;
	for (const char *p = name + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			return false;
	return true;
}

char *names_generate(bool with_number)
{
	unsigned r[3] = {0, 0, 0};
	if (getrandom(r, sizeof r, 0) < 0)
		r[0] = (unsigned)getpid(), r[1] = r[0] / 7, r[2] = r[0] / 13;
	const char *a = adjectives[r[0] % (sizeof adjectives / sizeof *adjectives)];
	const char *n = nouns[r[1] % (sizeof nouns / sizeof *nouns)];
	if (with_number)
		return xasprintf("%s_%s%u", a, n, r[2] % 10);
	return xasprintf("%s_%s", a, n);
}
