#!/usr/bin/env python3
"""zonediff.py - the same queries to two servers (NSD, taskdns), answers
compared: RCODE, AA and TC, and the answer, authority and additional
sections as sets of (owner, type, TTL, rdata), names case-folded and
decompressed.

  zonediff.py PORT_A PORT_B ZONE NAMESFILE [EXTRA...]

NAMESFILE holds the zone's owner names, one per line.  The queries: each
name, a name below it, "nx-" before its first label and the name in
mixed case, each with the common types; EXTRA adds NAME/TYPE queries of
its own.  Prints one line per difference and, last, "queries N differ
N".  Exits 1 when any differ.
"""
import os, random, socket, struct, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dnsq import qname as wire  # noqa: E402

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15,
         "TXT": 16, "AAAA": 28, "SRV": 33, "DS": 43, "ANY": 255}
NAMES = {v: k for k, v in TYPES.items()}
QTYPES = ["A", "AAAA", "NS", "SOA", "MX", "TXT", "SRV", "CNAME", "PTR",
          "DS", "ANY"]




def read_name(m, i):
    """The name at i (pointers followed) and where it ends in place."""
    labels, end, hops = [], None, 0
    while True:
        n = m[i]
        if n >= 0xC0:
            if end is None:
                end = i + 2
            i = ((n & 0x3F) << 8) | m[i + 1]
            hops += 1
            if hops > 64:
                raise ValueError("pointer loop")
            continue
        i += 1
        if n == 0:
            break
        labels.append(m[i:i + n].decode("latin-1").lower())
        i += n
    return ".".join(labels) + ".", (end if end is not None else i)


def rdata_text(m, t, i, n):
    if t in (2, 5, 12):
        return read_name(m, i)[0]
    if t == 15:
        return "%d %s" % (struct.unpack(">H", m[i:i + 2])[0],
                          read_name(m, i + 2)[0])
    if t == 33:
        p, w, port = struct.unpack(">HHH", m[i:i + 6])
        return "%d %d %d %s" % (p, w, port, read_name(m, i + 6)[0])
    if t == 6:
        a, j = read_name(m, i)
        b, j = read_name(m, j)
        return "%s %s %s" % (a, b, " ".join(str(x) for x in
                             struct.unpack(">IIIII", m[j:j + 20])))
    return m[i:i + n].hex()


def parse(m):
    qid, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", m[:12])
    i = 12
    for _ in range(qd):
        i = read_name(m, i)[1] + 4
    secs = []
    for count in (an, ns, ar):
        s = set()
        for _ in range(count):
            owner, i = read_name(m, i)
            t, c, ttl, n = struct.unpack(">HHIH", m[i:i + 10])
            i += 10
            if t != 41:
                s.add((owner, NAMES.get(t, str(t)), ttl,
                       rdata_text(m, t, i, n)))
            i += n
        secs.append(s)
    return {"rcode": flags & 0xF, "aa": (flags >> 10) & 1,
            "tc": (flags >> 9) & 1, "sections": secs}


def ask(port, name, qtype):
    q = struct.pack(">HHHHHH", random.randint(0, 65535), 0, 1, 0, 0, 1)
    q += wire(name) + struct.pack(">HH", TYPES[qtype], 1)
    q += b"\0" + struct.pack(">HHIH", 41, 4096, 0, 0)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    try:
        for _ in range(3):
            s.sendto(q, ("127.0.0.1", port))
            try:
                return parse(s.recv(65535))
            except socket.timeout:
                continue
        return None
    finally:
        s.close()


def mixed(name):
    return "".join(c.upper() if i % 2 else c for i, c in enumerate(name))


def main():
    pa, pb, zone, namesfile = int(sys.argv[1]), int(sys.argv[2]), \
        sys.argv[3], sys.argv[4]
    random.seed(7)
    names = [l.strip() for l in open(namesfile) if l.strip()]
    queries = []
    for n in names:
        first, _, rest = n.partition(".")
        for v in (n, "below." + n, "nx-" + first + "." + rest, mixed(n)):
            for t in QTYPES:
                queries.append((v, t))
    for e in sys.argv[5:]:
        name, t = e.rsplit("/", 1)
        queries.append((name, t))
    diff = 0
    for name, t in queries:
        a, b = ask(pa, name, t), ask(pb, name, t)
        if a is None or b is None:
            print("%s %s: no answer from %s" % (name, t,
                  "A" if a is None else "B"))
            diff += 1
            continue
        if a != b:
            diff += 1
            what = []
            for k in ("rcode", "aa", "tc"):
                if a[k] != b[k]:
                    what.append("%s %s/%s" % (k, a[k], b[k]))
            for k, sa, sb in zip(("answer", "authority", "additional"),
                                 a["sections"], b["sections"]):
                if sa != sb:
                    what.append("%s only-A %s only-B %s" % (
                        k, sorted(sa - sb), sorted(sb - sa)))
            print("%s %s: %s" % (name, t, "; ".join(what)))
    print("queries %d differ %d" % (len(queries), diff))
    sys.exit(1 if diff else 0)


if __name__ == "__main__":
    main()
