// SPDX-License-Identifier: GPL-2.0-only
/* xdpload, the benchmark's XDP helper: attaches the sink and the bare forwarder,
 * reads sink counters, and fills or sizes the conns map of a running xvs_lb. */
#include <errno.h>
#include <sched.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "addr.h"
#include "bench.h"
#include "mapenc.h"
#include "netdev.h"
#include "xvs/xvs.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: xdpload attach IFNAME OBJ        load OBJ's first program, attach native\n"
		"       xdpload fwd IFNAME OUT_IFNAME VIP BACKENDS DMAC OBJ\n"
		"       xdpload detach IFNAME\n"
		"       xdpload count IFNAME             packets the attached sink counted\n"
		"       xdpload conns-fill IFNAME COUNT  add COUNT live UDP flows to xvs conns\n"
		"       xdpload conns-add PIN_DIR COUNT AGE_SECONDS FIRST\n"
		"                                        add COUNT UDP flows of the first backend\n"
		"                                        to the conns pinned in PIN_DIR, last seen\n"
		"                                        AGE_SECONDS ago, clients 10.128.0.0+FIRST..\n"
		"       xdpload conns-memlock IFNAME     memlock bytes and size of xvs conns\n"
		"       xdpload test-run IFNAME VIP COUNT [FLOWS]\n"
		"                                        BPF_PROG_TEST_RUN ns of the attached program\n"
		"       xdpload test-run-reply IFNAME COUNT\n"
		"                                        the same for replies of nat/snat flows\n"
		"       xdpload prog-stats IFNAME SECONDS run_time_ns/run_cnt of it over SECONDS\n");
	return 2;
}

static int ifindex_of(const char *name)
{
	int ifindex = (int)if_nametoindex(name);

	if (!ifindex)
		fprintf(stderr, "xdpload: no interface %s\n", name);
	return ifindex;
}

static int attach(int ifindex, struct bpf_object *obj)
{
	struct bpf_program *prog = bpf_object__next_program(obj, NULL);
	int ret;

	if (!prog)
		return -ENOENT;
	ret = bpf_xdp_attach(ifindex, bpf_program__fd(prog), XDP_FLAGS_DRV_MODE, NULL);
	if (ret)
		fprintf(stderr, "xdpload: attach to ifindex %d: %s\n", ifindex, strerror(-ret));
	return ret;
}

static int command_attach(int argc, char **argv)
{
	struct bpf_object *obj;
	int ifindex, ret;

	if (argc != 4)
		return usage();
	ifindex = ifindex_of(argv[2]);
	if (!ifindex)
		return 1;
	obj = bpf_object__open_file(argv[3], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "xdpload: cannot load %s\n", argv[3]);
		bpf_object__close(obj);
		return 1;
	}
	ret = attach(ifindex, obj);
	bpf_object__close(obj); /* the attachment keeps the program */
	return ret ? 1 : 0;
}

static int command_fwd(int argc, char **argv)
{
	struct bench_fwd_backend backend;
	struct bpf_object *obj = NULL;
	struct bpf_map *rodata, *map;
	int ifindex, out_ifindex, ret = 1;
	struct in_addr vip;
	uint32_t count, key = 0;
	size_t size;
	char values[8];

	if (argc != 8)
		return usage();
	ifindex = ifindex_of(argv[2]);
	out_ifindex = ifindex_of(argv[3]);
	count = (uint32_t)strtoul(argv[5], NULL, 10);
	if (!ifindex || !out_ifindex || inet_pton(AF_INET, argv[4], &vip) != 1 || !count ||
	    count > BENCH_FWD_MAX_BACKENDS || netdev_mac_parse(argv[6], backend.dmac) ||
	    netdev_mac(argv[3], backend.smac))
		return usage();
	obj = bpf_object__open_file(argv[7], NULL);
	if (!obj)
		goto cleanup;
	rodata = bpf_object__find_map_by_name(obj, ".rodata");
	if (!rodata)
		goto cleanup;
	if (!bpf_map__initial_value(rodata, &size) || size != sizeof(values))
		goto cleanup;
	/* .rodata holds fwd_vip then fwd_backend_count (fwd.bpf.c order). */
	memcpy(values, &vip.s_addr, 4);
	memcpy(values + 4, &count, 4);
	if (bpf_map__set_initial_value(rodata, values, sizeof(values)) || bpf_object__load(obj))
		goto cleanup;
	map = bpf_object__find_map_by_name(obj, "fwd_backends");
	for (uint32_t i = 0; i < count; i++)
		if (bpf_map__update_elem(map, &i, sizeof(i), &backend, sizeof(backend), 0))
			goto cleanup;
	map = bpf_object__find_map_by_name(obj, "fwd_tx_port");
	if (bpf_map__update_elem(map, &key, sizeof(key), &out_ifindex, sizeof(out_ifindex), 0))
		goto cleanup;
	ret = attach(ifindex, obj) ? 1 : 0;
cleanup:
	if (ret)
		fprintf(stderr, "xdpload: cannot set up the forwarder from %s\n", argv[7]);
	bpf_object__close(obj);
	return ret;
}

static int command_detach(int argc, char **argv)
{
	int ifindex;

	if (argc != 3)
		return usage();
	ifindex = ifindex_of(argv[2]);
	if (!ifindex)
		return 1;
	return bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL) ? 1 : 0;
}

/* An fd of the map called name used by the program attached to ifname. */
static int attached_map(const char *ifname, const char *name, struct bpf_map_info *info)
{
	uint32_t prog_id = 0, map_ids[64], info_size;
	struct bpf_prog_info prog_info;
	int ifindex = ifindex_of(ifname), prog_fd, fd = -ENOENT;

	if (!ifindex || bpf_xdp_query_id(ifindex, XDP_FLAGS_DRV_MODE, &prog_id) || !prog_id) {
		fprintf(stderr, "xdpload: no native XDP program on %s\n", ifname);
		return -ENOENT;
	}
	prog_fd = bpf_prog_get_fd_by_id(prog_id);
	if (prog_fd < 0)
		return -errno;
	memset(&prog_info, 0, sizeof(prog_info));
	prog_info.nr_map_ids = 64;
	prog_info.map_ids = (uint64_t)(unsigned long)map_ids;
	info_size = sizeof(prog_info);
	if (bpf_obj_get_info_by_fd(prog_fd, &prog_info, &info_size))
		goto cleanup;
	for (uint32_t i = 0; i < prog_info.nr_map_ids && i < 64; i++) {
		int map_fd = bpf_map_get_fd_by_id(map_ids[i]);

		if (map_fd < 0)
			continue;
		memset(info, 0, sizeof(*info));
		info_size = sizeof(*info);
		if (!bpf_obj_get_info_by_fd(map_fd, info, &info_size) &&
		    !strcmp(info->name, name)) {
			fd = map_fd;
			break;
		}
		close(map_fd);
	}
cleanup:
	close(prog_fd);
	if (fd < 0)
		fprintf(stderr, "xdpload: the program on %s has no map %s\n", ifname, name);
	return fd;
}

static int command_count(int argc, char **argv)
{
	int ncpus = libbpf_num_possible_cpus(), fd;
	struct bpf_map_info info;
	uint64_t values[1024], total = 0;
	uint32_t key = 0;

	if (argc != 3)
		return usage();
	if (ncpus <= 0 || ncpus > 1024)
		return 1;
	fd = attached_map(argv[2], "sink_counts", &info);
	if (fd < 0)
		return 1;
	if (bpf_map_lookup_elem(fd, &key, values)) {
		close(fd);
		return 1;
	}
	for (int i = 0; i < ncpus; i++)
		total += values[i];
	printf("%llu\n", (unsigned long long)total);
	close(fd);
	return 0;
}

/* Copies a live entry of the generator's flows COUNT times under other client
 * addresses (172.16.0.0/12, port 1), so the table holds COUNT more live flows;
 * the copied account token is counted in backend_conns like a real entry. */
static int command_conns_fill(int argc, char **argv)
{
	struct xvs_conn_key template_key, *keys = NULL;
	struct xvs_conn template_value, *values = NULL;
	int conns_fd, counts_fd = -1, ret = 1;
	struct xvs_backend_conns counts;
	struct bpf_map_info info;
	struct inet_addr client, vip;
	struct timespec now;
	uint32_t count, batch = 8192, done = 0, backend_id;

	if (argc != 4)
		return usage();
	count = (uint32_t)strtoul(argv[3], NULL, 10);
	conns_fd = attached_map(argv[2], "conns", &info);
	if (conns_fd < 0)
		return 1;
	counts_fd = attached_map(argv[2], "backend_conns", &info);
	if (counts_fd < 0)
		goto cleanup;
	if (bpf_map_get_next_key(conns_fd, NULL, &template_key) ||
	    bpf_map_lookup_elem(conns_fd, &template_key, &template_value)) {
		fprintf(stderr, "xdpload: conns is empty; send traffic first\n");
		goto cleanup;
	}
	keys = calloc(batch, sizeof(*keys));
	values = calloc(batch, sizeof(*values));
	if (!keys || !values)
		goto cleanup;
	inet_addr_from_xvs(&template_key.daddr, template_key.family, &vip);
	clock_gettime(CLOCK_MONOTONIC, &now);
	template_value.last_seen_ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
	while (done < count) {
		uint32_t n = count - done < batch ? count - done : batch;

		for (uint32_t i = 0; i < n; i++) {
			client.family = AF_INET;
			client.v4.s_addr = htonl(0xac100000u + done + i);
			mapenc_conn_key(&client, 1, &vip, ntohs(template_key.dport),
					template_key.proto, &keys[i]);
			values[i] = template_value;
		}
		if (bpf_map_update_batch(conns_fd, keys, values, &n, NULL)) {
			fprintf(stderr, "xdpload: conns batch update: %s\n", strerror(errno));
			goto cleanup;
		}
		done += n;
	}
	backend_id = XVS_ACCOUNT_BACKEND(template_value.account);
	if (template_value.account && !bpf_map_lookup_elem(counts_fd, &backend_id, &counts)) {
		if (XVS_ACCOUNT_ACTIVE(template_value.account))
			counts.active += count;
		else
			counts.inactive += count;
		bpf_map_update_elem(counts_fd, &backend_id, &counts, 0);
	}
	printf("%u\n", done);
	ret = 0;
cleanup:
	free(keys);
	free(values);
	if (counts_fd >= 0)
		close(counts_fd);
	close(conns_fd);
	return ret;
}

static int pinned_map(const char *directory, const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", directory, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "xdpload: %s: %s\n", path, strerror(errno));
	return fd;
}

/* The first backend in use (lowest id with an address) and a key of its
 * service: the VIP, port and protocol the added flows address. */
static int first_backend(int backends_fd, int services_fd, uint32_t *backend_id,
			 struct xvs_service_key *service_key, uint32_t *service_id)
{
	struct xvs_service_key key, next;
	struct xvs_service service;
	struct xvs_backend backend;
	void *previous = NULL;

	for (*backend_id = 0; *backend_id < 65536; (*backend_id)++) {
		if (bpf_map_lookup_elem(backends_fd, backend_id, &backend))
			return -ENOENT;
		if (backend.family)
			break;
	}
	while (bpf_map_get_next_key(services_fd, previous, &next) == 0) {
		key = next;
		previous = &key;
		if (!bpf_map_lookup_elem(services_fd, &key, &service) &&
		    service.id == backend.service_id) {
			*service_key = key;
			*service_id = service.id;
			return 0;
		}
	}
	return -ENOENT;
}

/* Adds flows of a running xvsd's first backend through its pinned maps, its
 * count raised first (so the reaper, which may delete them at once when they
 * are old, never takes the count below what is there). */
static int command_conns_add(int argc, char **argv)
{
	int conns_fd = -1, counts_fd = -1, backends_fd = -1, services_fd = -1, ret = 1;
	struct xvs_conn_key *keys = NULL;
	struct xvs_conn *values = NULL;
	struct xvs_service_key service_key;
	struct xvs_backend_conns counts;
	uint32_t count, first, backend_id, service_id, batch = 8192, done = 0;
	uint64_t now_ns, age_ns;
	struct timespec now;

	if (argc != 6)
		return usage();
	count = (uint32_t)strtoul(argv[3], NULL, 10);
	age_ns = strtoull(argv[4], NULL, 10) * 1000000000ULL;
	first = (uint32_t)strtoul(argv[5], NULL, 10);
	conns_fd = pinned_map(argv[2], "conns");
	counts_fd = pinned_map(argv[2], "backend_conns");
	backends_fd = pinned_map(argv[2], "backends");
	services_fd = pinned_map(argv[2], "services");
	if (conns_fd < 0 || counts_fd < 0 || backends_fd < 0 || services_fd < 0)
		goto cleanup;
	if (first_backend(backends_fd, services_fd, &backend_id, &service_key, &service_id)) {
		fprintf(stderr, "xdpload: no backend in %s\n", argv[2]);
		goto cleanup;
	}
	if (bpf_map_lookup_elem(counts_fd, &backend_id, &counts))
		goto cleanup;
	counts.inactive += count;
	if (bpf_map_update_elem(counts_fd, &backend_id, &counts, 0))
		goto cleanup;
	keys = calloc(batch, sizeof(*keys));
	values = calloc(batch, sizeof(*values));
	if (!keys || !values)
		goto cleanup;
	clock_gettime(CLOCK_MONOTONIC, &now);
	now_ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
	while (done < count) {
		uint32_t n = count - done < batch ? count - done : batch;

		for (uint32_t i = 0; i < n; i++) {
			memset(&keys[i], 0, sizeof(keys[i]));
			keys[i].saddr.v4 = htonl(0x0a800000u + first + done + i);
			keys[i].daddr = service_key.addr;
			keys[i].sport = htons(1024);
			keys[i].dport = service_key.port;
			keys[i].proto = IPPROTO_UDP;
			keys[i].family = service_key.family;
			keys[i].tenant = service_key.tenant;
			values[i] = (struct xvs_conn){
				.last_seen_ns = now_ns - age_ns, .backend_id = backend_id,
				.service_id = service_id, .state = XVS_CONN_UDP,
				.account = XVS_ACCOUNT(backend_id, 0),
			};
		}
		if (bpf_map_update_batch(conns_fd, keys, values, &n, NULL)) {
			fprintf(stderr, "xdpload: conns batch update: %s\n", strerror(errno));
			goto cleanup;
		}
		done += n;
	}
	printf("%u\n", done);
	ret = 0;
cleanup:
	free(keys);
	free(values);
	if (conns_fd >= 0)
		close(conns_fd);
	if (counts_fd >= 0)
		close(counts_fd);
	if (backends_fd >= 0)
		close(backends_fd);
	if (services_fd >= 0)
		close(services_fd);
	return ret;
}

static int command_conns_memlock(int argc, char **argv)
{
	struct bpf_map_info info;
	char path[64], line[256];
	long long memlock = -1;
	FILE *file;
	int fd;

	if (argc != 3)
		return usage();
	fd = attached_map(argv[2], "conns", &info);
	if (fd < 0)
		return 1;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	file = fopen(path, "r");
	while (file && fgets(line, sizeof(line), file))
		if (sscanf(line, "memlock: %lld", &memlock) == 1)
			break;
	if (file)
		fclose(file);
	close(fd);
	if (memlock < 0)
		return 1;
	printf("%lld %u\n", memlock, info.max_entries);
	return 0;
}

/* A 60-byte UDP frame src:sport -> dst:dport with correct checksums. */
static void udp_frame_to(unsigned char *frame, uint32_t src, uint16_t sport, uint32_t dst,
			 uint16_t dport)
{
	unsigned char *ip = frame + 14, *udp = ip + 20;
	uint32_t sum = 0;

	memset(frame, 0, 60);
	frame[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 46;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (unsigned char)(~sum >> 8);
	ip[11] = (unsigned char)~sum;
	udp[0] = (unsigned char)(sport >> 8);
	udp[1] = (unsigned char)sport;
	udp[2] = (unsigned char)(dport >> 8);
	udp[3] = (unsigned char)dport;
	udp[5] = 26; /* checksum 0: none */
}

static void udp_frame(unsigned char *frame, uint32_t src, uint16_t sport, uint32_t dst)
{
	udp_frame_to(frame, src, sport, dst, 9000);
}

/* One BPF_PROG_TEST_RUN of the program fd on frame, as if it had arrived
 * on ifindex; the kernel's duration (ns per run) or 0 on error. */
static uint32_t test_run_once(int fd, unsigned char *frame, int ifindex, uint32_t repeat)
{
	unsigned char out[128];
	struct xdp_md ctx = { .data_end = 60, .ingress_ifindex = (uint32_t)ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = 60,
		    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &opts))
		return 0;
	return opts.duration;
}

/* BPF_PROG_TEST_RUN timing of the XDP program on IFNAME, as if the packets
 * had arrived there. tracked_repeat: one tracked flow, COUNT repeats in the
 * kernel (hot caches). tracked_single: the same flow, COUNT calls of one run
 * each (a call's timer adds ~100 ns). flows_single: COUNT calls cycling
 * through FLOWS tracked flows (the generator's 1,000 source ports by
 * default), so each run finds colder entries. cold_single: the same with
 * 1 MiB of other memory read before each call (the CPU's L1 and L2 caches
 * evicted, as a generator and the kernel's path evict them between packets
 * under load): mostly a count of the cache lines a run needs. new_single:
 * COUNT calls, each a new flow (another client address). All on one CPU. */
static int command_test_run(int argc, char **argv)
{
	unsigned char frame[60];
	uint32_t prog_id = 0, dst, count, flows = 1000;
	uint64_t total_new = 0, total_one = 0, total_flows = 0, total_cold = 0;
	size_t evict_bytes = 1 << 20;
	volatile unsigned char *evict;
	int ifindex, fd, cpu = sched_getcpu();
	cpu_set_t cpus;

	if (argc != 5 && argc != 6)
		return usage();
	ifindex = ifindex_of(argv[2]);
	count = (uint32_t)strtoul(argv[4], NULL, 10);
	if (argc == 6)
		flows = (uint32_t)strtoul(argv[5], NULL, 10);
	if (!ifindex || inet_pton(AF_INET, argv[3], &dst) != 1 || !count || !flows ||
	    flows > 60000 || bpf_xdp_query_id(ifindex, XDP_FLAGS_DRV_MODE, &prog_id) || !prog_id)
		return usage();
	CPU_ZERO(&cpus);
	CPU_SET(cpu < 0 ? 0 : cpu, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	evict = calloc(1, evict_bytes);
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0 || !evict)
		return 1;
	udp_frame(frame, htonl(0xac100001), 40000, dst);
	test_run_once(fd, frame, ifindex, 1); /* make it tracked */
	printf("tracked_repeat_ns=%u\n", test_run_once(fd, frame, ifindex, count));
	for (uint32_t i = 0; i < count; i++)
		total_one += test_run_once(fd, frame, ifindex, 1);
	for (uint32_t i = 0; i < flows; i++) {
		udp_frame(frame, htonl(0xac100002), (uint16_t)(1024 + i), dst);
		test_run_once(fd, frame, ifindex, 1);
	}
	for (uint32_t i = 0; i < count; i++) {
		udp_frame(frame, htonl(0xac100002), (uint16_t)(1024 + i % flows), dst);
		total_flows += test_run_once(fd, frame, ifindex, 1);
	}
	for (uint32_t i = 0; i < count; i++) {
		udp_frame(frame, htonl(0xac100002), (uint16_t)(1024 + i % flows), dst);
		for (size_t at = 0; at < evict_bytes; at += 64)
			(void)evict[at]; /* volatile: every read is done */
		total_cold += test_run_once(fd, frame, ifindex, 1);
	}
	for (uint32_t i = 0; i < count; i++) {
		udp_frame(frame, htonl(0xac200000 + i), 40000, dst);
		total_new += test_run_once(fd, frame, ifindex, 1);
	}
	printf("tracked_single_ns=%.0f flows_single_ns=%.0f cold_single_ns=%.0f "
	       "new_single_ns=%.0f\n", (double)total_one / count, (double)total_flows / count,
	       (double)total_cold / count, (double)total_new / count);
	free((void *)evict);
	close(fd);
	return 0;
}

/* Up to max reply-side keys (IPv4 UDP) of the nat_flows map of the program
 * on ifname: the flows a reply test-run sends as a backend would. */
static uint32_t reply_keys(const char *ifname, struct xvs_conn_key *keys, uint32_t max)
{
	struct xvs_conn_key key, next;
	struct xvs_nat_flow flow;
	struct bpf_map_info info;
	int fd = attached_map(ifname, "nat_flows", &info);
	uint32_t found = 0;

	if (fd < 0)
		return 0;
	for (int err = bpf_map_get_next_key(fd, NULL, &next); !err && found < max;
	     err = bpf_map_get_next_key(fd, &key, &next)) {
		key = next;
		if (!bpf_map_lookup_elem(fd, &key, &flow) && flow.reply &&
		    key.family == XVS_AF_INET && key.proto == IPPROTO_UDP)
			keys[found++] = key;
	}
	close(fd);
	return found;
}

/* BPF_PROG_TEST_RUN timing of the program on IFNAME for the replies of the
 * nat/snat flows in its table (backend -> client, as if they had arrived on
 * IFNAME), COUNT calls of one run each cycling through the flows:
 * reply_first_ns the first reply of each flow, reply_single_ns the next
 * ones, reply_cold_ns the same with L1/L2 evicted before each call (see
 * test-run). */
static int command_test_run_reply(int argc, char **argv)
{
	static struct xvs_conn_key keys[1000];
	uint64_t total_first = 0, total_one = 0, total_cold = 0;
	size_t evict_bytes = 1 << 20;
	uint32_t prog_id = 0, count, flows;
	volatile unsigned char *evict;
	int ifindex, fd, cpu = sched_getcpu();
	unsigned char frame[60];
	cpu_set_t cpus;

	if (argc != 4)
		return usage();
	ifindex = ifindex_of(argv[2]);
	count = (uint32_t)strtoul(argv[3], NULL, 10);
	if (!ifindex || !count || bpf_xdp_query_id(ifindex, XDP_FLAGS_DRV_MODE, &prog_id) ||
	    !prog_id)
		return usage();
	flows = reply_keys(argv[2], keys, 1000);
	if (!flows) {
		fprintf(stderr, "xdpload: no nat/snat flow to reply to\n");
		return 1;
	}
	CPU_ZERO(&cpus);
	CPU_SET(cpu < 0 ? 0 : cpu, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	evict = calloc(1, evict_bytes);
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0 || !evict)
		return 1;
	for (uint32_t i = 0; i < flows; i++) {
		udp_frame_to(frame, keys[i].saddr.v4, ntohs(keys[i].sport), keys[i].daddr.v4,
			     ntohs(keys[i].dport));
		total_first += test_run_once(fd, frame, ifindex, 1);
	}
	for (uint32_t i = 0; i < count; i++) {
		const struct xvs_conn_key *key = &keys[i % flows];

		udp_frame_to(frame, key->saddr.v4, ntohs(key->sport), key->daddr.v4,
			     ntohs(key->dport));
		total_one += test_run_once(fd, frame, ifindex, 1);
	}
	for (uint32_t i = 0; i < count; i++) {
		const struct xvs_conn_key *key = &keys[i % flows];

		udp_frame_to(frame, key->saddr.v4, ntohs(key->sport), key->daddr.v4,
			     ntohs(key->dport));
		for (size_t at = 0; at < evict_bytes; at += 64)
			(void)evict[at];
		total_cold += test_run_once(fd, frame, ifindex, 1);
	}
	printf("reply_flows=%u reply_first_ns=%.0f reply_single_ns=%.0f reply_cold_ns=%.0f\n",
	       flows, (double)total_first / flows, (double)total_one / count,
	       (double)total_cold / count);
	free((void *)evict);
	close(fd);
	return 0;
}

/* Run-time statistics of the XDP program on IFNAME over SECONDS (while load
 * runs): BPF_ENABLE_STATS is held for that long, so kernel.bpf_stats_enabled
 * stays as it was for everyone else. */
static int command_prog_stats(int argc, char **argv)
{
	struct bpf_prog_info before, after;
	uint32_t prog_id = 0, size;
	int ifindex, fd, stats_fd, ret = 1;
	struct timespec pause;
	double seconds;

	if (argc != 4)
		return usage();
	ifindex = ifindex_of(argv[2]);
	seconds = atof(argv[3]);
	if (!ifindex || seconds <= 0 ||
	    bpf_xdp_query_id(ifindex, XDP_FLAGS_DRV_MODE, &prog_id) || !prog_id)
		return usage();
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return 1;
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	size = sizeof(before);
	if (stats_fd < 0 || bpf_obj_get_info_by_fd(fd, &before, &size))
		goto cleanup;
	pause.tv_sec = (time_t)seconds;
	pause.tv_nsec = (long)((seconds - (double)pause.tv_sec) * 1e9);
	nanosleep(&pause, NULL);
	size = sizeof(after);
	if (bpf_obj_get_info_by_fd(fd, &after, &size))
		goto cleanup;
	printf("runs=%llu ns_per_run=%.1f\n", (unsigned long long)(after.run_cnt - before.run_cnt),
	       after.run_cnt > before.run_cnt ? (double)(after.run_time_ns - before.run_time_ns) /
							(double)(after.run_cnt - before.run_cnt)
					      : 0.0);
	ret = 0;
cleanup:
	if (stats_fd >= 0)
		close(stats_fd);
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
		{ "attach", command_attach },
		{ "fwd", command_fwd },
		{ "detach", command_detach },
		{ "count", command_count },
		{ "test-run", command_test_run },
		{ "test-run-reply", command_test_run_reply },
		{ "prog-stats", command_prog_stats },
		{ "conns-fill", command_conns_fill },
		{ "conns-memlock", command_conns_memlock },
		{ "conns-add", command_conns_add },
	};

	if (argc < 2)
		return usage();
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc, argv);
	return usage();
}
