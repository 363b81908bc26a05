#!/usr/bin/env python3
"""dnsq.py - a small DNS client for the integration tests: queries dig
cannot make (malformed, raw bytes, several on one TCP connection) and a
bounded query load.  Prints results as 'key=value' lines.

  dnsq.py PORT query NAME TYPE [--edns N] [--do] [--tcp] [--id N] [--class N]
  dnsq.py PORT raw HEX             (send bytes, print the reply or 'none')
  dnsq.py PORT tcpmulti NAME TYPE COUNT
  dnsq.py PORT load NAME TYPE SECONDS   (queries until SECONDS pass)
  dnsq.py PORT garbage COUNT SEED
  dnsq.py PORT compare UPPORT NAME TYPE [--edns N] [--do] [--tcp]
        (the same query to PORT and to UPPORT: same=1 when the answers
        are byte for byte the same)
  dnsq.py PORT burst NAME TYPE COUNT [WAIT]
        (COUNT queries at once, names NAME with {i} replaced by the
        index; waits up to WAIT seconds; prints how many came back, per
        RCODE, and the slowest)
"""
import random, socket, struct, sys, time

TYPES = {"A": 1, "NS": 2, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28,
         "SRV": 33, "ANY": 255}

def qname(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"

def build(name, qtype, qid=0x1234, edns=None, do=False, qclass=1, flags=0x0100):
    q = struct.pack(">HHHHHH", qid, flags, 1, 0, 0, 1 if edns else 0)
    q += qname(name) + struct.pack(">HH", qtype, qclass)
    if edns:
        q += b"\0" + struct.pack(">HHIH", 41, edns, 0x8000 if do else 0, 0)
    return q

def parse(r):
    qid, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", r[:12])
    return {"id": qid, "rcode": flags & 0xf, "tc": (flags >> 9) & 1,
            "aa": (flags >> 10) & 1, "qr": flags >> 15, "an": an, "ns": ns,
            "ar": ar, "len": len(r)}

def first_ttl(r):
    """TTL of the first answer record, or None."""
    if parse(r)["an"] == 0:
        return None
    i = 12
    for section_names in range(2):  # the question name, then the answer's
        while True:
            n = r[i]
            if n >= 0xc0:
                i += 2
                break
            i += 1 + n
            if n == 0:
                break
        i += 4 if section_names == 0 else 0
    return struct.unpack(">I", r[i + 4:i + 8])[0]

def udp(port, data, timeout=2.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    s.sendto(data, ("127.0.0.1", port))
    try:
        return s.recv(65535)
    except socket.timeout:
        return None
    finally:
        s.close()

def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        c = s.recv(n - len(buf))
        if not c:
            return None
        buf += c
    return buf

def tcp(port, datas, timeout=3.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    out = []
    try:
        s.sendall(b"".join(struct.pack(">H", len(d)) + d for d in datas))
        for _ in datas:
            h = recv_exact(s, 2)
            if h is None:
                break
            out.append(recv_exact(s, struct.unpack(">H", h)[0]))
    finally:
        s.close()
    return out

def show(r):
    if r is None:
        print("reply=none")
        return
    for k, v in parse(r).items():
        print("%s=%s" % (k, v))

def main():
    port, cmd, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    if cmd == "query":
        name, qtype = args[0], TYPES.get(args[1], 0) or int(args[1])
        edns = int(args[args.index("--edns") + 1]) if "--edns" in args else None
        qid = int(args[args.index("--id") + 1]) if "--id" in args else 0x1234
        qc = int(args[args.index("--class") + 1]) if "--class" in args else 1
        q = build(name, qtype, qid, edns, "--do" in args, qc)
        r = tcp(port, [q])[0] if "--tcp" in args else udp(port, q)
        show(r)
    elif cmd == "raw":
        show(udp(port, bytes.fromhex(args[0]), timeout=1.0))
    elif cmd == "tcpmulti":
        qtype, n = TYPES[args[1]], int(args[2])
        rs = tcp(port, [build(args[0], qtype, i) for i in range(n)])
        print("answers=%d" % len(rs))
        print("ids=%s" % ",".join(str(parse(r)["id"]) for r in rs if r))
    elif cmd == "load":
        # Sequential queries for SECONDS; report sent, answered, bad
        # answers, and the answer TTLs seen, in order of first sight.
        name, qtype, secs = args[0], TYPES[args[1]], float(args[2])
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(1.0)
        end, sent, got, bad, i = time.time() + secs, 0, 0, 0, 0
        ttls = []
        while time.time() < end:
            i = (i + 1) & 0xffff
            s.sendto(build(name, qtype, i), ("127.0.0.1", port))
            sent += 1
            try:
                r = s.recv(65535)
                p = parse(r)
                got += 1
                if p["rcode"] != 0 or p["an"] == 0 or p["id"] != i:
                    bad += 1
                elif first_ttl(r) not in ttls:
                    ttls.append(first_ttl(r))
            except socket.timeout:
                pass
        print("sent=%d\nanswered=%d\nbad=%d" % (sent, got, bad))
        print("ttls=%s" % ",".join(str(t) for t in ttls))
    elif cmd == "garbage":
        rnd = random.Random(int(args[1]))
        for _ in range(int(args[0])):
            n = rnd.randint(0, 600)
            data = bytes(rnd.getrandbits(8) for _ in range(n))
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.sendto(data, ("127.0.0.1", port))
            s.close()
        print("sent=%s" % args[0])
    elif cmd == "compare":
        compare(port, args)
    elif cmd == "burst":
        burst(port, args)

def compare(port, args):
    upport, name, qtype = int(args[0]), args[1], TYPES[args[2]]
    edns = int(args[args.index("--edns") + 1]) if "--edns" in args else None
    q = build(name, qtype, 0x4242, edns, "--do" in args)
    if "--tcp" in args:
        a, b = tcp(port, [q])[0], tcp(upport, [q])[0]
    else:
        a, b = udp(port, q), udp(upport, q)
    print("same=%d" % (a is not None and a == b))
    print("len=%d" % (len(a) if a else 0))


def burst(port, args):
    name, qtype, n = args[0], TYPES[args[1]], int(args[2])
    wait = float(args[3]) if len(args) > 3 else 5.0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sent_at = {}
    for i in range(n):
        qid = i & 0xffff
        s.sendto(build(name.replace("{i}", str(i)), qtype, qid),
                 ("127.0.0.1", port))
        sent_at[qid] = time.time()
    end = time.time() + wait
    got, rcodes, slowest = 0, {}, 0.0
    while got < n and time.time() < end:
        s.settimeout(max(0.01, end - time.time()))
        try:
            r = s.recv(65535)
        except socket.timeout:
            break
        p = parse(r)
        if p["id"] not in sent_at:
            continue
        slowest = max(slowest, time.time() - sent_at.pop(p["id"]))
        got += 1
        rcodes[p["rcode"]] = rcodes.get(p["rcode"], 0) + 1
    print("answered=%d" % got)
    for k in sorted(rcodes):
        print("rcode%d=%d" % (k, rcodes[k]))
    print("slowest_ms=%d" % int(slowest * 1000))


if __name__ == "__main__":
    main()
