#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of bench/pool.py's statistics (make test, tier 0)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
pool = __import__("pool")


def phase(run, rnd, backend, mbps):
    return {"round": 1000 * run + rnd, "backend": backend, "kind": "net",
            "ok": True, "mbps": mbps}


class SignTest(unittest.TestCase):
    def test_all_ahead(self):
        self.assertAlmostEqual(pool.sign_p(15, 15), 2 ** -15)

    def test_none_ahead_is_certain(self):
        self.assertEqual(pool.sign_p(0, 7), 1.0)

    def test_half(self):
        # P(X >= 2), X ~ B(3, 1/2) = (3 + 1) / 8
        self.assertAlmostEqual(pool.sign_p(2, 3), 0.5)


class Bootstrap(unittest.TestCase):
    def test_interval_holds_the_median_and_repeats(self):
        runs = [[1.0, 1.1, 1.2], [0.9, 1.0], [1.3, 1.4, 1.5, 1.6]]
        lo, hi = pool.bootstrap_median(runs, draws=2000)
        self.assertLessEqual(lo, 1.2)
        self.assertGreaterEqual(hi, 1.2)
        self.assertGreaterEqual(lo, 0.9)
        self.assertLessEqual(hi, 1.6)
        self.assertEqual((lo, hi), pool.bootstrap_median(runs, draws=2000))

    def test_equal_runs_give_a_point(self):
        self.assertEqual(pool.bootstrap_median([[2.0, 2.0]] * 4, draws=500),
                         (2.0, 2.0))


class Confidence(unittest.TestCase):
    def test_runs_are_the_unit(self):
        ph = []
        # Run 1: ahead in both rounds; run 2: behind in both.
        for rnd, (ours, peer) in enumerate([(200, 100), (300, 100)], 1):
            ph += [phase(1, rnd, "vmbus-net", ours),
                   phase(1, rnd, "vhost-net", peer)]
        for rnd, (ours, peer) in enumerate([(50, 100), (60, 100)], 1):
            ph += [phase(2, rnd, "vmbus-net", ours),
                   phase(2, rnd, "vhost-net", peer)]
        per_run = pool.run_ratios(ph, "net", "vhost-net", "mbps", [1, 2])
        self.assertEqual(per_run, [[2.0, 3.0], [0.5, 0.6]])
        table = pool.confidence(ph, [1, 2])
        row = [line for line in table.splitlines()
               if line.startswith("vmbus-net/vhost-net")]
        self.assertEqual(len(row), 1)
        self.assertIn("1 of 2", row[0])
        self.assertIn("0.75", row[0])	# P(X >= 1), X ~ B(2, 1/2)

    def test_lower_cpu_is_ahead(self):
        ph = []
        for run, (ours, peer) in enumerate([(5, 10), (6, 10), (12, 10)], 1):
            for b, cpu in (("vmbus-net", ours), ("vhost-net", peer)):
                p = phase(run, 1, b, 100)
                p["l1_cpu_ms_per_mb"] = cpu
                ph.append(p)
        row = [line for line in pool.confidence(ph, [1, 2, 3]).splitlines()
               if "l1_cpu_ms_per_mb" in line]
        self.assertEqual(len(row), 1)
        self.assertIn("2 of 3", row[0])
        self.assertIn("0.60", row[0])	# the pooled median of 0.5, 0.6, 1.2

    def test_one_run_gives_no_interval(self):
        ph = [phase(1, 1, "vmbus-net", 2), phase(1, 1, "vhost-net", 1)]
        self.assertEqual(pool.confidence(ph, [1]), "")


if __name__ == "__main__":
    unittest.main()
