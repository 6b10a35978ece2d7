#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Pool the per-round ratios of several bench/run.sh results.

Each ratio compares two phases of one round of one boot, so rounds from
different boots can be pooled; absolute numbers cannot.  Prints an rst
table: median (min-max, rounds) of ours/peer for each metric, and in how
many rounds it was above 1 (for throughput: ours ahead).

    pool.py [--png OUT.png] bench/results/A.json bench/results/B.json ...
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
report = __import__("report")


def main():
    args = sys.argv[1:]
    png = None
    if args[:1] == ["--png"]:
        png, args = args[1], args[2:]
    phases = []
    for n, f in enumerate(args):
        for p in json.load(open(f))["phases"]:
            # A --variant's backend is one run's A/B, not a pooled one.
            if p["round"] > 0 and "+" not in p["backend"]:
                p = dict(p, round=1000 * (n + 1) + p["round"])
                phases.append(p)
    rows = []
    for kind, peers in report.PEERS.items():
        key = "iops" if kind == "blk" else "mbps"
        cpu = "l1_cpu_us_per_io" if kind == "blk" else "l1_cpu_ms_per_mb"
        ex = "exits_per_io" if kind == "blk" else "exits_per_packet"
        bcpu = "backend_us_per_io" if kind == "blk" else "backend_ms_per_mb"
        for peer in peers:
            for k in (key, cpu, bcpu, ex):
                s = report.ratios(phases, kind, peer, k, False)
                if not s and k == bcpu:
                    continue	# runs from before the run times
                rows.append([f"{report.OURS[kind]}/{peer}", k, report.fmt_ratio(s),
                             s["over_1"] if s else "--"])
    print(report.rst_table(rows, ["ours/peer", "metric",
                                  "median (min-max, rounds)",
                                  "rounds above 1"]))
    if png:
        report.plot(phases, png)


if __name__ == "__main__":
    main()
