/* SPDX-License-Identifier: MIT */
/* twstorm: make TIME_WAIT sockets on purpose, for twtune's integration tests
 * and benchmarks. Listens on ADDR:PORT (and the next LISTENERS-1 ports),
 * then opens and closes COUNT connections to them, round robin, with the
 * client or the server closing first. Only ever used inside a throwaway
 * network namespace.
 *
 * With --source-port P the client binds connection n to port P + n / LISTENERS
 * itself (SO_REUSEADDR), instead of letting connect() search the range: the
 * kernel's search slows down as TIME_WAIT fills the range, which matters
 * when a benchmark needs 150,000 sockets within their 60 s lifetime.
 *
 * With --destinations D (IPv4 only) the connections go round robin to D
 * destinations: destination d is port PORT + d % LISTENERS at address
 * ADDR + d / LISTENERS (127.0.0.1, 127.0.0.2, ...: all of 127/8 is local),
 * the listeners bind the wildcard address, and every client binds ADDR as
 * its source. With --source-port P, connection n takes port P + n % Q, Q
 * the largest count of ports above P that shares no factor with D: by the
 * Chinese remainder theorem no two connections share both port and
 * destination, and each port carries only COUNT / Q sockets (bind()
 * checks every socket already on its port). That is a census of many
 * distinct peers on loopback.
 *
 * Across namespaces the two ends are two processes: --serve only listens
 * and accepts (closing first with --close server, else after the client's
 * end-of-file), until killed; --remote only connects COUNT times to
 * ADDR:PORT and closes first with --close client, else after the server's,
 * keeping the last K open with --hold K (and --wait: until killed). The
 * server reads all its connections at once, so held ones stall no other.
 *
 * With --bind-first the client binds ADDR, port 0, before connect(), as an
 * application setting its source address does (no SO_REUSEADDR): bind()
 * picks the port, one across all destinations.
 *
 * Prints one line: "opened N failed M [error MESSAGE]". With --wait it then
 * prints "ready" and keeps its listeners, and the last K connections when
 * --hold K is given, until it is killed. With --hold-children C as well,
 * the client ends of those K connections go to C child processes, round
 * robin (the server ends stay): many processes holding sockets, for the
 * owners' benchmark. The children die with the storm (PR_SET_PDEATHSIG). */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_LISTENERS 64

struct options {
	const char *addr;
	unsigned port, listeners;
	unsigned long count, hold, hold_children;
	unsigned source_port;
	unsigned long destinations; /* 0: one per listener */
	int serve, remote;
	int bind_first;
	int server_closes;
	int wait;
};

static void usage(void)
{
	fprintf(stderr, "usage: twstorm [--addr A] [--port P] [--listeners K] [--count N]\n"
			"               [--close client|server] [--hold K [--hold-children C]]\n"
			"               [--wait]\n"
			"               [--source-port P] [--destinations D]\n"
			"               [--serve | --remote] [--bind-first]\n");
	exit(2);
}

/* ADDR:PORT as a socket address, IPv4 or IPv6. */
static int make_addr(const char *addr, unsigned port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

/* Destination D of --destinations: ADDR + D / LISTENERS, port PORT +
 * D % LISTENERS. */
static int destination_addr(const struct options *o, unsigned long d, struct sockaddr_storage *ss,
			    socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	if (make_addr(o->addr, o->port + (unsigned)(d % o->listeners), ss, len) < 0)
		return -1;
	if (o->destinations && sin->sin_family == AF_INET)
		sin->sin_addr.s_addr =
			htonl(ntohl(sin->sin_addr.s_addr) + (uint32_t)(d / o->listeners));
	return 0;
}

static unsigned long gcd(unsigned long a, unsigned long b)
{
	while (b) {
		unsigned long t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* --destinations: how many source ports connection n cycles through. */
static unsigned long source_cycle(const struct options *o)
{
	unsigned long q = 65535 - o->source_port + 1;

	while (q > 1 && gcd(q, o->destinations) != 1)
		q--;
	return q;
}

static int make_listener(const char *addr, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, fd;

	if (make_addr(addr, port, &ss, &len) < 0)
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 1024) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Bind FD to PORT on address SOURCE (the storm's --addr). */
static int bind_source(int fd, const char *source, unsigned port)
{
	struct sockaddr_storage src;
	socklen_t len;
	int one = 1;

	if (make_addr(source, port, &src, &len) < 0)
		return -1;
	if (src.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&src)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)&src)->sin_port = htons((uint16_t)port);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return bind(fd, (struct sockaddr *)&src, len);
}

/* --bind-first: ADDR, port 0, the way an application that sets its
 * source address binds (no SO_REUSEADDR). */
static int bind_port_zero(int fd, const char *source)
{
	struct sockaddr_storage src;
	socklen_t len;

	if (make_addr(source, 0, &src, &len) < 0)
		return -1;
	return bind(fd, (struct sockaddr *)&src, len);
}

/* Close FIRST, wait for the peer to see end-of-file, close the peer: FIRST
 * ends in TIME_WAIT, the peer passes through CLOSE_WAIT and LAST_ACK. */
static void close_in_order(int first, int second)
{
	char buf[16];

	close(first);
	while (read(second, buf, sizeof(buf)) > 0)
		;
	close(second);
}

static void drain_and_close(int fd)
{
	char buf[256];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

/* Connections --serve keeps open at once, waiting for the client's end. */
#define MAX_SERVED 4096

/* --serve: accept on one listener until killed. Without --close server,
 * each connection is closed at the client's end-of-file, and a client that
 * holds some open (--remote --hold) does not hold up the others. */
static int serve(const struct options *o)
{
	static struct pollfd fds[1 + MAX_SERVED];
	int listener = make_listener(o->addr, o->port);
	nfds_t n = 1;

	if (listener < 0) {
		fprintf(stderr, "twstorm: listen on %s:%u: %s\n", o->addr, o->port,
			strerror(errno));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	fds[0].fd = listener;
	for (;;) {
		fds[0].events = n < 1 + MAX_SERVED ? POLLIN : 0;
		if (poll(fds, n, -1) < 0)
			continue;
		if (fds[0].revents & POLLIN) {
			int fd = accept(listener, NULL, NULL);

			if (fd >= 0 && o->server_closes)
				close(fd);
			else if (fd >= 0)
				fds[n++] = (struct pollfd){.fd = fd, .events = POLLIN};
		}
		/* backwards: the last one, moved into a closed one's slot, has
		 * been looked at already */
		for (nfds_t i = n - 1; i >= 1; i--) {
			char buf[256];

			if (!fds[i].revents || read(fds[i].fd, buf, sizeof(buf)) > 0)
				continue;
			close(fds[i].fd);
			fds[i] = fds[--n];
		}
	}
}

/* --remote: connect COUNT times to a server in another namespace. */
static int connect_remote(const struct options *o)
{
	unsigned long opened = 0, failed = 0;
	struct sockaddr_storage ss;
	int last_errno = 0;
	socklen_t len;

	if (make_addr(o->addr, o->port, &ss, &len) < 0)
		usage();
	for (unsigned long n = 0; n < o->count; n++) {
		int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0) {
			last_errno = errno;
			failed++;
			if (fd >= 0)
				close(fd);
			continue;
		}
		opened++;
		if (n >= o->count - o->hold)
			continue; /* held open until the process ends */
		if (o->server_closes)
			drain_and_close(fd);
		else
			close(fd);
	}
	printf("opened %lu failed %lu", opened, failed);
	if (failed)
		printf(" error %s", strerror(last_errno));
	printf("\n");
	fflush(stdout);
	if (o->wait) {
		printf("ready\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	return 0;
}

/* --hold-children: child C keeps the client ends of held connections C,
 * C + CHILDREN, ... and waits for the storm to end; the storm keeps the
 * server ends. */
static void hand_to_children(int *held, unsigned long nheld, unsigned long children)
{
	for (unsigned long c = 0; c < children; c++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("twstorm: fork");
			exit(1);
		}
		if (pid > 0)
			continue;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (unsigned long i = 0; i < nheld; i++) {
			close(held[2 * i + 1]);
			if (i % children != c)
				close(held[2 * i]);
		}
		for (;;)
			pause();
	}
	for (unsigned long i = 0; i < nheld; i++)
		close(held[2 * i]);
}

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"addr", required_argument, NULL, 'a'},
		{"port", required_argument, NULL, 'p'},
		{"listeners", required_argument, NULL, 'l'},
		{"count", required_argument, NULL, 'n'},
		{"close", required_argument, NULL, 'c'},
		{"hold", required_argument, NULL, 'H'},
		{"hold-children", required_argument, NULL, 'C'},
		{"wait", no_argument, NULL, 'w'},
		{"source-port", required_argument, NULL, 's'},
		{"destinations", required_argument, NULL, 'd'},
		{"serve", no_argument, NULL, 'S'},
		{"remote", no_argument, NULL, 'R'},
		{"bind-first", no_argument, NULL, 'B'},
		{NULL, 0, NULL, 0},
	};
	struct options o = {.addr = "127.0.0.1", .port = 8080, .listeners = 1, .count = 100};
	int listeners[MAX_LISTENERS];
	int *held = NULL;
	unsigned long opened = 0, failed = 0, nheld = 0, spread, cycle;
	int last_errno = 0, c;

	while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (c) {
		case 'a': o.addr = optarg; break;
		case 'p': o.port = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'l': o.listeners = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'n': o.count = strtoul(optarg, NULL, 10); break;
		case 'H': o.hold = strtoul(optarg, NULL, 10); break;
		case 'C': o.hold_children = strtoul(optarg, NULL, 10); break;
		case 'w': o.wait = 1; break;
		case 's': o.source_port = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'd': o.destinations = strtoul(optarg, NULL, 10); break;
		case 'S': o.serve = 1; break;
		case 'R': o.remote = 1; break;
		case 'B': o.bind_first = 1; break;
		case 'c':
			if (strcmp(optarg, "server") == 0)
				o.server_closes = 1;
			else if (strcmp(optarg, "client") != 0)
				usage();
			break;
		default: usage();
		}
	}
	spread = o.destinations ? o.destinations : o.listeners;
	if (o.listeners == 0 || o.listeners > MAX_LISTENERS || o.port == 0 ||
	    o.port + o.listeners > 65536 || o.hold > o.count || o.source_port > 65535 ||
	    o.hold_children > o.hold ||
	    (o.destinations &&
	     (o.destinations < o.listeners || o.serve || o.remote || strchr(o.addr, ':'))) ||
	    (o.source_port && !o.destinations && o.source_port + o.count / spread > 65535) ||
	    (o.source_port && o.destinations && o.count / source_cycle(&o) >= o.destinations) ||
	    (o.serve && o.remote) || (o.bind_first && (o.source_port || o.serve || o.remote)))
		usage();
	cycle = o.destinations && o.source_port ? source_cycle(&o) : 0;
	if (o.serve)
		return serve(&o);
	if (o.remote)
		return connect_remote(&o);
	for (unsigned i = 0; i < o.listeners; i++) {
		/* many destination addresses: the wildcard accepts them all */
		listeners[i] = make_listener(o.destinations ? "0.0.0.0" : o.addr, o.port + i);
		if (listeners[i] < 0) {
			fprintf(stderr, "twstorm: listen on %s:%u: %s\n", o.addr, o.port + i,
				strerror(errno));
			return 1;
		}
	}
	if (o.hold && !(held = calloc(2 * o.hold, sizeof(int))))
		return 1;

	for (unsigned long n = 0; n < o.count; n++) {
		unsigned long dest = n % spread;
		unsigned which = (unsigned)(dest % o.listeners);
		struct sockaddr_storage ss;
		socklen_t len;
		int client, server;

		destination_addr(&o, dest, &ss, &len);
		client = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (client >= 0 && o.bind_first && bind_port_zero(client, o.addr) < 0) {
			last_errno = errno;
			failed++;
			close(client);
			continue;
		}
		if (client >= 0 && o.source_port &&
		    bind_source(client, o.addr,
				o.source_port + (unsigned)(cycle ? n % cycle : n / spread)) < 0) {
			last_errno = errno;
			failed++;
			close(client);
			continue;
		}
		if (client < 0 || connect(client, (struct sockaddr *)&ss, len) < 0) {
			last_errno = errno;
			failed++;
			if (client >= 0)
				close(client);
			continue;
		}
		server = accept(listeners[which], NULL, NULL);
		if (server < 0) {
			last_errno = errno;
			failed++;
			close(client);
			continue;
		}
		opened++;
		if (n >= o.count - o.hold) {
			held[2 * nheld] = client;
			held[2 * nheld + 1] = server;
			nheld++;
		} else if (o.server_closes) {
			close_in_order(server, client);
		} else {
			close_in_order(client, server);
		}
	}
	printf("opened %lu failed %lu", opened, failed);
	if (failed)
		printf(" error %s", strerror(last_errno));
	printf("\n");
	fflush(stdout);
	if (o.hold_children)
		hand_to_children(held, nheld, o.hold_children);
	if (o.wait) {
		printf("ready\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	return 0;
}
