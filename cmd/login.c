/* `holt login` and `holt logout`: registry credentials in the auth file. */
#include "cmd/cmd.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "net/auth_file.h"
#include "net/registry.h"

#include <fcntl.h>
#include <string.h>
#include <termios.h>

enum { OPT_PASSWORD_STDIN = OPT_LONG_BASE, OPT_TLS_VERIFY, OPT_AUTHFILE };

static const struct cmd_option login_options[] = {
    {"username", 'u', "USER", "user name"},
    {"password", 'p', "PASSWORD", "password (visible to other users: prefer --password-stdin)"},
    {"password-stdin", OPT_PASSWORD_STDIN, NULL, "read the password from stdin"},
    {"tls-verify", OPT_TLS_VERIFY, "[=BOOL]",
     "verify the registry's certificate (default true); false also allows plain HTTP"},
    {"authfile", OPT_AUTHFILE, "FILE", "credentials file to write"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_login_info = {
    .name = "login",
    .args = "[OPTIONS] [REGISTRY]",
    .summary = "Log in to a registry",
    .options = login_options,
};

static const struct cmd_option logout_options[] = {
    {"authfile", OPT_AUTHFILE, "FILE", "credentials file to change"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_logout_info = {
    .name = "logout",
    .args = "[OPTIONS] [REGISTRY]",
    .summary = "Log out from a registry",
    .options = logout_options,
};

/* "https://host:5000/" and Docker Hub's other names, as docker takes them. */
static char *registry_key(const char *arg)
{
	if (!arg)
		return xstrdup("docker.io");
	const char *s = arg;
	if (strncmp(s, "https://", 8) == 0)
		s += 8;
	else if (strncmp(s, "http://", 7) == 0)
		s += 7;
	char *key = xstrndup(s, strcspn(s, "/"));
	if (!strcmp(key, "index.docker.io") || !strcmp(key, "registry-1.docker.io")) {
		free(key);
		key = xstrdup("docker.io");
	}
	return key;
}

/* A line from fd without its newline; with echo off when it is a terminal and secret. */
static char *read_line(FILE *f, bool secret)
{
	struct termios old, quiet;
	bool restore = secret && tcgetattr(fileno(f), &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(f), TCSAFLUSH, &quiet);
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);
	if (restore) {
		tcsetattr(fileno(f), TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (n < 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

static char *prompt(const char *what, bool secret)
{
	cleanup_file FILE *tty = fopen("/dev/tty", "r+e");
	if (!tty)
		return NULL;
	fprintf(stderr, "%s: ", what);
	fflush(stderr);
	return read_line(tty, secret);
}

int cmd_login(int argc, char **argv, struct cmd_ctx *ctx)
{
	const char *user_arg = NULL, *password_arg = NULL, *authfile = NULL;
	bool from_stdin = false, tls_verify = true;
	struct holt_err err = {0};
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_login_info)) != -1) {
		if (c == 'u')
			user_arg = optarg;
		else if (c == 'p')
			password_arg = optarg;
		else if (c == OPT_PASSWORD_STDIN)
			from_stdin = true;
		else if (c == OPT_AUTHFILE)
			authfile = optarg;
		else if (c == OPT_TLS_VERIFY && cmd_parse_bool("tls-verify", optarg, &tls_verify))
			return HOLT_EXIT_ERROR;
	}
	if (argc - optind > 1)
		return cmd_error("login: expected at most one registry");
	if (from_stdin && password_arg)
		return cmd_error("login: --password and --password-stdin are mutually exclusive");
	if (from_stdin && !user_arg)
		return cmd_error("login: --password-stdin needs --username");
	cleanup_free char *host = registry_key(optind < argc ? argv[optind] : NULL);
	cleanup_free char *user = user_arg ? xstrdup(user_arg) : prompt("Username", false);
	if (!user || !*user)
		return cmd_error("login %s: a username is needed (-u USER)", host);
	if (password_arg)
		cmd_warn("using --password on the command line is insecure; use --password-stdin");
	cleanup_free char *password = password_arg ? xstrdup(password_arg)
				      : from_stdin ? read_line(stdin, false)
						   : prompt("Password", true);
	if (!password || !*password)
		return cmd_error("login %s: a password is needed (--password-stdin)", host);

	struct registry_opts o = {.tls_verify = tls_verify, .authfile = authfile};
	struct registry *r = registry_open(host, NULL, &o, &err);
	int ret = r ? registry_check_login(r, user, password, &err) : -1;
	registry_free(r);
	if (ret == 0)
		ret = auth_file_set(authfile, host, user, password, &err);
	explicit_bzero(password, strlen(password));
	if (ret < 0) {
		holt_err_wrap(&err, "login %s", host);
		return cmd_fail(&err);
	}
	printf("Login Succeeded!\n");
	return 0;
}

int cmd_logout(int argc, char **argv, struct cmd_ctx *ctx)
{
	const char *authfile = NULL;
	struct holt_err err = {0};
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_logout_info)) != -1)
		if (c == OPT_AUTHFILE)
			authfile = optarg;
	if (argc - optind > 1)
		return cmd_error("logout: expected at most one registry");
	cleanup_free char *host = registry_key(optind < argc ? argv[optind] : NULL);
	if (auth_file_remove(authfile, host, &err) < 0) {
		holt_err_wrap(&err, "logout");
		return cmd_fail(&err);
	}
	printf("Removed login credentials for %s\n", host);
	return 0;
}
