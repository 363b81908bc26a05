#!/usr/bin/env python3
"""lag.py - how long an event takes to reach DNS answers.

  lag.py DNSPORT FMPORT FILE NAME present|absent [TIMEOUT]

Pushes the records of FILE to the fake master's subscribers
(/control?push=FILE), then asks 127.0.0.1:DNSPORT for NAME A every 2 ms
until it has an address (present) or is NXDOMAIN (absent); prints the
milliseconds from the push to that answer, or 'timeout'.
"""
import socket, struct, sys, time, urllib.request

def query(sock, port, name, qid):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", 1, 1)
    sock.sendto(q, ("127.0.0.1", port))
    try:
        r, _ = sock.recvfrom(4096)
    except socket.timeout:
        return None
    rid, flags, _, an = struct.unpack(">HHHH", r[:8])
    return (flags & 15, an) if rid == qid else None

def main():
    port, fmport, path, name, want = (int(sys.argv[1]), int(sys.argv[2]),
                                      sys.argv[3], sys.argv[4], sys.argv[5])
    limit = float(sys.argv[6]) if len(sys.argv) > 6 else 5.0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.5)
    t0 = time.monotonic()
    urllib.request.urlopen("http://127.0.0.1:%d/control?push=%s" %
                           (fmport, path), timeout=5).read()
    qid = 1
    while time.monotonic() - t0 < limit:
        r = query(s, port, name, qid)
        qid = qid % 65535 + 1
        if r is not None:
            rcode, an = r
            if (want == "present" and rcode == 0 and an > 0) or \
               (want == "absent" and rcode == 3):
                print("%.1f" % ((time.monotonic() - t0) * 1000))
                return
        time.sleep(0.002)
    print("timeout")

main()
