#!/usr/bin/env python3
"""axfr.py - a lean AXFR client for the benchmark: it reads the messages
as they come and parses no record but the first (the SOA, whose last 20
octets, serial to minimum, mark the message that ends the transfer), so
what is timed is the server and the socket, not a client's parsing.

  axfr.py PORT ZONE

Prints: wall_ms bytes messages (bytes with the length prefixes)."""
import socket, struct, sys, time


def wire_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def skip_name(m, i):
    while True:
        n = m[i]
        if n == 0:
            return i + 1
        if n & 0xC0 == 0xC0:
            return i + 2
        i += n + 1


def read_exact(s, n, buf):
    while len(buf) < n:
        chunk = s.recv(1 << 20)
        if not chunk:
            raise SystemExit("connection closed mid-transfer")
        buf += chunk
    return buf


def main():
    port, zone = int(sys.argv[1]), sys.argv[2]
    q = struct.pack("!HHHHHH", 0x5a5a, 0, 1, 0, 0, 0) + wire_name(zone) + \
        struct.pack("!HH", 252, 1)
    t0 = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(struct.pack("!H", len(q)) + q)
    buf = bytearray()
    tail = None
    total = msgs = 0
    while True:
        buf = read_exact(s, 2, buf)
        n = buf[0] << 8 | buf[1]
        buf = read_exact(s, 2 + n, buf)
        m = bytes(buf[2:2 + n])
        del buf[:2 + n]
        total += 2 + n
        msgs += 1
        if m[3] & 0x0F:
            raise SystemExit("rcode %d" % (m[3] & 0x0F))
        if tail is None:
            i = 12
            for _ in range(struct.unpack("!H", m[4:6])[0]):
                i = skip_name(m, i) + 4
            i = skip_name(m, i)
            rdlen = struct.unpack("!H", m[i + 8:i + 10])[0]
            end = i + 10 + rdlen
            tail = m[end - 20:end]
            # A one-message zone: the SOA again at its end.
            if msgs == 1 and m.endswith(tail) and \
                    struct.unpack("!H", m[6:8])[0] > 1:
                break
            continue
        if m.endswith(tail):
            break
    s.close()
    print("%d %d %d" % ((time.monotonic() - t0) * 1000, total, msgs))


if __name__ == "__main__":
    main()
