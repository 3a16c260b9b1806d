/* holt-test-tool: a tiny static helper run inside test containers, which have no libc of
 * their own. Each subcommand prints one fact in a fixed format, so the bats suites can
 * compare exact output instead of parsing shell one-liners. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/net.h>
#include <linux/reboot.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <termios.h>
#include <unistd.h>

static int usage(void)
{
	fputs(
	    "usage: holt-test-tool COMMAND [ARG...]\n"
	    "  uidmap           /proc/self/uid_map and gid_map, one 'uid|gid IN OUT COUNT' a line\n"
	    "  exit N           exit with status N\n"
	    "  kill SIG         kill itself with signal number SIG (default action)\n"
	    "  signals          print 'ready', then the name of each of TERM INT HUP USR1 USR2\n"
	    "                   WINCH received; exit 0 after TERM\n"
	    "  winsize          'ROWS COLS' of the terminal on stdin\n"
	    "  isatty           '0=tty|no 1=... 2=...'\n"
	    "  owner PATH...    'UID:GID MODE PATH' (lstat, mode in octal with type bits cut)\n"
	    "  caps             CapEff and CapBnd lines of /proc/self/status\n"
	    "  pid              'PID PPID'\n"
	    "  ids              'uid=R/E gid=R/E groups=N,...'\n"
	    "  ifaces           names of the network interfaces, one a line\n"
	    "  argv ARG...      each argument on a line of its own, in brackets\n"
	    "  fstype PATH      type of the filesystem mounted last on PATH (mountinfo)\n"
	    "  cat FILE         print FILE\n"
	    "  sti FD TEXT      push TEXT into the input of the terminal on FD (TIOCSTI);\n"
	    "                   'sti: ok' or 'sti: ERRNO-NAME'\n"
	    "  key-read DESC    the user key DESC found from the session keyring, as\n"
	    "                   'key: DATA' or 'key: ERRNO-NAME'\n"
	    "  setuid UID       try setresuid(UID): 'setuid UID: ok' or 'setuid UID: ERRNO-NAME'\n"
	    "  setgroups GID    try setgroups([GID]): 'setgroups GID: ok' or '…: ERRNO-NAME'\n"
	    "  key-add DESC DATA  add user key DESC to the session keyring: 'key: ok' or\n"
	    "                   'key: ERRNO-NAME'\n"
	    "  tcp-reply PORT TEXT  on TCP PORT (IPv4 and IPv6), with a backlog for thousands,\n"
	    "                   answer each connection's first bytes with TEXT and a newline,\n"
	    "                   then close it\n"
	    "  tcp-listen PORT  listen on TCP PORT with a backlog of one, and never accept\n"
	    "  tcp-connect HOST PORT [MODE]  connect with TCP_NODELAY, print 'local ADDR',\n"
	    "                   'nodelay N', send a line and print 'read LINE' of the answer;\n"
	    "                   MODE: block (the default); nonblock (also 'in progress' and\n"
	    "                   'again: ok|ERROR' of a second connect); thread (from a second\n"
	    "                   thread); bound (bound first); timeout (SO_SNDTIMEO of a\n"
	    "                   second); relisten (then disconnect, print 'listen: ok|ERROR');\n"
	    "                   i386 or socketcall (as relisten, both calls made as a 32-bit\n"
	    "                   program makes them, directly or through socketcall; x86-64)\n"
	    "  tcp-escape GWPORT ADDR PORT  a non-blocking connect to 10.0.2.2:GWPORT (closed),\n"
	    "                   then 'local ADDR' and, twice, 'again: ok|ERROR' of a connect\n"
	    "                   of that socket to ADDR:PORT whose length has its upper 32 bits\n"
	    "                   set; 'peer ADDR' or 'peer: none' a second later; then\n"
	    "                   'disconnect: ok|ERROR' (AF_UNSPEC)\n"
	    "  udp-echo PORT    answer every datagram to PORT with 'echo: ' and its bytes, but\n"
	    "                   'peer?' with 'peer: ' and the address it came from\n"
	    "  try CALL [ARG]   make one system call, 'CALL: ok' or 'CALL: ERRNO-NAME'; CALL is\n"
	    "                   mount DIR (a tmpfs), reboot (LINUX_REBOOT_CMD_CAD_OFF, which no\n"
	    "                   pid namespace but the host's obeys), module (finit_module),\n"
	    "                   mkdir DIR, unshare (a mount namespace), personality (PER_BSD),\n"
	    "                   vsock (an AF_VSOCK socket), open FILE (read-write)\n"
	    "  xattr-set PATH NAME VALUE  set the xattr NAME of PATH (busybox has no setfattr)\n"
	    "  xattr-get PATH NAME  'NAME=VALUE', or 'NAME: ERRNO-NAME'\n",
	    stderr);
	return 2;
}

static int print_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (!f) {
		fprintf(stderr, "holt-test-tool: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof line, f))
		fputs(line, stdout);
	fclose(f);
	return 0;
}

/* Prints a map with its columns squeezed to single spaces: "uid 0 1000 1". */
static int print_map(const char *kind, const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned long in, out, count;

	if (!f) {
		fprintf(stderr, "holt-test-tool: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fscanf(f, "%lu %lu %lu", &in, &out, &count) == 3)
		printf("%s %lu %lu %lu\n", kind, in, out, count);
	fclose(f);
	return 0;
}

static int cmd_uidmap(void)
{
	return print_map("uid", "/proc/self/uid_map") | print_map("gid", "/proc/self/gid_map");
}

static void on_signal(int sig)
{
	(void)sig; /* never runs: the signals are blocked and taken by sigwaitinfo */
}

static int cmd_signals(void)
{
	static const struct {
		int sig;
		const char *name;
	} sigs[] = {{SIGTERM, "TERM"}, {SIGINT, "INT"},	  {SIGHUP, "HUP"},
		    {SIGUSR1, "USR1"}, {SIGUSR2, "USR2"}, {SIGWINCH, "WINCH"}};
	sigset_t set;

	/* A handler as well as the block: as pid 1 of a pid namespace, signals without a
	 * handler may be dropped. */
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
		struct sigaction sa = {.sa_handler = on_signal};
		sigaction(sigs[i].sig, &sa, NULL);
		sigaddset(&set, sigs[i].sig);
	}
	sigprocmask(SIG_BLOCK, &set, NULL);
	setvbuf(stdout, NULL, _IONBF, 0);
	puts("ready");
	for (;;) {
		int sig = sigwaitinfo(&set, NULL);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			perror("holt-test-tool: sigwaitinfo");
			return 1;
		}
		for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
			if (sigs[i].sig == sig)
				puts(sigs[i].name);
		if (sig == SIGTERM)
			return 0;
	}
}

static int cmd_winsize(void)
{
	struct winsize ws;

	if (ioctl(0, TIOCGWINSZ, &ws) < 0) {
		perror("holt-test-tool: TIOCGWINSZ on stdin");
		return 1;
	}
	printf("%u %u\n", ws.ws_row, ws.ws_col);
	return 0;
}

static int cmd_isatty(void)
{
	printf("0=%s 1=%s 2=%s\n", isatty(0) ? "tty" : "no", isatty(1) ? "tty" : "no",
	       isatty(2) ? "tty" : "no");
	return 0;
}

static int cmd_owner(int argc, char **argv)
{
	int ret = 0;

	for (int i = 0; i < argc; i++) {
		struct stat st;
		if (lstat(argv[i], &st) < 0) {
			fprintf(stderr, "holt-test-tool: stat %s: %s\n", argv[i], strerror(errno));
			ret = 1;
			continue;
		}
		printf("%u:%u %04o %s\n", st.st_uid, st.st_gid, st.st_mode & 07777, argv[i]);
	}
	return ret;
}

static int cmd_caps(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];

	if (!f) {
		perror("holt-test-tool: open /proc/self/status");
		return 1;
	}
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "CapEff:", 7) == 0 || strncmp(line, "CapBnd:", 7) == 0)
			fputs(line, stdout);
	fclose(f);
	return 0;
}

static int cmd_ids(void)
{
	gid_t groups[64];
	int n = getgroups(64, groups);

	printf("uid=%u/%u gid=%u/%u groups=", getuid(), geteuid(), getgid(), getegid());
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", groups[i]);
	putchar('\n');
	return 0;
}

/* /proc/net/dev lists the interfaces of the reader's network namespace (sysfs would show
 * the mounter's). */
static int cmd_ifaces(void)
{
	FILE *f = fopen("/proc/net/dev", "r");
	char line[512];

	if (!f) {
		perror("holt-test-tool: open /proc/net/dev");
		return 1;
	}
	while (fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':'), *name = line;
		if (!colon)
			continue; /* the two header lines */
		*colon = '\0';
		while (*name == ' ')
			name++;
		puts(name);
	}
	fclose(f);
	return 0;
}

static int cmd_fstype(const char *path)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096], found[256] = "";

	if (!f) {
		perror("holt-test-tool: open /proc/self/mountinfo");
		return 1;
	}
	/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS...] - FSTYPE SOURCE SUPER" */
	while (fgets(line, sizeof line, f)) {
		char mnt[1024], *sep = strstr(line, " - ");
		char type[256];
		if (!sep || sscanf(line, "%*s %*s %*s %*s %1023s", mnt) != 1)
			continue;
		if (strcmp(mnt, path) == 0 && sscanf(sep + 3, "%255s", type) == 1)
			snprintf(found, sizeof found, "%s", type);
	}
	fclose(f);
	if (!found[0]) {
		fprintf(stderr, "holt-test-tool: nothing mounted on %s\n", path);
		return 1;
	}
	puts(found);
	return 0;
}

/* An IPv4 peer as itself, also when a dual-stack socket saw it as ::ffff:a.b.c.d. */
static const char *peer_text(const struct sockaddr_storage *from)
{
	static char text[INET6_ADDRSTRLEN];
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)from;
	if (from->ss_family == AF_INET)
		return inet_ntop(AF_INET, &((const struct sockaddr_in *)from)->sin_addr, text,
				 sizeof text);
	if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
		return inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], text, sizeof text);
	return inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
}

/* A UDP server for published-port tests: busybox nc has no UDP. On [::], which takes
 * IPv4 too, where the network has IPv6; else on 0.0.0.0. */
static int cmd_udp_echo(int port)
{
	struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6,
				   .sin6_port = htons((unsigned short)port)};
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa6, sizeof sa6) < 0) {
		if (fd >= 0)
			close(fd);
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
			perror("holt-test-tool: udp-echo");
			return 1;
		}
	}
	for (;;) {
		char in[1024], out[1100];
		struct sockaddr_storage from;
		socklen_t len = sizeof from;
		ssize_t n = recvfrom(fd, in, sizeof in, 0, (struct sockaddr *)&from, &len);
		if (n < 0)
			return 1;
		int m = snprintf(out, sizeof out, "echo: %.*s", (int)n, in);
		if (n == 5 && memcmp(in, "peer?", 5) == 0)
			m = snprintf(out, sizeof out, "peer: %s", peer_text(&from));
		sendto(fd, out, (size_t)m, 0, (struct sockaddr *)&from, len);
	}
}

/* A socket listening on TCP port on every address, IPv6 too where there is IPv6; -1 after
 * saying why. */
static int tcp_listener(int port, int backlog, const char *cmd)
{
	struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6,
				   .sin6_port = htons((unsigned short)port),
				   .sin6_addr = IN6ADDR_ANY_INIT};
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	int one = 1, zero = 0;
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd >= 0 && (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) < 0 ||
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
			bind(fd, (struct sockaddr *)&sa6, sizeof sa6) < 0)) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
		    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
			fprintf(stderr, "holt-test-tool: %s: %s\n", cmd, strerror(errno));
			return -1;
		}
	}
	if (listen(fd, backlog) < 0) {
		fprintf(stderr, "holt-test-tool: %s: %s\n", cmd, strerror(errno));
		return -1;
	}
	return fd;
}

struct tcp_connect {
	const char *host, *mode;
	int port;
	int ret;
};

static void print_local(int fd)
{
	struct sockaddr_in6 sa;
	socklen_t len = sizeof sa;
	char text[INET6_ADDRSTRLEN] = "?";
	if (getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		inet_ntop(sa.sin6_family,
			  sa.sin6_family == AF_INET ? (void *)&((struct sockaddr_in *)&sa)->sin_addr
						    : (void *)&sa.sin6_addr,
			  text, sizeof text);
	printf("local %s\n", text);
}

/* A 32-bit program's calls, made from this 64-bit one through int 0x80: the kernel takes
 * them for i386's, as seccomp does. Their pointers must be below 4 GiB. */
#ifdef __x86_64__
enum { I386_SOCKETCALL = 102, I386_CONNECT = 362, I386_LISTEN = 363 };

static long int80(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(nr), "b"(a), "c"(b), "d"(c)
			 : "memory", "r8", "r9", "r10", "r11");
	return r;
}

static int call32(const char *mode, int op, int fd, const void *addr, socklen_t len, int backlog)
{
	static unsigned char *low;
	if (!low && (low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0)) == MAP_FAILED)
		return low = NULL, errno = ENOMEM, -1;
	uint32_t *args = (uint32_t *)low;
	unsigned char *sa = low + 64;
	long r;
	if (addr)
		memcpy(sa, addr, len);
	if (strcmp(mode, "socketcall") == 0) {
		args[0] = (uint32_t)fd;
		args[1] = op == SYS_CONNECT ? (uint32_t)(uintptr_t)sa : (uint32_t)backlog;
		args[2] = len;
		r = int80(I386_SOCKETCALL, op, (long)(uintptr_t)args, 0);
	} else {
		r = op == SYS_CONNECT ? int80(I386_CONNECT, fd, (long)(uintptr_t)sa, len)
				      : int80(I386_LISTEN, fd, backlog, 0);
	}
	if (r < 0)
		return errno = (int)-r, -1;
	return (int)r;
}
#else
static int call32(const char *mode, int op, int fd, const void *addr, socklen_t len, int backlog)
{
	(void)mode, (void)op, (void)fd, (void)addr, (void)len, (void)backlog;
	return errno = ENOSYS, -1;
}
#endif

static bool mode32(const char *mode)
{
	return strcmp(mode, "i386") == 0 || strcmp(mode, "socketcall") == 0;
}

static int connect_as(const char *mode, int fd, const struct sockaddr *to, socklen_t len)
{
	return mode32(mode) ? call32(mode, SYS_CONNECT, fd, to, len, 0) : connect(fd, to, len);
}

static int listen_as(const char *mode, int fd, int backlog)
{
	return mode32(mode) ? call32(mode, SYS_LISTEN, fd, NULL, 0, backlog) : listen(fd, backlog);
}

/* Connects as mode says, prints the local address and what the server sends. */
static void *tcp_connect_run(void *arg)
{
	struct tcp_connect *t = arg;
	struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6,
				   .sin6_port = htons((unsigned short)t->port)};
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)t->port)};
	bool v6 = strchr(t->host, ':');
	bool nonblock = strcmp(t->mode, "nonblock") == 0;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
	char buf[256];
	ssize_t n;

	t->ret = 1;
	if (v6 ? inet_pton(AF_INET6, t->host, &sa6.sin6_addr) != 1
	       : inet_pton(AF_INET, t->host, &sa.sin_addr) != 1)
		return fprintf(stderr, "tcp-connect: bad address %s\n", t->host), NULL;
	struct sockaddr *to = v6 ? (struct sockaddr *)&sa6 : (struct sockaddr *)&sa;
	socklen_t to_len = v6 ? sizeof sa6 : sizeof sa;
	struct sockaddr_in any = {.sin_family = AF_INET};
	if (strcmp(t->mode, "bound") == 0 && bind(fd, (struct sockaddr *)&any, sizeof any) < 0)
		return perror("tcp-connect: bind"), NULL;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof one);
	struct timeval second = {.tv_sec = 1};
	if (strcmp(t->mode, "timeout") == 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &second, sizeof second);
	int r = connect_as(t->mode, fd, to, to_len);
	if (r < 0 && nonblock && errno == EINPROGRESS) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int err = 0;
		socklen_t len = sizeof err;
		printf("in progress\n");
		poll(&p, 1, 10000);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		fcntl(fd, F_SETFL, 0);
		errno = err;
		r = err ? -1 : 0;
	}
	if (r < 0)
		return printf("connect: %s\n", strerror(errno)), NULL;
	/* the way a program with a non-blocking socket may ask how its connect went */
	if (nonblock)
		printf("again: %s\n", connect(fd, to, to_len) == 0 ? "ok" : strerror(errno));
	int nodelay = 0;
	socklen_t len = sizeof nodelay;
	getsockopt(fd, IPPROTO_TCP, 1 /* TCP_NODELAY */, &nodelay, &len);
	print_local(fd);
	printf("nodelay %d\n", nodelay);
	if (write(fd, "hi\n", 3) == 3 && (n = read(fd, buf, sizeof buf - 1)) > 0)
		printf("read %.*s\n", (int)strcspn(buf, "\n"), buf);
	if (strcmp(t->mode, "relisten") == 0 || mode32(t->mode)) {
		struct sockaddr unspec = {.sa_family = AF_UNSPEC};
		connect_as(t->mode, fd, &unspec, sizeof unspec);
		printf("listen: %s\n", listen_as(t->mode, fd, 1) == 0 ? "ok" : strerror(errno));
	}
	t->ret = 0;
	return NULL;
}

static int cmd_tcp_connect(const char *host, int port, const char *mode)
{
	struct tcp_connect t = {.host = host, .port = port, .mode = mode};
	pthread_t th;
	if (strcmp(mode, "thread") != 0)
		tcp_connect_run(&t);
	else if (pthread_create(&th, NULL, tcp_connect_run, &t) == 0)
		pthread_join(th, NULL);
	return t.ret;
}

/* What a program might try with a socket the helper made in the host's namespace: reap
 * its failed connect and connect it again elsewhere, with a length the kernel reads as
 * an int while seccomp sees the whole register. */
static int cmd_tcp_escape(int gw_port, const char *addr, int port)
{
	struct sockaddr_in gw = {.sin_family = AF_INET, .sin_port = htons((unsigned short)gw_port)};
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	struct sockaddr_in peer;
	socklen_t len = sizeof peer;
	char text[INET_ADDRSTRLEN];
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	inet_pton(AF_INET, "10.0.2.2", &gw.sin_addr);
	if (inet_pton(AF_INET, addr, &to.sin_addr) != 1)
		return fprintf(stderr, "tcp-escape: bad address %s\n", addr), 1;
	if (connect(fd, (struct sockaddr *)&gw, sizeof gw) == 0 || errno != EINPROGRESS)
		return printf("connect: %s\n", strerror(errno)), 1;
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	poll(&p, 1, 5000);
	print_local(fd);
	for (int i = 0; i < 2; i++) {
		long r = syscall(SYS_connect, fd, &to, (1UL << 32) | sizeof to);
		printf("again: %s\n", r == 0 ? "ok" : strerror(errno));
		poll(&p, 1, 1000);
	}
	if (getpeername(fd, (struct sockaddr *)&peer, &len) == 0)
		printf("peer %s\n", inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text));
	else
		printf("peer: none\n");
	struct sockaddr unspec = {.sa_family = AF_UNSPEC};
	printf("disconnect: %s\n",
	       connect(fd, &unspec, sizeof unspec) == 0 ? "ok" : strerror(errno));
	return 0;
}

/* A server that hangs: its backlog fills, and further connections wait. */
static int cmd_tcp_listen(int port)
{
	if (tcp_listener(port, 1, "tcp-listen") < 0)
		return 1;
	for (;;)
		pause();
}

/* Unlike busybox's servers, keeps up with a burst of connections: a backlog of
 * thousands, no process per connection. */
static int cmd_tcp_reply(int port, const char *text)
{
	enum { MAX_CONNS = 1000 };
	int fd = tcp_listener(port, 4096, "tcp-reply");
	if (fd < 0)
		return 1;
	static struct pollfd p[MAX_CONNS + 1];
	nfds_t n = 1;
	p[0] = (struct pollfd){.fd = fd, .events = POLLIN};
	for (;;) {
		p[0].events = n <= MAX_CONNS ? POLLIN : 0;
		if (poll(p, n, -1) < 0)
			return 1;
		for (nfds_t i = n; i-- > 1;) {
			char buf[1024];
			if (!p[i].revents)
				continue;
			if (read(p[i].fd, buf, sizeof buf) > 0)
				dprintf(p[i].fd, "%s\n", text);
			close(p[i].fd);
			p[i] = p[--n];
		}
		if (p[0].revents) {
			int c = accept(fd, NULL, NULL);
			if (c >= 0)
				p[n++] = (struct pollfd){.fd = c, .events = POLLIN};
		}
	}
}

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case ENOKEY:
		return "ENOKEY";
	case ENOSYS:
		return "ENOSYS";
	case EIO:
		return "EIO";
	case EINVAL:
		return "EINVAL";
	case EROFS:
		return "EROFS";
	case ENOENT:
		return "ENOENT";
	default:
		return strerror(e);
	}
}

static int cmd_sti(int fd, const char *text)
{
	for (const char *p = text; *p; p++) {
		char c = *p;
		if (c == '\\' && p[1] == 'n')
			c = '\n', p++;
		if (ioctl(fd, TIOCSTI, &c) < 0) {
			printf("sti: %s\n", errno_name(errno));
			return 1;
		}
	}
	puts("sti: ok");
	return 0;
}

static int cmd_setid(const char *what, const char *arg)
{
	unsigned long id = strtoul(arg, NULL, 10);
	int r = strcmp(what, "setuid") == 0 ? setresuid((uid_t)id, (uid_t)id, (uid_t)id)
					    : setgroups(1, &(gid_t){(gid_t)id});
	printf("%s %lu: %s\n", what, id, r < 0 ? errno_name(errno) : "ok");
	return r < 0;
}

/* The keyring calls by number: the tool is static and has no libkeyutils. */
#define KEY_SPEC_SESSION_KEYRING -3
#define KEYCTL_SEARCH		 10
#define KEYCTL_READ		 11

static int cmd_key_read(const char *desc)
{
	char buf[256];
	long id = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", desc, 0);
	long n = id < 0 ? -1 : syscall(SYS_keyctl, KEYCTL_READ, id, buf, sizeof buf - 1);
	if (n < 0) {
		printf("key: %s\n", errno_name(errno));
		return 1;
	}
	buf[n < (long)sizeof buf ? n : (long)sizeof buf - 1] = '\0';
	printf("key: %s\n", buf);
	return 0;
}

static int cmd_key_add(const char *desc, const char *data)
{
	if (syscall(SYS_add_key, "user", desc, data, strlen(data), KEY_SPEC_SESSION_KEYRING) < 0) {
		printf("key: %s\n", errno_name(errno));
		return 1;
	}
	puts("key: ok");
	return 0;
}

static int cmd_try(const char *call, const char *arg)
{
	long r;
	if (strcmp(call, "mount") == 0)
		r = mount("none", arg ? arg : "/tmp", "tmpfs", 0, NULL);
	else if (strcmp(call, "reboot") == 0)
		r = syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
			    LINUX_REBOOT_CMD_CAD_OFF, NULL);
	else if (strcmp(call, "module") == 0)
		r = syscall(SYS_finit_module, -1, "", 0);
	else if (strcmp(call, "mkdir") == 0)
		r = mkdir(arg ? arg : "/tmp/holt-test-dir", 0755);
	else if (strcmp(call, "unshare") == 0)
		r = unshare(CLONE_NEWNS);
	else if (strcmp(call, "personality") == 0)
		r = personality(0x0006); /* PER_BSD */
	else if (strcmp(call, "vsock") == 0)
		r = socket(AF_VSOCK, SOCK_STREAM, 0);
	else if (strcmp(call, "open") == 0)
		r = arg ? open(arg, O_RDWR) : -1;
	else
		return usage();
	if (r < 0 && errno != EINVAL) {
		printf("%s: %s\n", call, errno_name(errno));
		return 1;
	}
	/* reboot with CAP_SYS_BOOT in a pid namespace: EINVAL, the call went through */
	printf("%s: ok\n", call);
	return 0;
}

static int cmd_xattr_get(const char *path, const char *name)
{
	char value[256];
	ssize_t n = lgetxattr(path, name, value, sizeof value - 1);
	if (n < 0) {
		printf("%s: %s\n", name, strerrorname_np(errno));
		return 1;
	}
	value[n] = '\0';
	printf("%s=%s\n", name, value);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	const char *cmd = argv[1];

	if (strcmp(cmd, "uidmap") == 0)
		return cmd_uidmap();
	if (strcmp(cmd, "exit") == 0)
		return argc > 2 ? atoi(argv[2]) : 0;
	if (strcmp(cmd, "kill") == 0) {
		int sig = argc > 2 ? atoi(argv[2]) : SIGKILL;
		signal(sig, SIG_DFL);
		fflush(stdout);
		kill(getpid(), sig);
		raise(sig);
		return 1; /* pid 1 of a namespace may survive its own signal */
	}
	if (strcmp(cmd, "signals") == 0)
		return cmd_signals();
	if (strcmp(cmd, "winsize") == 0)
		return cmd_winsize();
	if (strcmp(cmd, "isatty") == 0)
		return cmd_isatty();
	if (strcmp(cmd, "owner") == 0)
		return cmd_owner(argc - 2, argv + 2);
	if (strcmp(cmd, "caps") == 0)
		return cmd_caps();
	if (strcmp(cmd, "try") == 0)
		return argc > 2 ? cmd_try(argv[2], argc > 3 ? argv[3] : NULL) : usage();
	if (strcmp(cmd, "pid") == 0) {
		printf("%d %d\n", (int)getpid(), (int)getppid());
		return 0;
	}
	if (strcmp(cmd, "ids") == 0)
		return cmd_ids();
	if (strcmp(cmd, "ifaces") == 0)
		return cmd_ifaces();
	if (strcmp(cmd, "argv") == 0) {
		for (int i = 2; i < argc; i++)
			printf("[%s]\n", argv[i]);
		return 0;
	}
	if (strcmp(cmd, "fstype") == 0)
		return argc > 2 ? cmd_fstype(argv[2]) : usage();
	if (strcmp(cmd, "cat") == 0)
		return argc > 2 ? print_file(argv[2]) : usage();
	if (strcmp(cmd, "sti") == 0)
		return argc > 3 ? cmd_sti(atoi(argv[2]), argv[3]) : usage();
	if (strcmp(cmd, "setuid") == 0 || strcmp(cmd, "setgroups") == 0)
		return argc > 2 ? cmd_setid(cmd, argv[2]) : usage();
	if (strcmp(cmd, "key-read") == 0)
		return argc > 2 ? cmd_key_read(argv[2]) : usage();
	if (strcmp(cmd, "key-add") == 0)
		return argc > 3 ? cmd_key_add(argv[2], argv[3]) : usage();
	if (strcmp(cmd, "tcp-listen") == 0)
		return argc > 2 ? cmd_tcp_listen(atoi(argv[2])) : usage();
	if (strcmp(cmd, "tcp-connect") == 0)
		return argc > 3
			   ? cmd_tcp_connect(argv[2], atoi(argv[3]), argc > 4 ? argv[4] : "block")
			   : usage();
	if (strcmp(cmd, "tcp-escape") == 0)
		return argc > 4 ? cmd_tcp_escape(atoi(argv[2]), argv[3], atoi(argv[4])) : usage();
	if (strcmp(cmd, "tcp-reply") == 0)
		return argc > 3 ? cmd_tcp_reply(atoi(argv[2]), argv[3]) : usage();
	if (strcmp(cmd, "udp-echo") == 0)
		return argc > 2 ? cmd_udp_echo(atoi(argv[2])) : usage();
	if (strcmp(cmd, "xattr-set") == 0) {
		if (argc < 5)
			return usage();
		if (lsetxattr(argv[2], argv[3], argv[4], strlen(argv[4]), 0) == 0)
			return 0;
		perror("xattr-set");
		return 1;
	}
	if (strcmp(cmd, "xattr-get") == 0)
		return argc > 3 ? cmd_xattr_get(argv[2], argv[3]) : usage();
	return usage();
}
