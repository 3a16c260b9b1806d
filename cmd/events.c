/* `holt events`: what holt commands and monitors did, from the store's event journal,
 * docker's way: past events between --since and --until, then, without --until, new
 * ones as they come until interrupted. */
#include "storage/events.h"
#include "cmd/cmd.h"
#include "cmd/template.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/humanize.h"

#include <printbuf.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { OPT_SINCE = OPT_LONG_BASE, OPT_UNTIL, OPT_FORMAT };

static const struct cmd_option events_options[] = {
    {"since", OPT_SINCE, "TIME", "show events since TIME (RFC 3339, unix time, or 10m, 1h30m)"},
    {"until", OPT_UNTIL, "TIME", "show events until TIME, then stop"},
    {"filter", 'f', "KEY=VALUE", "container=, image=, event=, type=, label=, volume="},
    {"format", OPT_FORMAT, "FORMAT", "json, or a Go template ('{{json .}}', '{{.Action}}')"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_events_info = {
    .name = "events",
    .args = "[OPTIONS]",
    .summary = "Show the events of containers, images and volumes",
    .options = events_options,
};

static const char *const filter_keys[] = {"container", "image", "event", "type", "label", "volume"};

struct events_opts {
	struct timespec since, until; /* tv_sec 0: unbounded */
	char **filters;
	const char *format;
};

static int parse(int argc, char **argv, struct events_opts *o)
{
	int c;
	while ((c = cmd_getopt(argc, argv, &cmd_events_info)) != -1) {
		struct timespec *t = c == OPT_SINCE ? &o->since : &o->until;
		switch (c) {
		case OPT_SINCE:
		case OPT_UNTIL:
			if (!humanize_parse_since(optarg, t))
				return cmd_error("--%s \"%s\": not a time (2026-01-02T15:04:05Z, a "
						 "unix time, or a duration such as 10m)",
						 c == OPT_SINCE ? "since" : "until", optarg);
			break;
		case 'f': {
			size_t klen = strcspn(optarg, "="), k;
			for (k = 0; k < sizeof filter_keys / sizeof *filter_keys; k++)
				if (strlen(filter_keys[k]) == klen &&
				    strncmp(optarg, filter_keys[k], klen) == 0)
					break;
			if (!optarg[klen] || k == sizeof filter_keys / sizeof *filter_keys)
				return cmd_error("--filter \"%s\": holt filters events on "
						 "container=, image=, event=, type=, label=, "
						 "volume=",
						 optarg);
			strv_push(&o->filters, optarg);
			break;
		}
		case OPT_FORMAT:
			o->format = optarg;
			break;
		}
	}
	if (optind < argc)
		return cmd_error("events: unexpected argument \"%s\"", argv[optind]);
	return 0;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static json_object *attributes(json_object *msg)
{
	json_object *actor, *attrs;
	if (json_object_object_get_ex(msg, "Actor", &actor) &&
	    json_object_object_get_ex(actor, "Attributes", &attrs))
		return attrs;
	return NULL;
}

static const char *actor_id(json_object *msg)
{
	json_object *actor;
	return json_object_object_get_ex(msg, "Actor", &actor) ? str(actor, "ID") : NULL;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* An image reference without its tag ("busybox:1" -> "busybox"). */
static bool same_untagged(const char *name, const char *want)
{
	if (!name)
		return false;
	const char *slash = strrchr(name, '/');
	const char *colon = strrchr(slash ? slash : name, ':');
	size_t len = colon ? (size_t)(colon - name) : strlen(name);
	return strlen(want) == len && strncmp(name, want, len) == 0;
}

static bool image_matches(json_object *msg, const char *want)
{
	const char *type = str(msg, "Type"), *id = actor_id(msg);
	const char *name =
	    str(attributes(msg), type && strcmp(type, "image") == 0 ? "name" : "image");
	return (id && strcmp(id, want) == 0) || (name && strcmp(name, want) == 0) ||
	       same_untagged(id, want) || same_untagged(name, want);
}

static bool label_matches(json_object *msg, const char *want)
{
	size_t klen = strcspn(want, "=");
	cleanup_free char *key = xstrndup(want, klen);
	const char *v = str(attributes(msg), key);
	return v && (!want[klen] || strcmp(v, want + klen + 1) == 0);
}

/* Whether one filter on key passes; docker matches event= exactly, except that
 * exec_start, exec_create and health_status match the actions that begin with them
 * (fuzzy is set when one of the event= filters is such). */
static bool one_filter(json_object *msg, const char *key, const char *val, bool fuzzy)
{
	const char *type = str(msg, "Type"), *id = actor_id(msg);
	if (strcmp(key, "type") == 0)
		return type && strcmp(type, val) == 0;
	if (strcmp(key, "event") == 0) {
		const char *action = str(msg, "Action");
		return action && (strcmp(action, val) == 0 || (fuzzy && has_prefix(action, val)));
	}
	if (strcmp(key, "container") == 0 || strcmp(key, "volume") == 0)
		return type && strcmp(type, key) == 0 &&
		       (has_prefix(id, val) || has_prefix(str(attributes(msg), "name"), val));
	if (strcmp(key, "image") == 0)
		return image_matches(msg, val);
	return label_matches(msg, val);
}

/* docker: filters on one key are alternatives, filters on different keys all apply; but
 * every label= filter applies. */
static bool filters_match(json_object *msg, char **filters)
{
	bool fuzzy = false;
	for (size_t i = 0; filters && filters[i]; i++)
		fuzzy |= strcmp(filters[i], "event=exec_start") == 0 ||
			 strcmp(filters[i], "event=exec_create") == 0 ||
			 strcmp(filters[i], "event=health_status") == 0;
	for (size_t k = 0; k < sizeof filter_keys / sizeof *filter_keys; k++) {
		bool label = strcmp(filter_keys[k], "label") == 0;
		bool any = false, matched = label;
		size_t klen = strlen(filter_keys[k]);
		for (size_t i = 0; filters && filters[i]; i++) {
			if (strncmp(filters[i], filter_keys[k], klen) || filters[i][klen] != '=')
				continue;
			any = true;
			bool m = one_filter(msg, filter_keys[k], filters[i] + klen + 1, fuzzy);
			matched = label ? matched && m : matched || m;
		}
		if (any && !matched)
			return false;
	}
	return true;
}

static int64_t time_nano(json_object *msg)
{
	json_object *v;
	return json_object_object_get_ex(msg, "timeNano", &v) ? json_object_get_int64(v) : 0;
}

static int64_t nano(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

/* docker's default line: "<local time, RFC 3339 with nanoseconds> TYPE ACTION ID
 * (key=value, ...)", the attributes sorted by key. */
static void print_plain(json_object *msg)
{
	int64_t ns = time_nano(msg);
	time_t secs = (time_t)(ns / 1000000000);
	struct tm tm;
	char when[64], zone[8];
	localtime_r(&secs, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof zone, "%z", &tm);
	if (strcmp(zone, "+0000") == 0)
		strcpy(zone, "Z");
	else
		memmove(zone + 4, zone + 3, 3), zone[3] = ':';
	const char *type = str(msg, "Type"), *action = str(msg, "Action"), *id = actor_id(msg);
	printf("%s.%09lld%s %s %s %s", when, (long long)(ns % 1000000000), zone, type ? type : "",
	       action ? action : "", id ? id : "");
	cleanup_strv char **pairs = NULL;
	json_object *attrs = attributes(msg);
	if (attrs && json_object_is_type(attrs, json_type_object)) {
		json_object_object_foreach(attrs, k, v)
		{
			cleanup_free char *pair = xasprintf("%s=%s", k, json_object_get_string(v));
			strv_push(&pairs, pair);
		}
	}
	strv_sort(pairs);
	for (size_t i = 0; pairs && pairs[i]; i++)
		printf("%s%s", i ? ", " : " (", pairs[i]);
	printf("%s\n", pairs ? ")" : "");
}

/* `{{json .}}` shows the message under docker's JSON names, the fields under Go's. */
static int serialize_message(json_object *row, struct printbuf *pb, int level, int flags)
{
	const char *text = json_object_to_json_string_ext(json_object_get_userdata(row), flags);
	printbuf_memappend(pb, text, (int)strlen(text));
	return 0;
}

static void put_message(json_object *row, void *msg)
{
	json_object_put(msg);
}

/* The message with the Go names docker's templates use: .Type, .Action, .Actor.ID, ... */
static json_object *template_row(json_object *msg)
{
	static const char *const names[][2] = {
	    {"status", "Status"}, {"id", "ID"},		{"from", "From"},
	    {"Type", "Type"},	  {"Action", "Action"}, {"Actor", "Actor"},
	    {"scope", "Scope"},	  {"time", "Time"},	{"timeNano", "TimeNano"}};
	json_object *row = json_object_new_object();
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		json_object *v;
		if (json_object_object_get_ex(msg, names[i][0], &v))
			json_object_object_add(row, names[i][1], json_object_get(v));
		else if (i < 3)
			json_object_object_add(row, names[i][1], json_object_new_string(""));
	}
	json_object_set_serializer(row, serialize_message, json_object_get(msg), put_message);
	return row;
}

static int print_event(json_object *msg, const struct template *t)
{
	if (!t) {
		print_plain(msg);
		return 0;
	}
	struct holt_err err = {0};
	json_object *row = template_row(msg);
	cleanup_free char *text = template_render(t, row, &err);
	json_object_put(row);
	if (!text)
		return holt_err_wrap(&err, "events: --format"), cmd_fail(&err);
	printf("%s\n", text);
	return 0;
}

static int now_until(const struct timespec *until)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t left = nano(until) - nano(&now);
	return left <= 0 ? 0 : (int)(left / 1000000) + 1;
}

int cmd_events(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct events_opts o = {0};
	struct holt_err err = {0};

	if (parse(argc, argv, &o)) {
		strv_free(o.filters);
		return HOLT_EXIT_ERROR;
	}
	cleanup_strv char **filters = steal_pointer(&o.filters);
	cleanup_template struct template *t = NULL;
	if (o.format && *o.format) {
		const char *src = strcmp(o.format, "json") == 0 ? "{{json .}}" : o.format;
		if (!(t = template_parse(src, TEMPLATE_TEXT_ESCAPES, &err)))
			return holt_err_wrap(&err, "events: --format"), cmd_fail(&err);
	}
	bool bounded = o.until.tv_sec != 0;
	bool follow = !bounded || now_until(&o.until) > 0;
	cleanup_events_reader struct events_reader *r =
	    events_open(store_root(ctx->store), o.since.tv_sec != 0 || bounded, follow, &err);
	if (!r)
		return cmd_fail(&err);
	for (;;) {
		json_object *msg;
		int timeout = bounded ? now_until(&o.until) : -1;
		if (bounded && follow && timeout == 0)
			return 0;
		int got = events_next(r, timeout, &msg, &err);
		if (got < 0)
			return cmd_fail(&err);
		if (got == 0) {
			if (!follow)
				return 0;
			continue;
		}
		int64_t when = time_nano(msg);
		int ret = 0;
		if ((!o.since.tv_sec || when >= nano(&o.since)) &&
		    (!bounded || when <= nano(&o.until)) && filters_match(msg, filters))
			ret = print_event(msg, t);
		json_object_put(msg);
		if (ret)
			return ret;
		if (follow)
			fflush(stdout);
	}
}
