// SPDX-License-Identifier: GPL-2.0-only
/* gen, the benchmark's packet generator: 64-byte UDP frames from many source
 * ports through AF_PACKET (PACKET_QDISC_BYPASS, sendmmsg batches), per thread. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netdev.h"

#define FRAME_SIZE 60 /* 64 on the wire with the FCS veth never adds */
#define BATCH 64

struct options {
	const char *ifname;
	unsigned char dmac[6];
	struct in_addr saddr, daddr;
	uint16_t dport, dports, sport;
	uint32_t flows;
	bool replies;   /* -r: source port sport for all, destination dport + flow */
	double seconds;
	int threads;
	int first_cpu;
};

struct worker {
	pthread_t thread;
	const struct options *options;
	int index;
	int ifindex;
	unsigned char smac[6];
	uint64_t sent;
	uint64_t cpu_ns;
	int error;
};

static atomic_int stopping;

static uint16_t checksum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t checksum_add(uint32_t sum, const void *data, size_t length)
{
	const uint8_t *bytes = data;

	for (size_t i = 0; i + 1 < length; i += 2)
		sum += (uint32_t)(bytes[i] << 8 | bytes[i + 1]);
	if (length & 1)
		sum += (uint32_t)(bytes[length - 1] << 8);
	return sum;
}

/* One frame of flow number flow: source port sport + flow, destination port
 * dport + flow % dports (with -r, as a server's replies to those flows:
 * source port sport, destination port dport + flow); IP and UDP checksums
 * complete. */
static void frame_build(const struct options *o, const unsigned char smac[6], uint32_t flow,
			unsigned char *frame)
{
	struct ether_header *eth = (void *)frame;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	uint16_t payload = FRAME_SIZE - sizeof(*eth) - sizeof(*ip) - sizeof(*udp);
	uint32_t sum;

	memset(frame, 0, FRAME_SIZE);
	memcpy(eth->ether_dhost, o->dmac, 6);
	memcpy(eth->ether_shost, smac, 6);
	eth->ether_type = htons(ETHERTYPE_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons((uint16_t)(FRAME_SIZE - sizeof(*eth)));
	ip->id = htons((uint16_t)flow);
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->saddr = o->saddr.s_addr;
	ip->daddr = o->daddr.s_addr;
	ip->check = htons(checksum_fold(checksum_add(0, ip, sizeof(*ip))));
	udp->source = htons((uint16_t)(o->sport + (o->replies ? 0 : flow)));
	udp->dest = htons((uint16_t)(o->dport + (o->replies ? flow : flow % o->dports)));
	udp->len = htons((uint16_t)(sizeof(*udp) + payload));
	memcpy(udp + 1, "xvs-bench", 9);
	sum = checksum_add(0, &ip->saddr, 8);
	sum += IPPROTO_UDP + sizeof(*udp) + payload;
	sum = checksum_add(sum, udp, sizeof(*udp) + payload);
	udp->check = htons(checksum_fold(sum));
	if (!udp->check)
		udp->check = 0xffff;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Each thread sends the flows f with f % threads == index, round and round. */
static void *worker_run(void *arg)
{
	struct worker *w = arg;
	const struct options *o = w->options;
	uint32_t nframes = (o->flows + (uint32_t)o->threads - 1) / (uint32_t)o->threads, n = 0;
	struct sockaddr_ll address = { .sll_family = AF_PACKET, .sll_ifindex = w->ifindex,
				       .sll_halen = 6 };
	struct mmsghdr messages[BATCH];
	struct iovec iovecs[BATCH];
	unsigned char *frames;
	int fd, one = 1;
	uint32_t next = 0;
	uint64_t cpu_start;
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET(o->first_cpu + w->index, &cpus);
	pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	memcpy(address.sll_addr, o->dmac, 6);
	frames = calloc(nframes, FRAME_SIZE);
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (!frames || fd < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one))) {
		w->error = errno ? errno : ENOMEM;
		goto cleanup;
	}
	for (uint32_t f = (uint32_t)w->index; f < o->flows; f += (uint32_t)o->threads)
		frame_build(o, w->smac, f, frames + (size_t)n++ * FRAME_SIZE);
	nframes = n;
	cpu_start = thread_cpu_ns();
	while (!atomic_load_explicit(&stopping, memory_order_relaxed)) {
		for (int i = 0; i < BATCH; i++) {
			iovecs[i].iov_base = frames + (size_t)next * FRAME_SIZE;
			iovecs[i].iov_len = FRAME_SIZE;
			memset(&messages[i], 0, sizeof(messages[i]));
			messages[i].msg_hdr.msg_name = &address;
			messages[i].msg_hdr.msg_namelen = sizeof(address);
			messages[i].msg_hdr.msg_iov = &iovecs[i];
			messages[i].msg_hdr.msg_iovlen = 1;
			next = next + 1 == nframes ? 0 : next + 1;
		}
		int sent = sendmmsg(fd, messages, BATCH, 0);

		if (sent > 0)
			w->sent += (uint64_t)sent;
		else if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
			w->error = errno;
			break;
		}
	}
	w->cpu_ns = thread_cpu_ns() - cpu_start;
cleanup:
	if (fd >= 0)
		close(fd);
	free(frames);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: gen -i IFNAME -m DSTMAC -s SRCIP -d DSTIP [-p DPORT] [-P DPORTS]\n"
		"           [-S SPORT] [-f FLOWS] [-r] [-t SECONDS] [-T THREADS] [-c FIRST_CPU]\n"
		"-r: replies, from SPORT to DPORT + flow (a server answering FLOWS clients)\n"
		"Sends 64-byte UDP frames; prints: sent=N seconds=S pps=P cpu_ns=C\n"
		"(cpu_ns: the sender threads' CPU time, softirq work done in them included).\n");
	exit(2);
}

static void options_parse(int argc, char **argv, struct options *o)
{
	int c;

	*o = (struct options){ .dport = 9000, .dports = 1, .sport = 10000, .flows = 1000,
			       .seconds = 5, .threads = 1, .first_cpu = 1 };
	while ((c = getopt(argc, argv, "i:m:s:d:p:P:S:f:rt:T:c:")) != -1) {
		switch (c) {
		case 'i': o->ifname = optarg; break;
		case 'm': if (netdev_mac_parse(optarg, o->dmac)) usage(); break;
		case 's': if (inet_pton(AF_INET, optarg, &o->saddr) != 1) usage(); break;
		case 'd': if (inet_pton(AF_INET, optarg, &o->daddr) != 1) usage(); break;
		case 'p': o->dport = (uint16_t)atoi(optarg); break;
		case 'P': o->dports = (uint16_t)atoi(optarg); break;
		case 'S': o->sport = (uint16_t)atoi(optarg); break;
		case 'f': o->flows = (uint32_t)atoi(optarg); break;
		case 'r': o->replies = true; break;
		case 't': o->seconds = atof(optarg); break;
		case 'T': o->threads = atoi(optarg); break;
		case 'c': o->first_cpu = atoi(optarg); break;
		default: usage();
		}
	}
	if (!o->ifname || !o->daddr.s_addr || !o->dports || !o->flows || o->flows > 65535 ||
	    o->threads < 1 || o->threads > 64 || o->seconds <= 0)
		usage();
}

int main(int argc, char **argv)
{
	struct worker workers[64];
	struct options o;
	struct timespec start, end;
	uint64_t sent = 0, cpu_ns = 0;
	double seconds;
	int ifindex, error = 0;

	options_parse(argc, argv, &o);
	ifindex = (int)if_nametoindex(o.ifname);
	if (!ifindex) {
		fprintf(stderr, "gen: no interface %s\n", o.ifname);
		return 1;
	}
	memset(workers, 0, sizeof(workers));
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (int i = 0; i < o.threads; i++) {
		workers[i].options = &o;
		workers[i].index = i;
		workers[i].ifindex = ifindex;
		if (netdev_mac(o.ifname, workers[i].smac) ||
		    pthread_create(&workers[i].thread, NULL, worker_run, &workers[i])) {
			fprintf(stderr, "gen: cannot start thread %d\n", i);
			return 1;
		}
	}
	struct timespec pause = { .tv_sec = (time_t)o.seconds,
				  .tv_nsec = (long)((o.seconds - (double)(time_t)o.seconds) * 1e9) };
	nanosleep(&pause, NULL);
	atomic_store(&stopping, 1);
	for (int i = 0; i < o.threads; i++) {
		pthread_join(workers[i].thread, NULL);
		sent += workers[i].sent;
		cpu_ns += workers[i].cpu_ns;
		if (workers[i].error)
			error = workers[i].error;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	if (error) {
		fprintf(stderr, "gen: %s\n", strerror(error));
		return 1;
	}
	seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
	printf("sent=%llu seconds=%.3f pps=%.0f cpu_ns=%llu\n", (unsigned long long)sent, seconds,
	       (double)sent / seconds, (unsigned long long)cpu_ns);
	return 0;
}
