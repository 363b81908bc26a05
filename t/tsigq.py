#!/usr/bin/env python3
"""tsigq.py - a TSIG-signed query (RFC 8945) over UDP, signed and checked
here with Python's hmac: a second implementation beside libdnssec's, and
queries kdig will not make (a Time Signed far from now).

  tsigq.py PORT NAME TYPE KEYNAME SECRET_B64 [--skew SECONDS] [--alg sha256]
           [--fudge SECONDS]

Prints key=value pairs on one line: rcode=, tsig_error=, other_len=, server_time=
(from Other Data, when six octets), and verified=1 when the answer's MAC
is right for this key (request MAC, answer without its TSIG, variables).
"""
import os, base64, hashlib, hmac, random, socket, struct, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dnsq import qname as wire_name  # noqa: E402

TYPES = {"A": 1, "SOA": 6, "TXT": 16, "AAAA": 28, "SRV": 33}


def skip_name(m, i):
    while True:
        n = m[i]
        if n == 0:
            return i + 1
        if n & 0xC0 == 0xC0:
            return i + 2
        i += n + 1


def tsig_vars(key, alg, t, fudge, error, other):
    return (key + struct.pack("!HI", 255, 0) + alg +
            struct.pack("!HIHHH", t >> 32, t & 0xFFFFFFFF, fudge, error,
                        len(other)) + other)


OUT = []


def out(s):
    OUT.append(s)


def main():
    a = sys.argv[1:]
    port, name, qtype, keyname, secret = a[:5]
    skew, algo, fudge = 0, "sha256", 300
    if "--skew" in a:
        skew = int(a[a.index("--skew") + 1])
    if "--fudge" in a:
        fudge = int(a[a.index("--fudge") + 1])
    if "--alg" in a:
        algo = a[a.index("--alg") + 1]
    secret = base64.b64decode(secret)
    key = wire_name(keyname)
    alg = wire_name("hmac-" + algo)
    qid = random.randrange(65536)
    msg = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0) + wire_name(name) + \
        struct.pack("!HH", TYPES[qtype], 1)
    t = int(time.time()) + skew
    mac = hmac.new(secret, msg + tsig_vars(key, alg, t, fudge, 0, b""),
                   algo).digest()
    rd = alg + struct.pack("!HIHH", t >> 32, t & 0xFFFFFFFF, fudge,
                           len(mac)) + mac + struct.pack("!HHH", qid, 0, 0)
    signed = msg[:10] + struct.pack("!H", 1) + msg[12:] + key + \
        struct.pack("!HHIH", 250, 255, 0, len(rd)) + rd
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(signed, ("127.0.0.1", int(port)))
    try:
        r = s.recv(65535)
    except socket.timeout:
        out("reply=none")
        return
    out("rcode=%d" % (r[3] & 0x0F))
    qd, an, ns, ar = struct.unpack("!HHHH", r[4:12])
    i = 12
    for _ in range(qd):
        i = skip_name(r, i) + 4
    start = None
    for n in range(an + ns + ar):
        rs = i
        i = skip_name(r, i)
        rtype, _, _, rdlen = struct.unpack("!HHIH", r[i:i + 10])
        if rtype == 250 and n == an + ns + ar - 1:
            start = rs
            tsig_at = i + 10
        i += 10 + rdlen
    if start is None:
        out("tsig=none")
        return
    j = skip_name(r, tsig_at)
    th, tl, fudge, mlen = struct.unpack("!HIHH", r[j:j + 10])
    rmac = r[j + 10:j + 10 + mlen]
    j += 10 + mlen
    orig, err, olen = struct.unpack("!HHH", r[j:j + 6])
    other = r[j + 6:j + 6 + olen]
    out("tsig_error=%d" % err)
    out("other_len=%d" % olen)
    if olen == 6:
        oh, ol = struct.unpack("!HI", other)
        out("server_time=%d" % (oh << 32 | ol))
    if mlen > 0:
        body = bytearray(r[:start])
        struct.pack_into("!H", body, 0, orig)
        struct.pack_into("!H", body, 10, ar - 1)
        want = hmac.new(secret, struct.pack("!H", len(mac)) + mac +
                        bytes(body) +
                        tsig_vars(key, alg, th << 32 | tl, fudge, err,
                                  other), algo).digest()
        out("verified=%d" % (1 if hmac.compare_digest(want, rmac) else 0))


if __name__ == "__main__":
    main()
    print(" ".join(OUT))
