#!/usr/bin/env python3
"""stress.py - load and hostile traffic for the reliability tests, on
127.0.0.1 only, bounded in time.  Prints 'key=value' lines.

  stress.py PORT hold N SECONDS READYFILE
        N TCP connections opened and held silent for SECONDS (or until
        killed); READYFILE gets the count once they are open
  stress.py PORT noread NAME COUNT SECONDS
        one TCP connection sending COUNT queries for NAME and never
        reading, held SECONDS
  stress.py PORT swapcheck NAME SECONDS SET1 SET2
        sequential A queries for NAME over UDP for SECONDS; each answer's
        addresses (sorted, comma-separated) must be SET1 or SET2: prints
        sent, answered, bad, and how many answers had each set
  stress.py PORT storm KIND COUNT NAME
        COUNT queries of one kind, each checked against the RFCs:
        random   random names under NAME's parent: NXDOMAIN
        long     names of exactly 255 octets (NXDOMAIN) and of 256 (no
                 answer, or FORMERR)
        loop     compression pointer loops in the question: FORMERR or none
        any      ANY for NAME over UDP without EDNS: NOERROR, <= 512 octets
        edns     NAME A with EDNS sizes 0, 1, 511 (answer <= 512 octets)
                 and 65535 (the whole rrset, no TC)
        prints sent, answered, bad (answers that break those rules) and
        the first bad one
"""
import os, random, socket, struct, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dnsq import build, parse, qname  # noqa: E402


def hold(port, n, secs, ready):
    # Non-blocking connects, all at once, given 5 s to complete: a server
    # that is not accepting leaves some in the backlog (connected) and
    # some waiting for a SYN retry (counted as failed).
    import select
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        socks.append(s)
    pending, done = set(socks), []
    end = time.time() + 5
    while pending and time.time() < end:
        _, w, _ = select.select([], list(pending)[:900], [], 0.2)
        for s in w:
            pending.discard(s)
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                done.append(s)
            else:
                s.close()
    for s in pending:
        s.close()
    with open(ready, "w") as f:
        f.write("%d\n" % len(done))
    print("opened=%d\nfailed=%d" % (len(done), n - len(done)))
    sys.stdout.flush()
    time.sleep(secs)
    for s in done:
        s.close()


def noread(port, name, count, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.settimeout(0.5)
    sent = 0
    q = build(name, 1)
    msg = struct.pack(">H", len(q)) + q
    end = time.time() + secs
    for _ in range(count):
        try:
            s.sendall(msg)
            sent += 1
        except (socket.timeout, OSError):
            break  # the server stopped reading: what we want to see
        if time.time() > end:
            break
    print("sent=%d" % sent)
    sys.stdout.flush()
    time.sleep(max(0, end - time.time()))
    s.close()


def udp_ask(s, port, q, timeout=1.0):
    s.sendto(q, ("127.0.0.1", port))
    s.settimeout(timeout)
    try:
        while True:
            r, _ = s.recvfrom(65535)
            if r[:2] == q[:2]:
                return r
    except socket.timeout:
        return None


def long_name(rnd, total, parent):
    """A wire name of exactly total octets ending in parent's labels."""
    tail = qname(parent)
    room = total - len(tail)
    labels = b""
    while room > 0:
        n = min(63, room - 1)
        if room - (n + 1) == 1:
            n -= 1  # never leave one octet: no label fits in it
        labels += bytes([n]) + bytes(rnd.choice(b"abcdefghij")
                                     for _ in range(n))
        room -= n + 1
    return labels + tail


def storm(port, kind, count, name):
    rnd = random.Random(7)
    parent = name.split(".", 1)[1]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = answered = bad = 0
    first = ""
    for i in range(count):
        qid = rnd.getrandbits(16)
        hdr = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
        want = None
        if kind == "random":
            label = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789-")
                            for _ in range(rnd.randint(1, 62)))
            q = build("x%s.%s" % (label, parent), 1, qid)
            want = lambda p, r: p["rcode"] == 3
        elif kind == "long":
            total = 255 if i % 2 == 0 else 256
            wire = long_name(rnd, total, parent)
            q = hdr + wire + struct.pack(">HH", 1, 1)
            if total == 255:
                want = lambda p, r: p["rcode"] == 3
            else:
                want = lambda p, r: p["rcode"] == 1
        elif kind == "loop":
            # The question name points at itself, or two pointers at
            # each other.
            if i % 2 == 0:
                wire = b"\xc0\x0c"
            else:
                wire = b"\x01a\xc0\x0e\xc0\x0c"
            q = hdr + wire + struct.pack(">HH", 1, 1)
            want = lambda p, r: p["rcode"] == 1
        elif kind == "any":
            q = build(name, 255, qid)
            want = lambda p, r: p["rcode"] == 0 and len(r) <= 512
        elif kind == "edns":
            size = (0, 1, 511, 65535)[i % 4]
            q = build(name, 1, qid, edns=None)
            # An OPT record with this payload size (0 is legal on the
            # wire; RFC 6891 6.2.5: below 512 counts as 512).
            q = q[:10] + struct.pack(">H", 1) + q[12:] + b"\0" + \
                struct.pack(">HHIH", 41, size, 0, 0)
            if size < 512:
                want = lambda p, r: p["rcode"] == 0 and len(r) <= 512
            else:
                want = lambda p, r: p["rcode"] == 0 and p["tc"] == 0
        else:
            raise SystemExit("unknown kind " + kind)
        sent += 1
        r = udp_ask(s, port, q)
        if r is None:
            if kind in ("loop", "long") and want is not None:
                # Dropping a malformed query is allowed.
                if kind == "loop" or len(q) > 12 + 255 + 4:
                    continue
            bad += 1
            first = first or "no answer to %s #%d" % (kind, i)
            continue
        answered += 1
        p = parse(r)
        if p["id"] != qid or not p["qr"] or not want(p, r):
            bad += 1
            first = first or "%s #%d: %r" % (kind, i, p)
    print("sent=%d\nanswered=%d\nbad=%d\nfirst=%s" % (sent, answered, bad,
                                                     first))


def a_set(r):
    """Sorted addresses of the A records in the answer section."""
    qd, an = struct.unpack(">HH", r[4:8])
    i = 12
    for _ in range(qd):
        while r[i] != 0 and r[i] < 0xc0:
            i += 1 + r[i]
        i += 2 if r[i] >= 0xc0 else 1
        i += 4
    out = []
    for _ in range(an):
        if r[i] >= 0xc0:
            i += 2
        else:
            while r[i] != 0:
                i += 1 + r[i]
            i += 1
        rtype, _, _, rdlen = struct.unpack(">HHIH", r[i:i + 10])
        i += 10
        if rtype == 1 and rdlen == 4:
            out.append(socket.inet_ntoa(r[i:i + 4]))
        i += rdlen
    return ",".join(sorted(out, key=socket.inet_aton))


def swapcheck(port, name, secs, set1, set2):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = answered = bad = n1 = n2 = 0
    first = ""
    end = time.time() + secs
    i = 0
    while time.time() < end:
        i = (i + 1) & 0xffff
        q = build(name, 1, i, edns=4096)
        sent += 1
        r = udp_ask(s, port, q)
        if r is None:
            bad += 1
            first = first or "no answer to query %d" % sent
            continue
        answered += 1
        got = a_set(r)
        if got == set1:
            n1 += 1
        elif got == set2:
            n2 += 1
        else:
            bad += 1
            first = first or "answer %d: %s" % (sent, got or "empty")
    print("sent=%d\nanswered=%d\nbad=%d\nset1=%d\nset2=%d\nfirst=%s" %
          (sent, answered, bad, n1, n2, first))


def main():
    port, cmd, a = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    if cmd == "hold":
        hold(port, int(a[0]), float(a[1]), a[2])
    elif cmd == "noread":
        noread(port, a[0], int(a[1]), float(a[2]))
    elif cmd == "swapcheck":
        swapcheck(port, a[0], float(a[1]), a[2], a[3])
    elif cmd == "storm":
        storm(port, a[0], int(a[1]), a[2])
    else:
        raise SystemExit(__doc__)


main()
