#!/usr/bin/env python3
"""rrl.py - a reflection attack on loopback, for the rate limiting test
and bench: a "victim" address floods a server with queries for one large
answer (as a forged source would), while a legitimate client in another
prefix asks for many names; both receive what the server sends back.

  rrl.py PORT NAME TYPE VICTIM QPS SECONDS CLIENT CLIENT_QPS NAMES_FILE

The flood's queries carry EDNS (4096), as an attacker's do, and leave
from 8 source ports (so the server's SO_REUSEPORT spreads them over its
workers, as a forged flood's random ports would).  Prints one
line of key=value: sent= received= (DNS octets, the victim's), amp=
(received / sent), full= tc= (answers with records, truncated ones),
tcp_retries= tcp_answered= (the first 20 truncated answers asked again
over TCP, as a real client at the victim's address would), and for the
client: asked= answered= lost= truncated=."""
import os, selectors, socket, struct, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dnsq import qname as wire_name  # noqa: E402

TYPES = {"A": 1, "SRV": 33, "TXT": 16, "AAAA": 28}


def query(qid, name, qtype, edns):
    q = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 1 if edns else 0) + \
        wire_name(name) + struct.pack("!HH", qtype, 1)
    if edns:
        q += b"\0" + struct.pack("!HHIH", 41, 4096, 0, 0)
    return q


def paced(qps, seconds, send):
    """Call send(i) qps times a second for seconds; the count sent."""
    t0 = time.monotonic()
    i = 0
    while True:
        el = time.monotonic() - t0
        if el >= seconds:
            return i
        due = int(el * qps)
        while i < due:
            send(i)
            i += 1
        time.sleep(0.0005)


def drain(socks, until, on_reply):
    sel = selectors.DefaultSelector()
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    while time.monotonic() < until[0]:
        for key, _ in sel.select(0.2):
            while True:
                try:
                    on_reply(key.fileobj.recv(65535))
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    return


def tcp_ask(port, q):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=3)
        s.sendall(struct.pack("!H", len(q)) + q)
        buf = b""
        while len(buf) < 2 or len(buf) < 2 + (buf[0] << 8 | buf[1]):
            chunk = s.recv(65535)
            if not chunk:
                return None
            buf += chunk
        s.close()
        return buf[2:]
    except OSError:
        return None


def main():
    (port, name, qtype, victim, qps, secs, client, cqps,
     names_file) = sys.argv[1:10]
    port, qps, secs, cqps = int(port), int(qps), float(secs), int(cqps)
    names = [l.strip() for l in open(names_file) if l.strip()]
    qt = TYPES[qtype]
    vss = []
    for _ in range(8):
        vs = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        vs.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        vs.bind((victim, 0))
        vss.append(vs)
    cs = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    cs.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    cs.bind((client, 0))
    v = {"sent": 0, "received": 0, "full": 0, "tc": 0}
    c = {"asked": 0, "answered": set(), "truncated": 0}
    tc_queries = []
    until = [time.monotonic() + secs + 1.0]

    def on_victim(r):
        v["received"] += len(r)
        if r[2] & 0x02:
            v["tc"] += 1
            if len(tc_queries) < 20:
                tc_queries.append(r[0] << 8 | r[1])
        elif (r[6] << 8 | r[7]) > 0:
            v["full"] += 1

    def on_client(r):
        if r[2] & 0x02:
            c["truncated"] += 1
        if (r[3] & 0x0F) == 0 and (r[6] << 8 | r[7]) > 0:
            c["answered"].add(r[0] << 8 | r[1])

    def flood(i):
        q = query(i & 0xFFFF, name, qt, True)
        try:
            vss[i % 8].sendto(q, ("127.0.0.1", port))
            v["sent"] += len(q)
        except OSError:
            pass

    def legit(i):
        q = query(i & 0xFFFF, names[i % len(names)], 1, False)
        try:
            cs.sendto(q, ("127.0.0.1", port))
            c["asked"] += 1
        except OSError:
            pass

    rv = threading.Thread(target=drain, args=(vss, until, on_victim))
    rc = threading.Thread(target=drain, args=([cs], until, on_client))
    rv.start()
    rc.start()
    tl = threading.Thread(target=paced, args=(cqps, secs, legit))
    tl.start()
    paced(qps, secs, flood)
    tl.join()
    rv.join()
    rc.join()
    answered = 0
    for qid in tc_queries:
        r = tcp_ask(port, query(qid, name, qt, True))
        if r is not None and not r[2] & 0x02 and (r[6] << 8 | r[7]) > 0:
            answered += 1
    amp = v["received"] / v["sent"] if v["sent"] else 0.0
    print("sent=%d received=%d amp=%.3f full=%d tc=%d tcp_retries=%d "
          "tcp_answered=%d asked=%d answered=%d lost=%d truncated=%d" % (
              v["sent"], v["received"], amp, v["full"], v["tc"],
              len(tc_queries), answered, c["asked"], len(c["answered"]),
              c["asked"] - len(c["answered"]), c["truncated"]))


if __name__ == "__main__":
    main()
