// SPDX-License-Identifier: GPL-2.0-only
/* pingpong, the benchmark's request/response pair: UDP round-trip latency
 * (p50/p99) and TCP new connections per second, each end pinned to a CPU. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 2000000

static void usage(void)
{
	fprintf(stderr,
		"usage: pingpong udp-server PORT CPU\n"
		"       pingpong udp-client ADDRESS PORT CPU SECONDS\n"
		"           prints: rtt_p50_us=X rtt_p99_us=Y samples=N lost=L\n"
		"       pingpong tcp-server PORT CPU\n"
		"       pingpong tcp-client ADDRESS PORT CPU SECONDS\n"
		"           prints: conns_per_s=X conns=N failed=F\n");
	exit(2);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("pingpong: sched_setaffinity");
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int socket_bound(int type, uint16_t port)
{
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, type, 0), one = 1;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&address, sizeof(address))) {
		perror("pingpong: bind");
		exit(1);
	}
	return fd;
}

/* Answers from the address each request was sent to (IP_PKTINFO): in DR and
 * tun that is the VIP on lo, not the address of the outgoing interface. */
static int udp_server(uint16_t port)
{
	int fd = socket_bound(SOCK_DGRAM, port), one = 1;
	char buffer[2048], control[256];
	struct sockaddr_in peer;
	struct iovec iov;
	struct msghdr message;
	ssize_t length;

	setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	for (;;) {
		iov = (struct iovec){ buffer, sizeof(buffer) };
		message = (struct msghdr){ .msg_name = &peer, .msg_namelen = sizeof(peer),
					   .msg_iov = &iov, .msg_iovlen = 1,
					   .msg_control = control,
					   .msg_controllen = sizeof(control) };
		length = recvmsg(fd, &message, 0);
		if (length < 0)
			continue;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo *info = (void *)CMSG_DATA(c);

				info->ipi_spec_dst = info->ipi_addr;
				info->ipi_ifindex = 0;
			}
		}
		iov.iov_len = (size_t)length;
		sendmsg(fd, &message, 0);
	}
	return 0;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int udp_client(const char *address, uint16_t port, double seconds)
{
	struct sockaddr_in server = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval timeout = { .tv_sec = 0, .tv_usec = 200000 };
	double *samples = malloc(MAX_SAMPLES * sizeof(double)), start, sent, end;
	size_t count = 0, lost = 0;
	char buffer[64] = "xvs-bench ping";
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (!samples || fd < 0 || inet_pton(AF_INET, address, &server.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&server, sizeof(server)))
		usage();
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	start = now_seconds();
	end = start + seconds;
	while (count < MAX_SAMPLES && (sent = now_seconds()) < end) {
		if (send(fd, buffer, 32, 0) < 0 || recv(fd, buffer, sizeof(buffer), 0) < 0) {
			lost++;
			continue;
		}
		samples[count++] = (now_seconds() - sent) * 1e6;
	}
	if (!count) {
		printf("rtt_p50_us=nan rtt_p99_us=nan samples=0 lost=%zu\n", lost);
		return 1;
	}
	qsort(samples, count, sizeof(double), compare_double);
	printf("rtt_p50_us=%.2f rtt_p99_us=%.2f samples=%zu lost=%zu\n", samples[count / 2],
	       samples[count * 99 / 100], count, lost);
	free(samples);
	return 0;
}

/* Writes one byte and closes: the client's reset ends the connection. */
static int tcp_server(uint16_t port)
{
	int fd = socket_bound(SOCK_STREAM, port), client;

	if (listen(fd, 1024)) {
		perror("pingpong: listen");
		return 1;
	}
	for (;;) {
		client = accept(fd, NULL, NULL);
		if (client < 0)
			continue;
		(void)!write(client, "x", 1);
		close(client);
	}
	return 0;
}

/* One connection after another: connect, read the server's byte, close with
 * a reset (SO_LINGER 0) so no TIME_WAIT state runs the client out of ports. */
static int tcp_client(const char *address, uint16_t port, double seconds)
{
	struct sockaddr_in server = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval timeout = { .tv_sec = 1, .tv_usec = 0 };
	struct linger linger = { .l_onoff = 1, .l_linger = 0 };
	unsigned long conns = 0, failed = 0;
	double start, end;
	char byte;
	int fd;

	if (inet_pton(AF_INET, address, &server.sin_addr) != 1)
		usage();
	start = now_seconds();
	end = start + seconds;
	while (now_seconds() < end) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			return 1;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, sizeof(linger));
		if (!connect(fd, (struct sockaddr *)&server, sizeof(server)) &&
		    read(fd, &byte, 1) == 1)
			conns++;
		else
			failed++;
		close(fd);
	}
	printf("conns_per_s=%.0f conns=%lu failed=%lu\n", (double)conns / (now_seconds() - start),
	       conns, failed);
	return conns ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "udp-server")) {
		pin(atoi(argv[3]));
		return udp_server((uint16_t)atoi(argv[2]));
	}
	if (argc == 4 && !strcmp(argv[1], "tcp-server")) {
		pin(atoi(argv[3]));
		return tcp_server((uint16_t)atoi(argv[2]));
	}
	if (argc == 6 && !strcmp(argv[1], "udp-client")) {
		pin(atoi(argv[4]));
		return udp_client(argv[2], (uint16_t)atoi(argv[3]), atof(argv[5]));
	}
	if (argc == 6 && !strcmp(argv[1], "tcp-client")) {
		pin(atoi(argv[4]));
		return tcp_client(argv[2], (uint16_t)atoi(argv[3]), atof(argv[5]));
	}
	usage();
	return 2;
}
