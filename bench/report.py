#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one bench/run.sh run into PREFIX.json, PREFIX.rst and PREFIX.png.

    report.py OUTDIR PREFIX [--load-limit F] [--meta k=v ...]

OUTDIR holds bench-phases.jsonl (L1 driver) and host-marks.jsonl (host
monitor).  A phase counts as "loaded" when work outside the L1 VM's QEMU
used more than F (default 0.25) of the build machine's CPU time during it.
Ratios are ours/peer per round (round 0 is a warm-up and is dropped),
reported as the median with the minimum and maximum over the rounds; the
"clean" ratios use only rounds where both phases ran unloaded.
"""

import argparse
import collections
import json
import os
import statistics
import sys

OURS = {"blk": "vmbus-scsi", "net": "vmbus-net"}
PEERS = {"blk": ["vhost-scsi", "virtio-blk"], "net": ["vhost-net", "virtio-net"]}
# Per kind: throughput, L1 CPU, backend CPU and exits, per I/O or per MB.
METRICS = {"blk": ("iops", "l1_cpu_us_per_io", "backend_us_per_io", "exits_per_io"),
           "net": ("mbps", "l1_cpu_ms_per_mb", "backend_ms_per_mb", "exits_per_packet")}
# The L1 threads that do a backend's work (comm prefixes), and those that
# do work for whichever backend runs (irqfd injection, completions,
# softirqs): a phase's "backend CPU" is their run time (schedstat).
BACKEND_THREADS = {"vmbus-scsi": ("vmbh-",), "vmbus-net": ("vmbh-",),
                   "vhost-scsi": ("vhost-",), "vhost-net": ("vhost-",),
                   "virtio-blk": ("IO io0", "qemu-system-x86"),
                   "virtio-net": ("qemu-system-x86",)}
SHARED_THREADS = ("kworker/", "ksoftirqd/")


def backend_ms(p):
    """Run time in ms of the threads serving p's backend, or None for a
    run recorded before l1-driver.py kept run times."""
    th = p["l1"].get("threads_ms")
    if th is None:
        return None
    own = BACKEND_THREADS[p["backend"].split("+", 1)[0]]
    return sum(ms for name, ms in th.items()
               if name.split(" ", 1)[1].startswith(own + SHARED_THREADS))
HZ = os.sysconf("SC_CLK_TCK")


def parse_json(text):
    i = text.find("{")
    if i < 0:
        return None
    try:
        return json.JSONDecoder().raw_decode(text[i:])[0]
    except ValueError:
        return None


def host_load(marks):
    """seq -> fraction of host CPU used outside the L1 QEMU."""
    by = {}
    for m in marks:
        w = m["mark"].split()
        if len(w) == 6:
            by.setdefault(int(w[0]), {})[w[1]] = m
    load = {}
    for seq, d in by.items():
        if "begin" not in d or "end" not in d:
            continue
        b, e = d["begin"], d["end"]
        busy = e["host"]["busy"] - b["host"]["busy"]
        tot = busy + e["host"]["idle"] - b["host"]["idle"]
        q = 0
        if b["l1_qemu_ticks"] is not None and e["l1_qemu_ticks"] is not None:
            q = e["l1_qemu_ticks"] - b["l1_qemu_ticks"]
        lag = e["t"] - float(e["mark"].split()[5])
        load[seq] = {"other": max(0.0, (busy - q) / tot) if tot else None,
                     "mark_lag_s": lag,
                     "l1_vm": q / tot if tot else None,
                     "loadavg": e["loadavg"][0]}
    return load


def phase_metrics(p):
    l1 = p["l1"]
    st = l1["stat"]
    busy = sum(st.get(k, 0) for k in
               ("user", "nice", "system", "irq", "softirq", "steal"))
    guest = st.get("guest", 0) + st.get("guest_nice", 0)
    m = {"seq": p["seq"], "kind": p["kind"], "backend": p["backend"],
         "round": p["round"], "secs": l1["secs"],
         "exits": l1["kvm"].get("exits"),
         "kvm": {k: v for k, v in l1["kvm"].items() if v},
         "l1_cpu_s": busy / HZ, "l1_guest_cpu_s": guest / HZ,
         "l1_host_side_cpu_s": (busy - guest) / HZ,
         "l1_softirq_s": st.get("softirq", 0) / HZ,
         "l1_threads": l1["threads"],
         "l1_threads_ms": dict(list(l1.get("threads_ms", {}).items())[:12]),
         "l1_threads_runs": dict(list(l1.get("threads_runs", {}).items())[:12]),
         "backend_ms": backend_ms(p),
         "ok": False}
    for k in ("trace", "profile"):
        if k in l1:
            m[k] = l1[k]
    if p.get("pinned"):
        m["pinned"] = p["pinned"]
    out = p["output"]
    if p["kind"] == "blk":
        j = parse_json(out)
        try:
            rd = j["jobs"][0]["read"]
            m.update(iops=rd["iops"], ios=rd["total_ios"],
                     lat_us=rd["clat_ns"]["mean"] / 1000, ok=rd["total_ios"] > 0)
        except (TypeError, KeyError, IndexError):
            m["error"] = out[-400:]
        if m["ok"]:
            m["exits_per_io"] = m["exits"] / m["ios"]
            m["l1_cpu_us_per_io"] = 1e6 * m["l1_host_side_cpu_s"] / m["ios"]
            if m["backend_ms"] is not None:
                m["backend_us_per_io"] = 1e3 * m["backend_ms"] / m["ios"]
            m["value"] = m["iops"]
    else:
        first, _, rest = out.partition("\n")
        w = first.split()
        if len(w) == 5 and w[0] == "nic":
            m["tx_packets"], m["rx_packets"] = int(w[2]), int(w[4])
        else:
            rest = out
        j = parse_json(rest)
        try:
            s = j["end"]["sum_received"]
            m.update(mbps=s["bits_per_second"] / 1e6, bytes=s["bytes"],
                     ok=s["bytes"] > 0)
        except (TypeError, KeyError):
            m["error"] = out[-400:]
        if m["ok"]:
            mb = m["bytes"] / 1e6
            m["exits_per_mb"] = m["exits"] / mb
            if m.get("tx_packets"):
                m["exits_per_packet"] = m["exits"] / m["tx_packets"]
            m["l1_cpu_ms_per_mb"] = 1e3 * m["l1_host_side_cpu_s"] / mb
            if m["backend_ms"] is not None:
                m["backend_ms_per_mb"] = m["backend_ms"] / mb
            m["value"] = m["mbps"]
    return m


def summary(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals),
            "max": max(vals), "n": len(vals),
            "over_1": sum(v > 1 for v in vals)}


def variants(phases, kind):
    """Backends "ours+NAME": our device with a module parameter changed
    for its phases (bench/run.sh --variant)."""
    return sorted({p["backend"] for p in phases
                   if p["backend"].startswith(OURS[kind] + "+")})


def round_ratios(phases, kind, peer, key, clean=False, ours=None):
    """ours/peer for @key in each round where both phases have it."""
    ours = ours or OURS[kind]
    rounds = sorted({p["round"] for p in phases if p["round"] > 0})
    r = []
    for rd in rounds:
        a = [p for p in phases if p["round"] == rd and p["backend"] == ours and p["ok"]]
        b = [p for p in phases if p["round"] == rd and p["backend"] == peer and p["ok"]]
        if not a or not b or not a[0].get(key) or not b[0].get(key):
            continue
        if clean and (a[0]["loaded"] or b[0]["loaded"]):
            continue
        r.append(a[0][key] / b[0][key])
    return r


def ratios(phases, kind, peer, key, clean, ours=None):
    return summary(round_ratios(phases, kind, peer, key, clean, ours))


def fmt(x, nd=2):
    if x is None:
        return "--"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.{nd}f}"


def fmt_med(s, nd=2):
    return fmt(s["median"], nd) if s else "--"


def fmt_ratio(s):
    if not s:
        return "--"
    return f"{s['median']:.2f} ({s['min']:.2f}-{s['max']:.2f}, n={s['n']})"


def fmt_load(s):
    """Median share of the build machine used outside the L1 VM."""
    h = s["host_other_load"]
    return f"{100 * h['median']:.0f} %" if h else "--"


def rst_table(rows, header):
    w = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = "  ".join("=" * x for x in w)
    out = [line, "  ".join(h.ljust(x) for h, x in zip(header, w)), line]
    for r in rows:
        out.append("  ".join(str(c).ljust(x) for c, x in zip(r, w)))
    out.append(line)
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("prefix")
    ap.add_argument("--load-limit", type=float, default=0.25)
    ap.add_argument("--meta", nargs="*", default=[])
    a = ap.parse_args()

    raw = []
    pf = os.path.join(a.outdir, "bench-phases.jsonl")
    if os.path.exists(pf):
        raw = [json.loads(x) for x in open(pf) if x.strip()]
    hf = os.path.join(a.outdir, "host-marks.jsonl")
    marks = [json.loads(x) for x in open(hf)] if os.path.exists(hf) else []
    load = host_load(marks)
    phases = []
    for p in raw:
        m = phase_metrics(p)
        hl = load.get(p["seq"], {})
        m["host_other_load"] = hl.get("other")
        m["host_l1_vm_load"] = hl.get("l1_vm")
        m["host_loadavg"] = hl.get("loadavg")
        m["host_mark_lag_s"] = hl.get("mark_lag_s")
        m["loaded"] = hl.get("other") is None or hl["other"] > a.load_limit
        phases.append(m)
    if not phases:
        sys.exit("report: no phases recorded in " + a.outdir)

    meas = [p for p in phases if p["round"] > 0]
    res = {"meta": dict(kv.split("=", 1) for kv in a.meta),
           "load_limit": a.load_limit, "phases": phases, "backends": {},
           "ratios": {}}
    rows_b, rows_n = [], []
    for kind in ("blk", "net"):
        for b in [OURS[kind]] + variants(meas, kind) + PEERS[kind]:
            ps = [p for p in meas if p["backend"] == b and p["ok"]]
            if not ps:
                res["backends"][b] = None
                continue
            s = {"value": summary([p["value"] for p in ps]),
                 "value_clean": summary([p["value"] for p in ps if not p["loaded"]]),
                 "exits_per_io": summary([p.get("exits_per_io") for p in ps]),
                 "exits_per_packet": summary([p.get("exits_per_packet") for p in ps]),
                 "l1_cpu_us_per_io": summary([p.get("l1_cpu_us_per_io") for p in ps]),
                 "l1_cpu_ms_per_mb": summary([p.get("l1_cpu_ms_per_mb") for p in ps]),
                 "backend_us_per_io": summary([p.get("backend_us_per_io") for p in ps]),
                 "backend_ms_per_mb": summary([p.get("backend_ms_per_mb") for p in ps]),
                 "lat_us": summary([p.get("lat_us") for p in ps]),
                 "host_other_load": summary([p["host_other_load"] for p in ps]),
                 "loaded_phases": sum(p["loaded"] for p in ps), "phases": len(ps)}
            res["backends"][b] = s
            v = s["value"]
            vc = s["value_clean"]
            if kind == "blk":
                rows_b.append([b, fmt(v["median"]), f"{fmt(v['min'])}-{fmt(v['max'])}",
                               fmt(vc["median"]) if vc else "--",
                               fmt(s["lat_us"]["median"], 0),
                               fmt(s["exits_per_io"]["median"]),
                               fmt(s["l1_cpu_us_per_io"]["median"], 0),
                               fmt_med(s["backend_us_per_io"], 0),
                               fmt_load(s),
                               f"{s['loaded_phases']}/{s['phases']}"])
            else:
                ep = s["exits_per_packet"]
                rows_n.append([b, fmt(v["median"]), f"{fmt(v['min'])}-{fmt(v['max'])}",
                               fmt(vc["median"]) if vc else "--",
                               fmt(ep["median"]) if ep else "--",
                               fmt(s["l1_cpu_ms_per_mb"]["median"]),
                               fmt_med(s["backend_ms_per_mb"]),
                               fmt_load(s),
                               f"{s['loaded_phases']}/{s['phases']}"])
        key, cpu, bcpu, ex = METRICS[kind]
        for ours in [OURS[kind]] + variants(meas, kind):
            peers = PEERS[kind] if ours == OURS[kind] else [OURS[kind]] + PEERS[kind]
            for peer in peers:
                res["ratios"][f"{ours}/{peer}"] = {
                    key: ratios(meas, kind, peer, key, False, ours),
                    key + "_clean": ratios(meas, kind, peer, key, True, ours),
                    cpu: ratios(meas, kind, peer, cpu, False, ours),
                    bcpu: ratios(meas, kind, peer, bcpu, False, ours),
                    ex: ratios(meas, kind, peer, ex, False, ours)}

    with open(a.prefix + ".json", "w") as f:
        json.dump(res, f, indent=1)

    txt = []
    if rows_b:
        txt.append(rst_table(rows_b, ["backend", "IOPS (median)", "range",
                                      "unloaded median", "mean lat us",
                                      "exits/IO", "L1 CPU us/IO",
                                      "backend us/IO", "others' CPU",
                                      "loaded"]))
    if rows_n:
        txt.append(rst_table(rows_n, ["backend", "Mbit/s (median)", "range",
                                      "unloaded median", "exits/packet",
                                      "L1 CPU ms/MB", "backend ms/MB",
                                      "others' CPU", "loaded"]))
    rr = []
    for name, d in res["ratios"].items():
        for k, s in d.items():
            rr.append([name, k, fmt_ratio(s)])
    if rr:
        txt.append(rst_table(rr, ["ours/peer", "metric", "median (min-max, rounds)"]))
    tr = trace_table(meas)
    if tr:
        txt.append(tr)
    missing = [b for b, s in res["backends"].items() if s is None]
    if missing:
        txt.append("No measurement for: " + ", ".join(missing) + ".")
    with open(a.prefix + ".rst", "w") as f:
        f.write("\n\n".join(txt) + "\n")
    print("\n\n".join(txt))
    plot(meas, a.prefix + ".png")
    print(f"report: {a.prefix}.json .rst .png")


def trace_table(meas, top=8):
    """Tracepoint hits per I/O (packet), summed over a backend's phases,
    for runs made with --trace."""
    rows = []
    for b in sorted({p["backend"] for p in meas}):
        ps = [p for p in meas if p["backend"] == b and p["ok"] and p.get("trace")]
        n = sum(p.get("ios") or p.get("tx_packets") or 0 for p in ps)
        if not n:
            continue
        for ev in sorted({ev for p in ps for ev in p["trace"]}):
            hits = collections.Counter()
            for p in ps:
                hits.update(p["trace"].get(ev, {}))
            for key, h in hits.most_common(top):
                rows.append([b, ev, key, fmt(h / n, 3)])
    if not rows:
        return ""
    return rst_table(rows, ["backend", "tracepoint", "key", "hits per I/O"])


def plot(meas, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axs = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, kind, unit in ((axs[0], "blk", "IOPS, 4 KiB randread QD32"),
                           (axs[1], "net", "Mbit/s, TCP guest to L1")):
        names = [OURS[kind]] + variants(meas, kind) + PEERS[kind]
        for i, b in enumerate(names):
            ps = [p for p in meas if p["backend"] == b and p["ok"]]
            if not ps:
                ax.text(i, 0, "no data", ha="center", va="bottom")
                continue
            clean = [p["value"] for p in ps if not p["loaded"]]
            loaded = [p["value"] for p in ps if p["loaded"]]
            ax.bar(i, statistics.median(p["value"] for p in ps), color="C%d" % i,
                   alpha=0.35)
            ax.plot([i] * len(clean), clean, "o", color="C%d" % i)
            ax.plot([i] * len(loaded), loaded, "o", mfc="none", color="C%d" % i)
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names)
        ax.set_ylabel(unit)
        ax.set_ylim(bottom=0)
    fig.suptitle("Nested test VM (L1 TCG, L2 KVM): bar = median of rounds, "
                 "dot = round, hollow = host loaded", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


if __name__ == "__main__":
    main()
