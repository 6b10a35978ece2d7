#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send HMP commands to the L1 QEMU's monitor socket, print the answers.

    tools/testing/l1-mon.py SOCKET CMD [CMD...]

tools/testing/vm.sh gives L1 a monitor on $VMBH_OUT/l1-mon.sock; this
is the post-mortem of an L1 that stopped answering ("info registers -a",
"info lapic", "nmi", "quit").  Each answer is printed after a line
"(qemu) CMD"; the terminal's echo and escape codes are dropped.
"""
import re
import socket
import sys


def read(s, secs):
    """What arrives within secs of the last piece (or until EOF)."""
    s.settimeout(secs)
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except socket.timeout:
        pass
    return out.decode(errors="replace")


def clean(text, cmd):
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text).replace("\r", "")
    lines = [ln for ln in text.split("\n")
             if ln.strip() not in ("(qemu)", "") and not ln.endswith(cmd)]
    return "\n".join(lines)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    read(s, 1.0)
    for cmd in sys.argv[2:]:
        s.sendall((cmd + "\n").encode())
        print(f"(qemu) {cmd}")
        print(clean(read(s, 2.0), cmd), flush=True)


if __name__ == "__main__":
    main()
