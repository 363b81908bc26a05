#!/usr/bin/env python3
"""probe.py - round-trip latency of one query at a time.

  probe.py PORT NAMES SECONDS [OUT]

Sends A queries for the names in file NAMES (one per line, used in turn)
to 127.0.0.1:PORT over UDP, one outstanding at a time, for SECONDS, and
prints "sent N lost N p50_us X p99_us Y".  A query without an answer in
1 s is lost.  With OUT, the latencies (microseconds) are written there.
The prober's own cost is in every figure alike: compare runs, not
absolute values.
"""
import os, socket, struct, sys, time


def query(qid, name):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack(">HH", 1, 1)


def main():
    port, names, secs = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    out = sys.argv[4] if len(sys.argv) > 4 else None
    pkts = [query(0, n.strip()) for n in open(names) if n.strip()]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("127.0.0.1", port))
    s.settimeout(1.0)
    lat, lost, sent, i = [], 0, 0, 0
    end = time.monotonic() + secs
    while time.monotonic() < end:
        qid = (i * 7919 + 1) & 0xFFFF
        p = struct.pack(">H", qid) + pkts[i % len(pkts)][2:]
        i += 1
        t0 = time.perf_counter_ns()
        s.send(p)
        sent += 1
        try:
            while True:
                r = s.recv(4096)
                if r[:2] == p[:2]:
                    break
        except socket.timeout:
            lost += 1
            continue
        lat.append((time.perf_counter_ns() - t0) / 1000.0)
    lat.sort()
    pct = lambda f: lat[min(len(lat) - 1, int(len(lat) * f))] if lat else 0
    print("sent %d lost %d p50_us %.1f p99_us %.1f" % (sent, lost, pct(0.5),
                                                      pct(0.99)))
    if out:
        with open(out, "w") as f:
            f.write("\n".join("%.1f" % x for x in lat) + "\n")


main()
