#!/usr/bin/env python3
"""fcrdns.py - forward-confirmed reverse DNS against a server: for every
address in a --print-records listing (A and AAAA lines) inside the given
prefixes, its PTR names are asked for, and each must resolve (A or AAAA)
to a set that holds the address.

  fcrdns.py PORT RECORDS PREFIX...

Prints "addresses N with-ptr N ptrs N fail N" (and each failure), exits 1
on any failure or when no address has a PTR.
"""
import ipaddress, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zonediff  # noqa: E402


def main():
    port, records = int(sys.argv[1]), sys.argv[2]
    nets = [ipaddress.ip_network(p, strict=False) for p in sys.argv[3:]]
    addrs = set()
    for line in open(records):
        f = line.split()
        if len(f) == 3 and f[0] in ("A", "AAAA"):
            ip = ipaddress.ip_address(f[2])
            if any(ip in n for n in nets):
                addrs.add(ip)
    withptr = ptrs = fail = 0
    for ip in sorted(addrs, key=lambda a: (a.version, int(a))):
        r = zonediff.ask(port, ip.reverse_pointer + ".", "PTR")
        names = [x[3] for x in (r["sections"][0] if r else [])
                 if x[1] == "PTR"]
        if names:
            withptr += 1
        for n in names:
            ptrs += 1
            t = "A" if ip.version == 4 else "AAAA"
            a = zonediff.ask(port, n, t)
            got = {x[3] for x in (a["sections"][0] if a else [])
                   if x[1] == t}
            if ip.packed.hex() not in got:
                fail += 1
                print("%s -> %s: %s of it do not hold the address (%s)"
                      % (ip, n, t, sorted(got)))
    print("addresses %d with-ptr %d ptrs %d fail %d"
          % (len(addrs), withptr, ptrs, fail))
    sys.exit(1 if fail or not withptr else 0)


if __name__ == "__main__":
    main()
