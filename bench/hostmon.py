#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Build-machine side of bench/run.sh: the host's load at every phase edge.

Watches OUT/bench-marks, which the L1 driver appends to at each phase
edge, and at each new line records the host's /proc/stat and the CPU time
of the L1 VM's QEMU (found by the "vmbh.out=OUT" on its command line).
Host CPU time outside that QEMU is other people's work on the shared
cores: the report uses it to flag phases that ran under load.  Writes
OUT/host-marks.jsonl; stops at the "done" mark or when the VM is gone.

    hostmon.py OUT
"""

import json
import os
import sys
import time


def host_stat():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return {"busy": sum(v[:8]) - idle, "idle": idle}


def find_qemu(out):
    want = f"vmbh.out={out}".encode()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cl = f.read()
        except OSError:
            continue
        if want in cl and b"qemu-system" in cl.split(b"\0")[0]:
            return int(pid)
    return None


def proc_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    f2 = s[s.rindex(")") + 2:].split()
    return int(f2[11]) + int(f2[12])


def main():
    out = os.path.abspath(sys.argv[1])
    marks = os.path.join(out, "bench-marks")
    res = open(os.path.join(out, "host-marks.jsonl"), "a")
    pid = None
    pos = 0
    seen_vm = False
    t_end = time.monotonic() + 3600
    while time.monotonic() < t_end:
        if pid is None:
            pid = find_qemu(out)
            seen_vm = seen_vm or pid is not None
        elif proc_ticks(pid) is None:
            break
        try:
            with open(marks) as f:
                f.seek(pos)
                new = f.read()
        except FileNotFoundError:
            new = ""
        if new.endswith("\n"):
            pos += len(new.encode())
            st = host_stat()
            q = proc_ticks(pid) if pid else None
            for line in new.splitlines():
                rec = {"t": time.time(), "mark": line, "host": st,
                       "l1_qemu_ticks": q, "ncpu": os.cpu_count(),
                       "loadavg": open("/proc/loadavg").read().split()[:3]}
                res.write(json.dumps(rec) + "\n")
            res.flush()
            if any(x.startswith("done") for x in new.splitlines()):
                break
        time.sleep(0.1)
    res.close()


if __name__ == "__main__":
    main()
