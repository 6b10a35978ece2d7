#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""L1 side of bench/run.sh: runs beside the L2 guest (L2_DURING).

Serves the guest's "vmbh.bench" port (a unix socket of L2's QEMU).  At
every "begin" and "end" of a phase it reads, before answering the guest:
the KVM counters in /sys/kernel/debug/kvm/ (exits of L2 to L1's KVM),
/proc/stat, and the CPU time of every L1 thread.  One JSON line per phase
goes to $out/bench-phases.jsonl; a line per phase edge goes to
$out/bench-marks, which bench/hostmon.py on the build machine watches to
record the host's own load at the same edges.

With VMBH_BENCH_TRACE=1 it also keeps histograms of L1 KVM tracepoints
per phase (exit reasons, MSR accesses, Hyper-V hypercalls, APIC register
accesses, injected vectors), to tell where exits come from.  Tracing
costs time in L1: such a run explains counts, it does not measure speed.
With VMBH_BENCH_PIN=1 (one L2 vCPU) it pins, before every phase, L2's
vCPU thread to L1 CPU 0 and every other thread that serves L2 (QEMU's
other threads, vhost and vmbh workers, the iperf3 server, this script)
to CPU 1, so where the scheduler happens to put them no longer decides a
phase's result.
With VMBH_BENCH_PROFILE=1 it samples L1's CPUs with perf during each
phase and keeps the hottest symbols per thread name, the guest's among
them: a sample taken while L2 ran is L2's instruction, named with the
/proc/kallsyms and /proc/modules that the guest sent first ("syms").
"""

import json
import select
import os
import signal
import socket
import subprocess
import sys
import time

OUT = os.environ.get("out", ".")
SOCK = "/tmp/bench.sock"
KVM = "/sys/kernel/debug/kvm"
TRACE = os.environ.get("VMBH_BENCH_TRACE") == "1"
PROFILE = os.environ.get("VMBH_BENCH_PROFILE") == "1"
PIN = os.environ.get("VMBH_BENCH_PIN") == "1"
# bench/run.sh --variant NAME:MODULE.PARAM=VALUE, checked there
VARIANT = os.environ.get("VMBH_BENCH_VARIANT", "")
if VARIANT:
    VARIANT_NAME, _rest = VARIANT.split(":", 1)
    _mp, VARIANT_VALUE = _rest.split("=", 1)
    VARIANT_PATH = "/sys/module/%s/parameters/%s" % tuple(_mp.split(".", 1))
PERF_DATA = "/tmp/bench-perf.data"
GUEST_KALLSYMS = "/tmp/l2-kallsyms"
GUEST_MODULES = "/tmp/l2-modules"
PERF_CTL = "/tmp/bench-perf.ctl"
PERF_ACK = "/tmp/bench-perf.ack"
EVENTS = "/sys/kernel/tracing/events/kvm"
# tracepoint -> histogram keys
HISTS = {"kvm_exit": "exit_reason", "kvm_msr": "ecx,write",
         "kvm_hv_hypercall": "code", "kvm_apic": "reg,rw",
         "kvm_inj_virq": "vector", "kvm_hv_synic_set_irq": "sint,vector"}


def kvm_counters():
    c = {}
    for name in os.listdir(KVM):
        p = os.path.join(KVM, name)
        if not os.path.isfile(p):
            continue
        try:
            with open(p) as f:
                c[name] = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return c


def proc_stat():
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu "):
                v = [int(x) for x in line.split()[1:]]
                keys = ["user", "nice", "system", "idle", "iowait", "irq",
                        "softirq", "steal", "guest", "guest_nice"]
                return dict(zip(keys, v))
    return {}


def tasks():
    """(pid, tid, comm, utime+stime in ticks, (run time in ns, times it
    ran)) of every L1 thread.  The ticks are sampled at the timer tick, and under TCG they
    misattribute a thread that runs briefly and often (the monitor-page
    poller: several times its perf samples); the run time is the
    scheduler's own sum of the thread's time on a CPU (schedstat)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/stat") as f:
                    s = f.read()
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    ss = f.read().split()
                run, slices = int(ss[0]), int(ss[2])
            except (OSError, ValueError, IndexError):
                continue
            comm = s[s.index("(") + 1:s.rindex(")")]
            f2 = s[s.rindex(")") + 2:].split()
            yield pid, tid, comm, int(f2[11]) + int(f2[12]), (run, slices)


def threads():
    """tid -> (comm, ticks, (run ns, times run)) of every L1 thread.
    Keyed by tid alone: a kworker's comm changes with the work it runs."""
    return {tid: (comm, ticks, run) for _, tid, comm, ticks, run in tasks()}


def pin():
    """Pin as described above; returns {comm: cpu} of what was pinned."""
    ts = list(tasks())
    vcpu_pids = {pid for pid, _, comm, _, _ in ts
                 if comm.startswith("CPU ") and comm.endswith("/KVM")}
    done = {}
    for pid, tid, comm, _, _ in ts:
        if pid in vcpu_pids:
            cpu = 0 if comm.startswith("CPU ") else 1
        elif comm.startswith(("vhost-", "vmbh-", "iperf3", "python3")):
            cpu = 1
        else:
            continue
        try:
            os.sched_setaffinity(int(tid), {cpu})
            done[comm] = cpu
        except OSError:
            pass
    return done


def perf_kvm():
    """perf, told where L2's symbols are once the guest sent them."""
    if os.path.exists(GUEST_MODULES):
        return ["perf", "kvm", "--host", "--guest",
                "--guestkallsyms=" + GUEST_KALLSYMS,
                "--guestmodules=" + GUEST_MODULES]
    return ["perf"]


def profile_start():
    """cpu-clock: L1 has no PMU under TCG.  perf starts with its events
    off and is told to sample only once it runs on every CPU, so the
    samples are the phase's (its --control fifos)."""
    for f in (PERF_CTL, PERF_ACK):
        if os.path.exists(f):
            os.unlink(f)
        os.mkfifo(f)
    p = subprocess.Popen(perf_kvm() + ["record", "-a", "-e", "cpu-clock",
                                       "-F", "199", "-q", "-D", "-1",
                                       "--control=fifo:%s,%s" % (PERF_CTL, PERF_ACK),
                                       "-o", PERF_DATA],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Read-write opens: neither waits for perf to open its ends.
    ctl = os.fdopen(os.open(PERF_CTL, os.O_RDWR), "w")
    ack = os.fdopen(os.open(PERF_ACK, os.O_RDWR), "r")
    time.sleep(2)
    perf_control(ctl, ack, "enable")
    return p, ctl, ack


def perf_control(ctl, ack, cmd):
    """Send perf a command; its "ack" within 10 s, or it is not running."""
    ctl.write(cmd + "\n")
    ctl.flush()
    if select.select([ack], [], [], 10)[0]:
        ack.readline()


def profile_stop(proc):
    """Where each CPU's samples went (CPU, thread), the 30 hottest
    (thread, dso, symbol) triples, self time, and the guest's 30 hottest
    symbols, as text; [guest.kernel] symbols are L2's."""
    proc, ctl, ack = proc
    perf_control(ctl, ack, "disable")
    proc.send_signal(signal.SIGINT)
    proc.wait()
    ctl.close()
    ack.close()
    out = []
    guest = [x for x in perf_kvm() if x != "--host"]
    for cmd, sort, n in ((perf_kvm(), "cpu,comm", 20),
                         (perf_kvm(), "comm,dso,sym", 30),
                         (guest, "sym", 30)):
        r = subprocess.run(cmd + ["report", "-i", PERF_DATA, "--stdio",
                                  "--sort", sort,
                                         "--percent-limit", "0.3"],
                           capture_output=True, text=True)
        lines = [x for x in r.stdout.splitlines()
                 if x.strip() and not x.startswith("#")]
        out += lines[:n]
    return "\n".join(out)


def read_syms(rf):
    """The guest's "syms": kallsyms, @@MODULES@@, modules, @@END@@."""
    dst = open(GUEST_KALLSYMS, "w")
    for line in rf:
        if line.strip() == "@@MODULES@@":
            dst.close()
            dst = open(GUEST_MODULES, "w")
            continue
        if line.strip() == "@@END@@":
            break
        dst.write(line)
    dst.close()


def trace_cmd(ev, cmd):
    with open(os.path.join(EVENTS, ev, "trigger"), "w") as f:
        f.write(cmd + "\n")


def trace_setup():
    for ev, keys in HISTS.items():
        if os.path.isdir(os.path.join(EVENTS, ev)):
            trace_cmd(ev, f"hist:keys={keys}:sort=hitcount.descending")


def trace_read():
    """ev -> {"key text": hits}, from each hist file."""
    out = {}
    for ev in HISTS:
        try:
            with open(os.path.join(EVENTS, ev, "hist")) as f:
                text = f.read()
        except OSError:
            continue
        h = {}
        for line in text.splitlines():
            if line.startswith("{") and "hitcount:" in line:
                key = " ".join(line[1:line.index("}")].split())
                h[key] = int(line.split("hitcount:")[1].split()[0])
        out[ev] = h
    return out


def snap_begin():
    """The slow thread scan first, the counters last: right before "go"."""
    th = threads()
    tr = trace_read() if TRACE else None
    st = proc_stat()
    kvm = kvm_counters()
    return {"threads": th, "stat": st, "kvm": kvm, "trace": tr,
            "t": time.monotonic(), "wall": time.time()}


def snap_end():
    """The counters first, right after the guest said "end"."""
    t, wall = time.monotonic(), time.time()
    kvm = kvm_counters()
    st = proc_stat()
    tr = trace_read() if TRACE else None
    return {"t": t, "wall": wall, "kvm": kvm, "stat": st,
            "threads": threads(), "trace": tr}


def delta(a, b):
    d = {"secs": b["t"] - a["t"], "wall": [a["wall"], b["wall"]]}
    d["kvm"] = {k: b["kvm"][k] - a["kvm"].get(k, 0) for k in b["kvm"]}
    d["stat"] = {k: b["stat"][k] - a["stat"].get(k, 0) for k in b["stat"]}
    none = ("", 0, (0, 0))
    th = {f"{tid} {c}": v - a["threads"].get(tid, none)[1]
          for tid, (c, v, _) in b["threads"].items()}
    # Every thread that ran 0.1 ms or more (report.py sums the backend's),
    # and how many times each was put on a CPU.
    run = {f"{tid} {c}": (r[0] - a["threads"].get(tid, none)[2][0],
                          r[1] - a["threads"].get(tid, none)[2][1])
           for tid, (c, _, r) in b["threads"].items()}
    top = [kv for kv in sorted(run.items(), key=lambda kv: -kv[1][0])
           if kv[1][0] >= 100000]
    d["threads_ms"] = {k: round(v[0] / 1e6, 1) for k, v in top}
    d["threads_runs"] = {k: v[1] for k, v in top}
    if b.get("profile"):
        d["profile"] = b["profile"]
    if b.get("trace") is not None:
        d["trace"] = {ev: {k: v - a["trace"].get(ev, {}).get(k, 0)
                           for k, v in h.items()
                           if v > a["trace"].get(ev, {}).get(k, 0)}
                      for ev, h in b["trace"].items()}
    d["threads"] = dict(sorted(((k, v) for k, v in th.items() if v > 0),
                               key=lambda kv: -kv[1])[:12])
    return d


def mark(f, text):
    """Make a phase edge visible to the build machine now: the 9p share
    caches writes, so without fsync they reach the host seconds later.
    Done outside the measured window (before begin, after end)."""
    f.write(f"{text} {time.time():.3f}\n")
    f.flush()
    os.fsync(f.fileno())


def connect():
    for _ in range(600):
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(SOCK)
            return s
        except OSError:
            s.close()
            time.sleep(0.1)
    sys.exit("l1-driver: no socket " + SOCK)


def variant_apply(backend, default):
    """The variant's parameter has its VALUE during the phases of backend
    "...+NAME" and @default, its value at start, during all others."""
    with open(VARIANT_PATH, "w") as f:
        f.write(VARIANT_VALUE if backend.endswith("+" + VARIANT_NAME)
                else default)


def main():
    if TRACE:
        trace_setup()
    s = connect()
    rf = s.makefile("r", encoding="utf-8", errors="replace")
    marks = open(os.path.join(OUT, "bench-marks"), "a")
    # A retried guest (l2-run.sh) starts over: its phases replace those of
    # the try that failed.  The marks file only grows (hostmon reads on).
    phases = open(os.path.join(OUT, "bench-phases.jsonl"), "w")
    # A boot that resumes a stopped run numbers its phases on from the
    # earlier boots' (bench/run.sh keeps those).
    seq = int(os.environ.get("VMBH_BENCH_SEQ0", "0"))
    begin = None
    finished = False
    if VARIANT:
        with open(VARIANT_PATH) as f:
            default = f.read().strip()
    for line in rf:
        w = line.split()
        if not w:
            continue
        if w[0] == "begin" and len(w) == 4:
            mark(marks, f"{seq} begin {w[1]} {w[2]} {w[3]}")
            if VARIANT:
                variant_apply(w[2], default)
            pinned = pin() if PIN else None
            prof = profile_start() if PROFILE else None
            begin = snap_begin()
            s.sendall(b"go\n")
        elif w[0] == "end" and len(w) == 4 and begin is not None:
            end = snap_end()
            if prof:
                end["profile"] = profile_stop(prof)
            mark(marks, f"{seq} end {w[1]} {w[2]} {w[3]}")
            body = []
            for l2 in rf:
                if l2.strip() == "@@END@@":
                    break
                body.append(l2)
            rec = {"seq": seq, "kind": w[1], "backend": w[2],
                   "round": int(w[3]), "l1": delta(begin, end),
                   "pinned": pinned,
                   "output": "".join(body)}
            phases.write(json.dumps(rec) + "\n")
            phases.flush()
            seq += 1
            begin = None
            s.sendall(b"ok\n")
        elif w[0] == "syms":
            read_syms(rf)
            s.sendall(b"ok\n")
        elif w[0] == "done":
            s.sendall(b"ok\n")
            finished = True
            break
    # A guest that went away mid-run is retried (l2-run.sh): the host
    # monitor must go on watching for the retry's marks.
    mark(marks, "done" if finished else "aborted")
    marks.close()
    phases.close()


if __name__ == "__main__":
    main()
