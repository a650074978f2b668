#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Turns the raw benchmark records (bench/run.sh) into the results table (medians
# of the repetitions) and, when gnuplot is installed, PNG plots beside it.
import collections
import shutil
import statistics
import subprocess
import sys
import tempfile

PATH_ORDER = ["gen-only", "route", "fwd", "xvs-dr", "xvs-tun", "xvs-nat", "xvs-snat",
              "nft-jhash", "nftlb"]
PATH_NOTES = {
    "gen-only": "generator only: XDP_DROP at the balancer's first hop (baseline)",
    "route": "kernel IP forwarding, no balancing (\"direct routing\" for latency)",
    "fwd": "bare XDP forwarder (bench/fwd.bpf.c): the ceiling",
    "xvs-dr": "xvs mode dr, scheduler rr",
    "xvs-tun": "xvs mode tun (IPIP), scheduler rr",
    "xvs-nat": "xvs mode nat",
    "xvs-snat": "xvs mode snat",
    "nft-jhash": "nft dnat to jhash ip saddr . udp sport mod N map {...}",
    "nftlb": "Debian nftlb 1.0.7 -e -c FILE, dnat, hash srcip srcport",
}


def load(path):
    values = collections.defaultdict(list)
    text = {}
    with open(path) as f:
        for line in f:
            section, name, param, metric, value = line.rstrip("\n").split("\t")
            key = (section, name, param, metric)
            try:
                values[key].append(float(value))
            except ValueError:
                text[key] = value
    return values, text


def median(values, key):
    v = [x for x in values.get(key, []) if x == x]
    return statistics.median(v) if v else None


def per_rep(values, key, base_key):
    """Forwarding ns/packet of each repetition: the path's figure minus the
    gen-only figure of the same repetition (paired, so slow drift between
    repetitions cancels instead of adding up)."""
    v, b = values.get(key, []), values.get(base_key, [])
    return [x - y for x, y in zip(v, b) if x == x and y == y]


def ratios(top, bottom):
    return [t / u for t, u in zip(top, bottom) if u > 0]


def fmt_ratios(r, digits=2):
    if not r:
        return "-"
    return (f"{statistics.median(r):.{digits}f}x (repetitions {min(r):.{digits}f}"
            f"-{max(r):.{digits}f})")


def targets(values):
    """Issue 9's targets, each as the median of per-repetition ratios."""
    base = ("main", "gen-only", "-", "ns_per_packet")
    fwd = {n: per_rep(values, ("main", n, "-", "ns_per_packet"), base) for n in PATH_ORDER}
    out = ["Targets (each a ratio of forwarding ns/packet within a repetition; median and range):"]
    out.append(f"  xvs-dr / fwd (target <= 1.15x): {fmt_ratios(ratios(fwd['xvs-dr'], fwd['fwd']))}")
    for mode in ("xvs-dr", "xvs-tun", "xvs-nat", "xvs-snat"):
        out.append(f"  nftlb / {mode} (target >= 3x): {fmt_ratios(ratios(fwd['nftlb'], fwd[mode]))}")
    wide = per_rep(values, ("backends", "xvs-dr", "1024", "ns_per_packet"), base)
    narrow = per_rep(values, ("backends", "xvs-dr", "2", "ns_per_packet"), base)
    out.append(f"  xvs-dr 1,024 / 2 backends (target: flat, 1x): {fmt_ratios(ratios(wide, narrow))}")
    return out


def fmt(x, digits=0, unit=""):
    if x is None:
        return "-"
    return f"{x:,.{digits}f}{unit}"


def main():
    raw, outdir = sys.argv[1], sys.argv[2]
    values, text = load(raw)
    env = {k[3]: (text.get(k) or fmt(v[0])) for k, v in list(values.items()) + [(k, [0]) for k in text]
           if k[0] == "env"}
    out = []
    out.append("xvs benchmark: xvs vs bare XDP forwarder vs nftables DNAT, one netns/veth box")
    out.append(f"kernel {env.get('kernel')}, {env.get('cpus')} CPUs, {env.get('reps')} repetitions "
               f"(medians), {env.get('seconds')} s per rate run, xvsd {env.get('xvsd_version')}, "
               f"run took {env.get('duration_s')} s")
    idles = [v for k, vs in values.items() if k[3] == "idle" for v in vs]
    busy = [v for v in idles if v < 90]
    if busy:
        out.append(f"WARNING: the box was busy: {len(busy)} of {len(idles)} runs started with a CPU "
                   f"less than 90% idle (lowest {min(busy):.0f}%); figures are noisy, compare rows "
                   "of this run with each other rather than with other runs.")
    out.append("")

    base = median(values, ("main", "gen-only", "-", "ns_per_packet"))
    route = {m: median(values, ("main", "route", "-", m)) for m in ("rtt_p50_us", "rtt_p99_us")}
    header = (f"{'path':<10} {'Mpps 1thr':>9} {'Mpps 2thr':>9} {'ns/pkt':>7} {'fwd ns/pkt':>10} "
              f"{'rtt p50':>8} {'rtt p99':>8} {'+p50':>6} {'+p99':>6} {'TCP conn/s':>10}")
    out.append("Per path (64-byte UDP, 1,000 flows, 2 backends; ns/pkt = sender thread + ksoftirqd")
    out.append("CPU per delivered packet; fwd ns/pkt = ns/pkt minus gen-only; +p50/+p99 = added")
    out.append("round-trip latency over route, in microseconds):")
    out.append(header)
    out.append("-" * len(header))
    ns_rows = []
    for name in PATH_ORDER:
        if ("na", name, "-", "reason") in text:
            out.append(f"{name:<10} {text[('na', name, '-', 'reason')]}")
            continue
        m = {k[3]: median(values, k) for k in values if k[0] == "main" and k[1] == name}
        if not m:
            continue
        ns = m.get("ns_per_packet")
        fwd_ns = ns - base if ns is not None and base is not None and name != "gen-only" else None
        if fwd_ns is not None:
            ns_rows.append((name, fwd_ns))
        added = {}
        for q in ("rtt_p50_us", "rtt_p99_us"):
            if m.get(q) is not None and route.get(q) is not None and name != "route":
                added[q] = m[q] - route[q]
        pps1 = m.get("pps_t1")
        pps2 = m.get("pps_t2")
        out.append(f"{name:<10} {fmt(pps1 and pps1 / 1e6, 3):>9} {fmt(pps2 and pps2 / 1e6, 3):>9} "
                   f"{fmt(ns):>7} {fmt(fwd_ns):>10} {fmt(m.get('rtt_p50_us'), 1):>8} "
                   f"{fmt(m.get('rtt_p99_us'), 1):>8} {fmt(added.get('rtt_p50_us'), 1):>6} "
                   f"{fmt(added.get('rtt_p99_us'), 1):>6} {fmt(m.get('tcp_conns_per_s')):>10}")
    gen2 = median(values, ("main", "gen-only", "-", "pps_t2"))
    if gen2:
        out.append(f"(the generator alone peaks at {gen2 / 1e6:.2f} Mpps with 2 threads: a path "
                   "near that figure is limited by the generator, not by itself)")
    csum = values.get(("main", "-", "-", "udp_csum_errors"))
    if csum is not None:
        out.append(f"UdpInCsumErrors at the backend after the latency runs: {int(max(csum))}")
    out.append("")
    for name in PATH_ORDER:
        if name in PATH_NOTES and (any(k[1] == name for k in values) or ("na", name, "-", "reason") in text):
            out.append(f"  {name:<10} {PATH_NOTES[name]}")
    out.append("")

    scaling = []
    for section, label, params in (("backends", "backends", ["2", "64", "256", "1024"]),
                                   ("services", "services", ["1", "1000"]),
                                   ("flows", "live flows in the table", ["1k", "1M"])):
        names = [n for n in PATH_ORDER if any(k[0] == section and k[1] == n for k in values)]
        if not names:
            continue
        out.append(f"Forwarding ns/packet by {label} (1 sender thread, minus gen-only):")
        out.append(f"{'path':<10} " + " ".join(f"{p:>8}" for p in params))
        for name in names:
            cells = []
            for p in params:
                ns = median(values, (section, name, p, "ns_per_packet"))
                if (section, name, p, "na") in text:
                    cells.append("n/a")
                    continue
                cells.append(fmt(ns - base if ns is not None and base is not None else None))
                if section == "backends":
                    scaling.append((name, p, ns - base if ns is not None and base else None))
            note = "  (n/a: not measured in this run)" if "n/a" in cells else ""
            out.append(f"{name:<10} " + " ".join(f"{c:>8}" for c in cells) + note)
        out.append("")

    mem = sorted((int(k[2]), median(values, k)) for k in values if k[0] == "memory" and k[3] == "memlock")
    if len(mem) >= 2:
        (e1, m1), (e2, m2) = mem[0], mem[-1]
        out.append(f"Memory per tracked connection: xvs conns map {(m2 - m1) / (e2 - e1):.0f} bytes "
                   f"(memlock {m1 / 2**20:.1f} MiB at {e1:,} entries, {m2 / 2**20:.1f} MiB at "
                   f"{e2:,}; preallocated, so paid per slot whether used or not)")
    obj = median(values, ("memory", "nf_conntrack", "-", "objsize"))
    if obj:
        out.append(f"nf_conntrack slab object (nft paths): {obj:.0f} bytes per tracked connection, "
                   "allocated per live connection")
    out.append("")
    out += targets(values)
    print("\n".join(out))

    if shutil.which("gnuplot") and ns_rows:
        plot(outdir, ns_rows, scaling)


def plot(outdir, ns_rows, scaling):
    with tempfile.TemporaryDirectory() as tmp:
        with open(f"{tmp}/ns.dat", "w") as f:
            for name, ns in ns_rows:
                f.write(f'"{name}" {ns:.0f}\n')
        script = [
            "set terminal png size 800,450",
            f"set output '{outdir}/ns_per_packet.png'",
            "set title 'Balancer CPU per forwarded packet (median; lower is better)'",
            "set ylabel 'ns per packet'", "set style fill solid", "set boxwidth 0.6",
            "set yrange [0:*]", "unset key",
            f"plot '{tmp}/ns.dat' using 0:2:xtic(1) with boxes",
        ]
        names = sorted({n for n, _, _ in scaling})
        if names:
            for name in names:
                with open(f"{tmp}/{name}.dat", "w") as f:
                    for n, p, ns in scaling:
                        if n == name and ns is not None:
                            f.write(f"{p} {ns:.0f}\n")
            script += [
                f"set output '{outdir}/scaling_backends.png'",
                "set title 'Forwarding ns/packet by number of backends'",
                "set xlabel 'backends'", "set logscale x 2", "set key top left",
                "set style data linespoints",
                "plot " + ", ".join(f"'{tmp}/{n}.dat' using 1:2 title '{n}'" for n in names),
            ]
        subprocess.run(["gnuplot"], input="\n".join(script), text=True, check=False)


if __name__ == "__main__":
    main()
