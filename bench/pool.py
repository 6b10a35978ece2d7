#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Pool the per-round ratios of several bench/run.sh results.

Each ratio compares two phases of one round of one boot, so rounds from
different boots can be pooled; absolute numbers cannot.  Prints an rst
table: median (min-max, rounds) of ours/peer for each metric, and in how
many rounds it was above 1 (for throughput: ours ahead).

A second table says how sure the medians of throughput and of L1 CPU
per I/O (per MB) are; for the CPU, ours is ahead below 1.  Rounds of one
boot are not independent (a slow boot is slow for every backend), so the
95 % interval of the pooled median comes from resampling whole runs
(a cluster bootstrap, 10,000 draws, fixed seed: the same files give the
same interval), and the sign test counts runs, not rounds: in how many
runs ours was ahead in the median, and the chance of at least that many if
ours and the peer were equal (one-sided binomial, p = 1/2).

    pool.py [--png OUT.png] bench/results/A.json bench/results/B.json ...
"""

import json
import math
import os
import random
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
report = __import__("report")

DRAWS = 10000


def run_ratios(phases, kind, peer, key, runs):
    """The per-round ratios of each run that has any."""
    out = []
    for n in runs:
        s = [p for p in phases if p["round"] // 1000 == n]
        r = report.round_ratios(s, kind, peer, key)
        if r:
            out.append(r)
    return out


def bootstrap_median(per_run, draws=DRAWS, seed=1):
    """95 % interval of the pooled median, whole runs resampled."""
    rng = random.Random(seed)
    meds = []
    for _ in range(draws):
        pick = [v for _ in per_run for v in rng.choice(per_run)]
        meds.append(statistics.median(pick))
    meds.sort()
    return meds[int(0.025 * draws)], meds[int(0.975 * draws) - 1]


def sign_p(k, n):
    """P(X >= k) for X ~ Binomial(n, 1/2)."""
    return sum(math.comb(n, i) for i in range(k, n + 1)) / 2 ** n


def confidence(phases, runs):
    rows = []
    for kind, peers in report.PEERS.items():
        key, cpu = report.METRICS[kind][:2]
        for peer in peers:
            # ours is ahead above 1 in throughput, below 1 in CPU
            for metric, up in ((key, True), (cpu, False)):
                per_run = run_ratios(phases, kind, peer, metric, runs)
                if len(per_run) < 2:
                    continue
                pooled = statistics.median([v for r in per_run for v in r])
                lo, hi = bootstrap_median(per_run)
                meds = [statistics.median(r) for r in per_run]
                ahead = sum(m > 1 if up else m < 1 for m in meds)
                rows.append([f"{report.OURS[kind]}/{peer}", metric,
                             f"{pooled:.2f}", f"{lo:.2f}-{hi:.2f}",
                             f"{ahead} of {len(per_run)}",
                             f"{sign_p(ahead, len(per_run)):.2g}"])
    if not rows:
        return ""
    return report.rst_table(rows, ["ours/peer", "metric", "pooled median",
                                   "95 % interval (runs resampled)",
                                   "runs ours ahead",
                                   "p (sign test, runs)"])


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
        key, cpu, bcpu, ex = report.METRICS[kind]
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
    conf = confidence(phases, range(1, len(args) + 1))
    if conf:
        print()
        print(conf)
    if png:
        report.plot(phases, png)


if __name__ == "__main__":
    main()
