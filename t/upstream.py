#!/usr/bin/env python3
"""upstream.py - a scripted upstream resolver for the forwarding tests, on
127.0.0.1 (UDP and TCP on the same port).  Writes its port to PORTFILE once
it listens, then serves until killed or LIFETIME seconds pass.

  upstream.py PORTFILE MODE [LIFETIME]

MODE:
  echo       answer every query with one TXT record telling what arrived:
             "id=N rd=0|1 cd=0|1 edns=SIZE|none do=0|1 q=<name as sent>
             via=udp|tcp"
             with RCODE NOERROR, its OPT echoing the DO bit
  blackhole  read every query and never answer
  count      answer A 192.0.2.99 and count queries in PORTFILE.count
"""
import os, select, socket, struct, sys, time


def parse_query(q):
    qid, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", q[:12])
    i, labels = 12, []
    while q[i] != 0:
        n = q[i]
        labels.append(q[i + 1:i + 1 + n].decode("latin-1"))
        i += 1 + n
    qend = i + 1 + 4
    qtype = struct.unpack(">H", q[i + 1:i + 3])[0]
    edns, do = None, 0
    j = qend
    for _ in range(an + ns + ar):
        # Owner: only the root name is expected here (an OPT).
        if q[j] != 0:
            break
        rtype, rclass, ttl, rdlen = struct.unpack(">HHIH", q[j + 1:j + 11])
        if rtype == 41:
            edns, do = rclass, (ttl >> 15) & 1
        j += 11 + rdlen
    return qid, flags, ".".join(labels), q[12:qend], qtype, edns, do


def txt_rdata(s):
    b = s.encode("latin-1")[:255]
    return bytes([len(b)]) + b


def answer(q, mode, via):
    qid, flags, name, question, qtype, edns, do = parse_query(q)
    rd, cd = (flags >> 8) & 1, (flags >> 4) & 1
    rflags = 0x8000 | (flags & 0x0100) | (flags & 0x0010) | 0x0080
    if mode == "echo":
        text = "id=%d rd=%d cd=%d edns=%s do=%d q=%s via=%s" % (
            qid, rd, cd, "none" if edns is None else edns, do, name, via)
        rdata = txt_rdata(text)
        rr = b"\xc0\x0c" + struct.pack(">HHIH", 16, 1, 0, len(rdata)) + rdata
    else:
        rr = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 0, 4) + \
            bytes([192, 0, 2, 99])
    opt = b""
    if edns is not None:
        opt = b"\0" + struct.pack(">HHIH", 41, 1232, 0x8000 if do else 0, 0)
    return struct.pack(">HHHHHH", qid, rflags, 1, 1, 0,
                       1 if opt else 0) + question + rr + opt


def main():
    portfile, mode = sys.argv[1], sys.argv[2]
    life = float(sys.argv[3]) if len(sys.argv) > 3 else 120.0
    # The kernel picks a free UDP port; the same TCP port may be taken
    # (a TCP connection of another test holds it): then pick again.
    for _ in range(100):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            t.bind(("127.0.0.1", port))
            break
        except OSError:
            u.close()
            t.close()
    else:
        sys.exit("upstream.py: no port free for both UDP and TCP")
    t.listen(16)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(portfile + ".tmp", portfile)
    conns, bufs, count = [], {}, 0
    end = time.time() + life
    while time.time() < end:
        r, _, _ = select.select([u, t] + conns, [], [], 0.5)
        for s in r:
            if s is u:
                q, addr = u.recvfrom(65535)
                count += 1
                if mode != "blackhole":
                    try:
                        u.sendto(answer(q, mode, "udp"), addr)
                    except (IndexError, struct.error):
                        pass
            elif s is t:
                c, _ = t.accept()
                conns.append(c)
                bufs[c] = b""
            else:
                d = s.recv(65535)
                if not d:
                    conns.remove(s)
                    del bufs[s]
                    s.close()
                    continue
                bufs[s] += d
                while len(bufs[s]) >= 2:
                    n = struct.unpack(">H", bufs[s][:2])[0]
                    if len(bufs[s]) < 2 + n:
                        break
                    q, bufs[s] = bufs[s][2:2 + n], bufs[s][2 + n:]
                    count += 1
                    if mode != "blackhole":
                        a = answer(q, mode, "tcp")
                        s.sendall(struct.pack(">H", len(a)) + a)
        if mode == "count":
            with open(portfile + ".count", "w") as f:
                f.write("%d\n" % count)


if __name__ == "__main__":
    main()
